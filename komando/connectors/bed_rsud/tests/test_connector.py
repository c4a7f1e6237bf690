"""Bed availability connector against its simulator over real HTTP."""

import time
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from komando.assets.models import Asset
from komando.connectors.bed_rsud.coordinator import Coordinator
from komando.connectors.bed_rsud.simulator import build_simulator
from komando.services.models import BedSnapshot
from komando.services.selectors import beds_summary, beds_tile, hospitals_layer, latest_beds
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response, running_simulator
from komando.sources.testing import Clock, closed_port, corrupting, published_per_run, refused_and_nothing_stored

WIB = ZoneInfo("Asia/Jakarta")
AFTERNOON = datetime(2026, 11, 25, 14, 31, tzinfo=WIB)


@pytest.fixture
def clock():
    return Clock(AFTERNOON)


@pytest.fixture
def simulator(clock):
    return build_simulator(settings.KOMANDO_CITY_DIR, clock=clock)


@pytest.fixture
def beds(reference_data, simulator):
    with running_simulator(simulator) as url:
        yield Source.objects.get(slug="bed-rsud"), url


def coordinator(url, **options):
    return Coordinator(manifests()["bed-rsud"], Coordinator.config_class(base_url=url, **options))


def stored_state():
    return (
        sorted(Asset.objects.filter(kind="hospital").values_list("source_ref", "name", "online", "lat", "lon", "region__code")),
        sorted(BedSnapshot.objects.values_list("hospital__source_ref", "ward", "observed_at", "total", "occupied", "free")),
    )


def truth(simulator):
    """(hospital, ward) → (observed_at, total, occupied, free), from the model (not through the API)."""
    model = simulator.model
    now = model.now()
    rows = {}
    for code, hospital in model.hospitals.items():
        at = model.last_update(code, now)
        for ward, (capacity, _base) in hospital["ruang"].items():
            occupied = model.occupied(code, ward, at)
            rows[(code, ward)] = (at, capacity, occupied, capacity - occupied)
    return rows


def latest_stored():
    return {(s.hospital.source_ref, s.ward): (s.observed_at, s.total, s.occupied, s.free) for s in latest_beds()}


@pytest.mark.django_db
def test_run_registers_hospitals_and_stores_every_ward(beds, simulator):
    source, url = beds
    assert run_source(source, coordinator(url)) is True

    hospitals = Asset.objects.filter(source=source, kind="hospital")
    assert hospitals.count() == 6
    rsud = hospitals.get(source_ref="3671015")
    assert (rsud.name, rsud.region.code, rsud.lat, rsud.lon) == ("RSUD Kota Tangerang", "36.71.01.1006", -6.18672, 106.64012)
    assert rsud.attributes == {"class": "B", "address": "Jl. Pulau Putri Raya, Kelapa Indah"}
    expected = truth(simulator)
    assert len(expected) == 67
    assert latest_stored() == expected
    assert BedSnapshot.objects.count() == 67
    source.refresh_from_db()
    assert datetime.fromisoformat(source.cursor["last_observed_at"]) == max(row[0] for row in expected.values())


@pytest.mark.django_db
def test_same_reports_are_stored_once_and_new_reports_add_history(beds, simulator, clock):
    source, url = beds
    run_source(source, coordinator(url))
    first = stored_state()
    assert run_source(source, coordinator(url)) is True
    assert stored_state() == first

    before = truth(simulator)
    clock.advance(minutes=5)
    assert run_source(source, coordinator(url)) is True
    expected = truth(simulator)
    assert latest_stored() == expected
    updated = [key for key in expected if expected[key][0] != before[key][0]]
    assert len(updated) >= 50
    assert BedSnapshot.objects.count() == 67 + len(updated)
    # every ward keeps its history: one row per report
    rsud_icu = BedSnapshot.objects.filter(hospital__source_ref="3671015", ward="icu").order_by("observed_at")
    assert rsud_icu.count() == 2
    assert rsud_icu[1].observed_at > rsud_icu[0].observed_at


