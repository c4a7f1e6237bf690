"""The e-Puskesmas connector against its simulator over real HTTP."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.serializers import serialize
from django.db.models import Sum

from komando.assets.models import Asset
from komando.connectors.epuskesmas.tests.conftest import SimulatorReader
from komando.metrics.models import DiagnosisCount, PrescriptionCount, VisitCount
from komando.sources.models import Source, SourceRun
from komando.sources.runner import run_source

TODAY = date(2026, 11, 23)


def served_today(url: str, until) -> dict[str, Counter]:
    """Counts of what the simulator serves for today up to ``until``, read independently."""
    reader = SimulatorReader(url)
    window = ["ge2026-11-22T17:00:00+00:00", f"le{until.isoformat()}"]
    encounters = reader.search("Encounter", _lastUpdated=window)
    conditions = reader.search("Condition", _lastUpdated=window)
    requests = reader.search("MedicationRequest", _lastUpdated=window)
    medications = {m["id"]: m["code"]["coding"][0]["code"] for m in reader.search("Medication")}
    return {
        "visits": Counter(e["serviceProvider"]["reference"] for e in encounters),
        "diagnoses": Counter(c["code"]["coding"][0]["code"] for c in conditions),
        "drugs": Counter(medications[r["medicationReference"]["reference"].split("/")[1]] for r in requests),
        "resources": Counter({"all": len(encounters) + len(conditions) + len(requests)}),
    }


def stored_today() -> dict[str, Counter]:
    visits = Counter()
    for row in VisitCount.objects.filter(date=TODAY).select_related("facility"):
        visits[f"Organization/{row.facility.source_ref}"] += row.count
    diagnoses = Counter(
        dict(
            DiagnosisCount.objects.filter(date=TODAY).values("icd10_code").annotate(n=Sum("count")).values_list("icd10_code", "n")
        )
    )
    drugs = Counter(
        dict(
            PrescriptionCount.objects.filter(date=TODAY).values("kfa_code").annotate(n=Sum("count")).values_list("kfa_code", "n")
        )
    )
    return {"visits": visits, "diagnoses": diagnoses, "drugs": drugs}


def snapshot() -> str:
    """Everything the connector may write, as JSON (to prove a failed run changed nothing)."""
    source = Source.objects.get(slug="epuskesmas")
    rows = [
        *VisitCount.objects.order_by("pk"),
        *DiagnosisCount.objects.order_by("pk"),
        *PrescriptionCount.objects.order_by("pk"),
        *Asset.objects.order_by("pk"),
    ]
    return serialize("json", rows) + json.dumps(source.cursor, sort_keys=True) + str(source.data_as_of)


def test_first_run_backfills_today_with_counts_equal_to_what_the_simulator_served(source, simulator_url, make_coordinator, clock):
    assert run_source(source, make_coordinator(simulator_url)) is True
    source.refresh_from_db()
    served, stored = served_today(simulator_url, clock.now), stored_today()

    assert sum(served["visits"].values()) > 200  # 10:00 on a Monday at the small test volume
    assert stored["visits"] == served["visits"]
    assert stored["diagnoses"] == served["diagnoses"]  # counts per ICD-10 code
    assert stored["drugs"] == served["drugs"]  # counts per KFA code
    assert source.records_last_run == served["resources"]["all"]
    assert source.last_error == "" and source.consecutive_failures == 0
    assert source.data_as_of <= clock.now


def test_icd10_names_and_drug_names_come_from_the_codings(source, simulator_url, make_coordinator):
    run_source(source, make_coordinator(simulator_url))
    names = dict(DiagnosisCount.objects.values_list("icd10_code", "icd10_name").distinct())
    assert names["J06.9"] == "Acute upper respiratory infection, unspecified"
    assert names["I10"] == "Essential (primary) hypertension"
    drugs = dict(PrescriptionCount.objects.values_list("kfa_code", "drug_name").distinct())
    assert drugs["92001209"] == "Paracetamol 500 mg Tablet"
    assert all(re.fullmatch(r"9[23]\d{6}", code) for code in drugs)


def test_puskesmas_become_assets_with_locations_inside_the_city(source, simulator_url, make_coordinator):
    run_source(source, make_coordinator(simulator_url))
    puskesmas = Asset.objects.filter(source=source, kind="puskesmas").select_related("region")
    assert puskesmas.count() == 39
    for asset in puskesmas:
        assert -6.27 < asset.lat < -6.09 and 106.55 < asset.lon < 106.76, asset.name
        assert asset.region.level == "kelurahan" and asset.region.code.startswith("36.71.")
        assert "Poli Umum" in asset.attributes["polis"]
    assert set(VisitCount.objects.values_list("poli", flat=True)) <= {
        "Poli Umum",
        "Poli Gigi",
        "Poli KIA",
        "Poli KB",
        "Poli MTBS",
        "Poli Lansia",
        "Poli TB",
        "Poli Gizi",
        "UGD 24 Jam",
    }


def test_no_patient_or_practitioner_identifier_is_stored(source, simulator_url, make_coordinator, clock):
    run_source(source, make_coordinator(simulator_url))
    reader = SimulatorReader(simulator_url)
    encounters = reader.search("Encounter", _lastUpdated="ge2026-11-22T17:00:00+00:00")
    patients = {e["subject"]["reference"].split("/")[1] for e in encounters}
    practitioners = {p["individual"]["reference"].split("/")[1] for e in encounters for p in e["participant"]}
    assert patients and practitioners

    stored = serialize(
        "json",
        [
            *VisitCount.objects.all(),
            *DiagnosisCount.objects.all(),
            *PrescriptionCount.objects.all(),
            *Asset.objects.all(),
            *Source.objects.all(),
            *SourceRun.objects.all(),
        ],
    )
    assert "Patient" not in stored and "Practitioner" not in stored
    leaked = [ident for ident in patients | practitioners if ident in stored]
    assert leaked == []


def test_runs_resume_after_an_outage_with_no_gap_and_no_double_count(source, simulator, make_coordinator, clock):
    from komando.sources.simulation import running_simulator

    clock.now -= timedelta(hours=1)  # 09:00 WIB
    with running_simulator(simulator) as url:
        assert run_source(source, make_coordinator(url)) is True
    first_cursor = Source.objects.get(pk=source.pk).cursor

    clock.now += timedelta(minutes=30)  # the simulator is down now: its port is closed
    assert run_source(source, make_coordinator(url)) is False
    source.refresh_from_db()
    assert source.last_error_kind == "unreachable"
    assert source.cursor == first_cursor

    with running_simulator(simulator) as url:
        clock.now += timedelta(minutes=30)  # 10:00 WIB, back up on another port
        assert run_source(source, make_coordinator(url)) is True
        clock.now += timedelta(seconds=1)  # a run right after: nothing new, nothing counted twice
        assert run_source(source, make_coordinator(url)) is True
        source.refresh_from_db()
        assert source.records_last_run == 0
        assert source.consecutive_failures == 0
        served, stored = served_today(url, clock.now), stored_today()
    assert stored["visits"] == served["visits"]
    assert stored["diagnoses"] == served["diagnoses"]
    assert stored["drugs"] == served["drugs"]


def test_many_small_runs_count_the_same_as_one_run(source, simulator_url, make_coordinator, clock):
    end = clock.now
    clock.now = end - timedelta(hours=2)
    while clock.now < end:
        assert run_source(source, make_coordinator(simulator_url, page_size=37)) is True
        clock.now += timedelta(minutes=17, seconds=13)
    clock.now = end
    assert run_source(source, make_coordinator(simulator_url)) is True
    served, stored = served_today(simulator_url, end), stored_today()
    assert stored == {k: served[k] for k in ("visits", "diagnoses", "drugs")}


def test_cursor_keeps_no_more_than_the_overlap_window(source, simulator_url, make_coordinator, clock):
    run_source(source, make_coordinator(simulator_url, overlap_seconds=60))
    source.refresh_from_db()
    from datetime import datetime

    through = datetime.fromisoformat(source.cursor["through"])
    assert through <= clock.now
    for ids in source.cursor["recent"].values():
        for updated_us in ids.values():
            assert (through.timestamp() * 1e6) - updated_us <= 60e6 + 1


@pytest.mark.parametrize("wrong", [{"client_secret": "wrong"}, {"client_id": "someone-else"}])
def test_wrong_credentials_show_as_an_auth_error(source, clock, make_coordinator, wrong):
    from django.conf import settings

    from komando.connectors.epuskesmas.simulator import build_simulator
    from komando.sources.simulation import running_simulator

    app = build_simulator(
        settings.KOMANDO_CITY_DIR, now=clock, daily_volume=200, client_id="dinkes-tangerang", client_secret="s3cret"
    )
    with running_simulator(app) as url:
        assert run_source(source, make_coordinator(url, client_id="dinkes-tangerang", client_secret="s3cret"))
        before = snapshot()
        clock.now += timedelta(minutes=10)
        credentials = {"client_id": "dinkes-tangerang", "client_secret": "s3cret", **wrong}
        assert run_source(source, make_coordinator(url, **credentials)) is False
    source.refresh_from_db()
    assert source.last_error_kind == "auth"
    assert "Invalid client credentials" in source.last_error
    assert "s3cret" not in source.last_error and "wrong" not in source.last_error
    assert snapshot() == before


def test_only_24_hour_emergency_rooms_record_visits_at_night(source, simulator_url, make_coordinator):
    """Before opening hours only the UGD of 24-hour puskesmas record visits, as emergencies (EMER)."""
    reader = SimulatorReader(simulator_url)
    night = reader.search("Encounter", _lastUpdated=["ge2026-11-22T17:00:00+00:00", "lt2026-11-23T00:30:00+00:00"])
    assert night, "a city of two million has emergency visits between midnight and 07:30"
    assert {e["class"]["code"] for e in night} == {"EMER"}
    assert {e["location"][0]["location"]["display"].split(",")[0] for e in night} == {"UGD 24 Jam"}
