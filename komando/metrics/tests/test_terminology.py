import json

from django.conf import settings

from komando.metrics.terminology import icd10_indonesian_name, icd10_indonesian_names


def test_every_icd10_code_the_city_puskesmas_use_has_an_indonesian_name():
    data = json.loads((settings.KOMANDO_CITY_DIR / "simulators" / "epuskesmas.json").read_text())
    codes = {entry["code"] for table in data["diagnoses"].values() for entry in table}
    missing = sorted(code for code in codes if not icd10_indonesian_name(code))
    assert not missing, f"ICD-10 codes without an Indonesian name: {missing}"


def test_indonesian_names_are_not_the_english_ones():
    names = icd10_indonesian_names()
    assert names["J06.9"] == "Infeksi saluran pernapasan atas akut, tidak spesifik"
    assert names["I10"] == "Hipertensi esensial (primer)"
    assert icd10_indonesian_name("X99.9") is None