@pytest.mark.django_db
def test_history_over_an_hour_is_one_row_per_update(beds, simulator, clock):
    source, url = beds
    reports = defaultdict(set)
    for _ in range(12):
        assert run_source(source, coordinator(url))
        for key, row in truth(simulator).items():
            reports[key].add(row[0])
        clock.advance(minutes=5)
    assert BedSnapshot.objects.count() == sum(len(times) for times in reports.values())
    assert len(reports[("3671015", "igd")]) == 12


@pytest.mark.django_db
def test_summary_tile_and_map_layer_show_the_latest_free_beds(beds, simulator):
    source, url = beds
    run_source(source, coordinator(url))
    expected = truth(simulator)
    free = defaultdict(int)
    total = defaultdict(int)
    for (_code, ward), (_at, capacity, _occupied, empty) in expected.items():
        free[ward] += empty
        total[ward] += capacity

    summary = beds_summary()
    assert summary["free_total"] == sum(free.values())
    assert summary["hospitals_reporting"] == 6
    assert {row["ward"]: (row["free"], row["total"]) for row in summary["by_ward"]} == {
        ward: (free[ward], total[ward]) for ward in free
    }

    tile = beds_tile()
    assert (tile.key, tile.source, tile.audience) == ("beds", "bed-rsud", "public")
    assert [f.value for f in tile.figures] == [sum(free.values()), free["icu"], free["igd"], 6]
    assert tile.rows[0].value == f"{free['igd']}/{total['igd']}"

    layer = hospitals_layer()
    assert layer["type"] == "FeatureCollection" and len(layer["features"]) == 6
    rsud = next(f for f in layer["features"] if f["properties"]["name"] == "RSUD Kota Tangerang")
    assert rsud["geometry"] == {"type": "Point", "coordinates": [106.64012, -6.18672]}
    assert rsud["properties"]["free"] == sum(row[3] for key, row in expected.items() if key[0] == "3671015")
    assert rsud["properties"]["free_icu"] == expected[("3671015", "icu")][3]
    assert {"id", "name", "kind", "status", "tone", "source", "observed_at"} <= set(rsud["properties"])
    assert rsud["properties"]["kind"] == "hospital" and rsud["properties"]["source"] == "bed-rsud"


@pytest.mark.django_db
def test_tile_tone_warns_when_few_icu_or_igd_beds_are_free(beds, simulator):
    source, url = beds
    for hospital in simulator.model.hospitals.values():
        hospital["ruang"]["icu"] = [hospital["ruang"]["icu"][0], 1.5]  # every ICU full
        if "igd" in hospital["ruang"] and hospital["kode_rs"] != "3671015":
            hospital["ruang"]["igd"] = [hospital["ruang"]["igd"][0], 1.5]
    simulator.model.hospitals["3671015"]["ruang"]["igd"] = [24, 0.6]
    run_source(source, coordinator(url))

    tile = beds_tile()
    icu, igd = tile.figures[1], tile.figures[2]
    assert (icu.value, icu.tone) == (0, "bad")
    assert igd.value > 4 and igd.tone in ("warn", "ok")
    assert tile.note
    layer = {f["properties"]["name"]: f["properties"] for f in hospitals_layer()["features"]}
    assert layer["RSUD Kota Tangerang"]["status"] == "limited"
    assert layer["RSUD Kota Tangerang"]["tone"] == "warn"


@pytest.mark.django_db
def test_tile_is_absent_before_any_report(reference_data):
    assert beds_tile() is None
    assert hospitals_layer() == {"type": "FeatureCollection", "features": []}


def _unknown_region(body):
    body["data"][0]["kode_kelurahan"] = "36.71.01.1999"


def _lat_as_text(body):
    body["data"][1]["lat"] = "-6.2"


def _missing_name(body):
    del body["data"][2]["nama"]


def _unknown_ward(body):
    body["data"][0]["kode_ruang"] = "kamar_mayat"


