"""Small-cell suppression (UU PDP 27/2022): counts of people 1–4 reach the public as "<5", on the
PIS and through the API; signed-in staff see the exact numbers."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from komando.assets.models import Asset, AssetKind
from komando.dashboard.tests.test_pis_page import embedded_state
from komando.metrics.models import DiagnosisCount, PopulationCount, PrescriptionCount, Sex, VisitCount
from komando.regions.models import Region
from komando.sources.models import Source

pytestmark = pytest.mark.django_db

COUNT_KEYS = {"total", "male", "female", "count", "visits", "visits_total"}


def counts(data, found=None) -> list:
    """Every value under a key that counts people, anywhere in ``data``."""
    found = [] if found is None else found
    if isinstance(data, dict):
        for key, value in data.items():
            if key in COUNT_KEYS and not isinstance(value, (dict, list)):
                found.append(value)
            counts(value, found)
    elif isinstance(data, list):
        for item in data:
            counts(item, found)
    return found


def small(values) -> list:
    return [value for value in values if isinstance(value, int) and 1 <= value <= 4]


@pytest.fixture
def small_cells(reference_data):
    """One kelurahan with small age × sex cells; two puskesmas with small counts today."""
    siak = Source.objects.get(slug="siak")
    kelurahan = Region.objects.filter(level="kelurahan").order_by("code").first()
    as_of = date(2026, 11, 1)
    for sex, age_group, n in [(Sex.MALE, "0-4", 3), (Sex.FEMALE, "0-4", 2), (Sex.MALE, "5-9", 100), (Sex.FEMALE, "75+", 1)]:
        PopulationCount.objects.create(source=siak, region=kelurahan, sex=sex, age_group=age_group, count=n, as_of=as_of)
    epuskesmas = Source.objects.get(slug="epuskesmas")
    big, tiny = (
        Asset.objects.create(kind=AssetKind.PUSKESMAS, source=epuskesmas, source_ref=ref, name=name)
        for ref, name in [("P1", "Cipondoh"), ("P2", "Benda")]
    )
    today = timezone.localdate()
    for facility, poli, n in [(big, "Poli Umum", 12), (big, "Poli Gigi", 3), (tiny, "Poli KIA", 4)]:
        VisitCount.objects.create(source=epuskesmas, date=today, facility=facility, poli=poli, count=n)
    for code, n in [("J06.9", 7), ("I10", 2)]:
        DiagnosisCount.objects.create(source=epuskesmas, date=today, facility=big, icd10_code=code, icd10_name=code, count=n)
    PrescriptionCount.objects.create(
        source=epuskesmas, date=today, facility=big, kfa_code="93000001", drug_name="Paracetamol 500 mg Tablet", count=1
    )
    return kelurahan


def test_anonymous_population_api_never_shows_a_count_of_one_to_four(small_cells):
    client = Client()
    panel = client.get("/api/population/").json()
    detail = client.get(f"/api/population/kecamatan/{small_cells.parent.code}/").json()
    for body in (panel, detail):
        assert small(counts(body)) == []
        assert "<5" in counts(body)
    kelurahan = next(k for k in detail["kelurahan"] if k["code"] == small_cells.code)
    assert kelurahan["by_age_sex"][0] == {"age_group": "0-4", "male": "<5", "female": "<5"}
    assert (kelurahan["total"], kelurahan["male"], kelurahan["female"]) == (106, 103, "<5")


def test_staff_see_exact_population_counts(small_cells, personas):
    client = Client()
    client.force_login(personas["operator"])
    detail = client.get(f"/api/population/kecamatan/{small_cells.parent.code}/").json()
    kelurahan = next(k for k in detail["kelurahan"] if k["code"] == small_cells.code)
    assert kelurahan["by_age_sex"][0] == {"age_group": "0-4", "male": 3, "female": 2}
    assert kelurahan["female"] == 3
    assert "<5" not in counts(client.get("/api/population/").json())


def test_anonymous_health_api_never_shows_a_count_of_one_to_four(small_cells):
    body = Client().get("/api/health/today/").json()
    assert small(counts(body)) == []
    assert body["visits_total"] == 19
    assert body["by_poli"] == [
        {"poli": "Poli Umum", "count": 12},
        {"poli": "Poli Gigi", "count": "<5"},
        {"poli": "Poli KIA", "count": "<5"},
    ]
    assert [(d["code"], d["count"]) for d in body["top_diagnoses"]] == [("J06.9", 7), ("I10", "<5")]
    assert body["top_drugs"][0]["count"] == "<5"
    visits = {f["name"]: f["visits"] for f in body["by_facility"]}
    assert visits["Cipondoh"] == 15 and visits["Benda"] == "<5"
    assert body["facilities_reporting"] == 2  # puskesmas are not people


def test_suppressed_rows_are_ordered_by_name_not_by_their_hidden_counts(small_cells):
    VisitCount.objects.filter(poli="Poli Umum").update(count=2)  # now all three are small
    body = Client().get("/api/health/today/").json()
    assert [row["poli"] for row in body["by_poli"]] == ["Poli Gigi", "Poli KIA", "Poli Umum"]
    assert body["visits_total"] == 9


def test_staff_see_exact_health_counts(small_cells, personas):
    client = Client()
    client.force_login(personas["opd_officer"])
    body = client.get("/api/health/today/").json()
    assert [row["count"] for row in body["by_poli"]] == [12, 4, 3]
    assert body["top_drugs"][0]["count"] == 1


def test_a_signed_in_person_without_a_staff_role_sees_suppressed_counts(small_cells, personas):
    client = Client()
    client.force_login(personas["outsider"])
    assert small(counts(client.get("/api/health/today/").json())) == []


def test_the_public_pis_embeds_no_count_of_one_to_four(small_cells):
    state = embedded_state(Client().get("/"))
    assert state["exact_counts"] is False
    assert small(counts(state["population"])) == [] and small(counts(state["health"])) == []
    assert "<5" in counts(state["health"]) and "<5" in counts(state["population"])


def test_the_staff_pis_embeds_exact_counts(small_cells, personas):
    client = Client()
    client.force_login(personas["executive"])
    state = embedded_state(client.get("/"))
    assert state["exact_counts"] is True
    assert "<5" not in counts(state["population"]) + counts(state["health"])
    assert [row["count"] for row in state["health"]["by_poli"]] == [12, 4, 3]


def test_the_schema_documents_suppressed_counts(db):
    schema = Client().get("/api/openapi.json").json()
    count = schema["components"]["schemas"]["AgeSex"]["properties"]["male"]
    assert {"type": "string", "enum": ["<5"]} in count["oneOf"]