def _not_adding_up(body):
    body["data"][3]["kosong"] += 1


def _negative(body):
    body["data"][0]["terisi"] = -2
    body["data"][0]["kosong"] = body["data"][0]["kapasitas"] + 2


def _unknown_hospital(body):
    body["data"][0]["kode_rs"] = "9999999"


def _count_as_float(body):
    body["data"][0]["kapasitas"] = 12.5


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path_part", "mutate", "message"),
    [
        ("/rumah-sakit", _unknown_region, "unknown region code '36.71.01.1999'"),
        ("/rumah-sakit", _lat_as_text, "Bed availability hospitals: data.1.lat"),
        ("/rumah-sakit", _missing_name, "data.2.nama: Field required"),
        ("/tempat-tidur", _unknown_ward, "data.0.kode_ruang"),
        ("/tempat-tidur", _not_adding_up, "is not kapasitas"),
        ("/tempat-tidur", _negative, "data.0.terisi"),
        ("/tempat-tidur", _unknown_hospital, "hospital '9999999' is not in the hospital list"),
        ("/tempat-tidur", _count_as_float, "data.0.kapasitas"),
    ],
)
def test_bad_data_is_refused_and_keeps_what_is_stored(beds, simulator, clock, path_part, mutate, message):
    source, url = beds

    def breaks():
        clock.advance(minutes=10)
        simulator.fault = corrupting(simulator, path_part, mutate)

    refused_and_nothing_stored(
        source,
        lambda: run_source(source, coordinator(url)),
        stored_state,
        kind="invalid",
        message=message,
        breaks=breaks,
        keeps_cursor=True,
    )


def _slow(request):
    time.sleep(1.0)
    return None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fault", "options", "kind", "message"),
    [
        (
            lambda request: Response(200, b'{"status": "ok", "data": [{"kode_rs": "36', "application/json"),
            {},
            "invalid",
            "malformed JSON",
        ),
        (
            lambda request: Response.json({"error": "internal"}, status=500) if "tempat" in request.path else None,
            {},
            "server",
            "HTTP 500",
        ),
        (lambda request: Response.json({"pesan": "unauthorized"}, status=401), {}, "auth", "HTTP 401"),
        (lambda request: Response.json({"data": None}), {}, "invalid", "Bed availability hospitals: data"),
        (_slow, {"timeout_seconds": 0.3}, "unreachable", "did not answer within 0.3 s"),
    ],
)
def test_broken_responses_are_refused_and_keep_what_is_stored(beds, simulator, clock, fault, options, kind, message):
    source, url = beds

    def breaks():
        clock.advance(minutes=10)
        simulator.fault = fault
        return options

    refused_and_nothing_stored(
        source,
        lambda **options: run_source(source, coordinator(url, **options)),
        stored_state,
        kind=kind,
        message=message,
        breaks=breaks,
        first_must_succeed=False,
    )


@pytest.mark.django_db
def test_after_an_outage_the_next_run_brings_the_current_state(beds, simulator, clock):
    source, url = beds
    run_source(source, coordinator(url))
    port = closed_port()
    clock.advance(minutes=20)
    assert run_source(source, coordinator(f"http://127.0.0.1:{port}", timeout_seconds=2)) is False
    source.refresh_from_db()
    assert (source.last_error_kind, "Bed availability is unreachable" in source.last_error) == ("unreachable", True)

    clock.advance(minutes=20)
    assert run_source(source, coordinator(url)) is True
    assert latest_stored() == truth(simulator)


@pytest.mark.django_db
def test_new_reports_publish_the_beds_tile_once(beds, clock, django_capture_on_commit_callbacks):
    source, url = beds
    first, unchanged, later = published_per_run(
        django_capture_on_commit_callbacks, lambda: run_source(source, coordinator(url)), lambda: clock.advance(minutes=5)
    )
    assert (first, unchanged, later) == (2, 1, 2)
