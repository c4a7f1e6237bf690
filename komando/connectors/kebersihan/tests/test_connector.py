"""Kebersihan connector against its simulator over real HTTP."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from komando.assets.models import Asset
from komando.connectors.kebersihan.coordinator import Coordinator
from komando.connectors.kebersihan.simulator import build_simulator
from komando.fieldops.models import WasteRouteDay
from komando.fieldops.selectors import tps_layer, waste_panel, waste_tile
from komando.regions.models import Region
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response, running_simulator
from komando.sources.testing import Clock, closed_port, corrupting, refused_and_nothing_stored, slow, truncating

WIB = ZoneInfo("Asia/Jakarta")
STATUS = {"belum": "scheduled", "berjalan": "in_progress", "selesai": "done", "terlewat": "missed"}


def today() -> date:
    return datetime.now(WIB).date()


@pytest.fixture
def clock():
    return Clock(datetime.combine(today(), time(8, 20), tzinfo=WIB))  # mid-morning: routes in every state


@pytest.fixture
def simulator(clock):
    return build_simulator(settings.KOMANDO_CITY_DIR, clock=clock)


@pytest.fixture
def kebersihan(reference_data, simulator):
    with running_simulator(simulator) as url:
        yield Source.objects.get(slug="kebersihan"), url


def coordinator(url, **options):
    return Coordinator(manifests()["kebersihan"], Coordinator.config_class(base_url=url, **options))


def stored_state():
    return (
        sorted(
            (
                a.kind,
                a.source_ref,
                a.name,
                a.online,
                a.lat,
                a.lon,
                a.region.code if a.region else None,
                sorted(a.attributes.items()),
            )
            for a in Asset.objects.select_related("region")
        ),
        sorted(
            WasteRouteDay.objects.values_list(
                "route_ref",
                "date",
                "status",
                "tps_served",
                "tonnage_t",
                "truck__source_ref",
                "kecamatan__code",
                "started_at",
                "finished_at",
            )
        ),
    )


def expected_routes(model, day):
    return {row["id"]: row for row in model.route_rows(day)}


@pytest.mark.django_db
def test_run_stores_trucks_tps_and_todays_routes_as_served(kebersihan, simulator):
    source, url = kebersihan
    assert run_source(source, coordinator(url)) is True
    model = simulator.model

    trucks = Asset.objects.filter(source=source, kind="truck")
    assert trucks.count() == len(model.trucks) == 12
    first = trucks.get(source_ref="dlh-truk-01")
    assert first.name == "Truk Sampah 01 (B 9352 CYT)"
    assert {key: first.attributes[key] for key in ("plate", "route", "capacity_m3", "in_repair")} == {
        "plate": "B 9352 CYT",
        "route": "Rute Tangerang A",
        "capacity_m3": 10,
        "in_repair": False,
    }
    assert first.region.code == "36.71.01"
    assert (first.lat, first.lon) == (None, None)  # positions come from the device ingest

    tps = {a.source_ref: a for a in Asset.objects.filter(source=source, kind="tps").select_related("region")}
    assert len(tps) == len(model.tps) == 30
    now = model.now()
    for tps_id, row in model.tps.items():
        asset = tps[tps_id]
        fill = model.fill_pct(tps_id, now)
        emptied = model.last_emptied(tps_id, now)
        assert (asset.name, asset.lat, asset.lon, asset.region.code) == (
            row["nama"],
            row["lat"],
            row["lon"],
            row["kode_kelurahan"],
        )
        assert asset.attributes["fill_pct"] == fill
        assert asset.attributes["full"] is (fill >= 95)
        assert asset.attributes["last_emptied_at"] == (emptied.isoformat() if emptied else None)
        assert asset.attributes["capacity_m3"] == row["kapasitas_m3"]

    truth = expected_routes(model, today())
    stored = {r.route_ref: r for r in WasteRouteDay.objects.filter(source=source).select_related("truck", "kecamatan")}
    assert len(stored) == len(truth) == 12
    assert {r.date for r in stored.values()} == {today()}
    for route_id, row in truth.items():
        route = stored[route_id]
        assert (route.status, route.tps_served, route.tps_total, route.tonnage_t) == (
            STATUS[row["status"]],
            row["tps_terlayani"],
            row["jumlah_tps"],
            row["tonase_ton"],
        )
        assert route.truck.source_ref == row["id_truk"]
        assert route.kecamatan.code == row["kode_kecamatan"]
    # Mid-morning, routes are in more than one state.
    assert len({r.status for r in stored.values()}) >= 2
    source.refresh_from_db()
    assert source.cursor == {"routes_day": today().isoformat()}
    assert source.records_last_run == 12 + 30


@pytest.mark.django_db
def test_rerun_stores_everything_once(kebersihan):
    source, url = kebersihan
    run_source(source, coordinator(url))
    first = stored_state()
    assert run_source(source, coordinator(url)) is True
    source.refresh_from_db()
    source.cursor = {}
    source.save()
    assert run_source(source, coordinator(url)) is True
    assert stored_state() == first


@pytest.mark.django_db
def test_routes_are_updated_through_the_day_one_row_per_route_and_day(kebersihan, simulator, clock):
    source, url = kebersihan
    run_source(source, coordinator(url))
    clock.advance(hours=5)  # 13:20: every route is done or missed
    assert run_source(source, coordinator(url)) is True
    truth = expected_routes(simulator.model, today())
    stored = dict(WasteRouteDay.objects.filter(source=source, date=today()).values_list("route_ref", "status"))
    assert stored == {route_id: STATUS[row["status"]] for route_id, row in truth.items()}
    assert set(stored.values()) <= {"done", "missed"}
    assert WasteRouteDay.objects.count() == 12


@pytest.mark.django_db
def test_an_outage_over_midnight_keeps_the_final_state_of_the_days_missed(kebersihan, simulator, clock):
    source, url = kebersihan
    run_source(source, coordinator(url))  # day 0, 08:20
    day0 = today()
    clock.advance(days=2)  # the connector was down for two days
    assert run_source(source, coordinator(url)) is True

    model = simulator.model
    for offset in (0, 1, 2):
        day = day0 + timedelta(days=offset)
        truth = expected_routes(model, day)
        stored = dict(WasteRouteDay.objects.filter(source=source, date=day).values_list("route_ref", "status"))
        assert stored == {route_id: STATUS[row["status"]] for route_id, row in truth.items()}, day
    assert set(WasteRouteDay.objects.filter(date=day0 + timedelta(days=1)).values_list("status", flat=True)) <= {"done", "missed"}
    source.refresh_from_db()
    assert source.cursor == {"routes_day": (day0 + timedelta(days=2)).isoformat()}


@pytest.mark.django_db
def test_registry_sync_keeps_what_the_device_ingest_wrote(kebersihan):
    source, url = kebersihan
    run_source(source, coordinator(url))
    truck = Asset.objects.get(source=source, source_ref="dlh-truk-03")
    truck.lat, truck.lon = -6.16, 106.67
    truck.attributes = truck.attributes | {"speed_kmh": 23.5, "position_observed_at": "2026-11-28T01:00:00+00:00"}
    truck.save()

    assert run_source(source, coordinator(url)) is True
    truck.refresh_from_db()
    assert (truck.lat, truck.lon) == (-6.16, 106.67)
    assert truck.attributes["speed_kmh"] == 23.5
    assert truck.attributes["plate"] == "B 9925 CYT"


def _drop_lat(body):
    del body["data"][2]["lat"]


def _unknown_region(body):
    body["data"][0]["kode_kecamatan"] = "36.71.14"
    body["data"][0]["kode_kelurahan"] = "36.71.14.1001"


def _fill_as_text(body):
    body["data"][0]["terisi_persen"] = "penuh"


def _full_as_number(body):
    body["data"][0]["penuh"] = 1


def _naive_time(body):
    for row in body["data"]:
        if row["terakhir_diangkut"]:
            row["terakhir_diangkut"] = row["terakhir_diangkut"][:19]


def _duplicate_tps(body):
    body["data"].append(dict(body["data"][0]))


def _unknown_route_status(body):
    body["data"][0]["status"] = "ditunda"


def _unknown_truck(body):
    body["data"][0]["id_truk"] = "dlh-truk-99"


def _served_more_than_total(body):
    body["data"][0]["tps_terlayani"] = body["data"][0]["jumlah_tps"] + 1


def _missing_status(body):
    del body["data"][1]["status"]


def _tonnage_as_text(body):
    body["data"][0]["tonase_ton"] = "3,5"


def _capacity_negative(body):
    body["data"][0]["kapasitas_m3"] = -4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path_part", "mutate", "message"),
    [
        ("/api/tps", _drop_lat, "Kebersihan TPS registry: data.2.lat: Field required"),
        ("/api/tps", _unknown_region, "unknown region code '36.71.14.1001'"),
        ("/api/tps", _fill_as_text, "data.0.terisi_persen"),
        ("/api/tps", _full_as_number, "data.0.penuh"),
        ("/api/tps", _naive_time, "timezone"),
        ("/api/tps", _duplicate_tps, "lists TPS TPS-001 twice"),
        ("/api/rute", _unknown_route_status, "data.0.status"),
        ("/api/rute", _unknown_truck, "'dlh-truk-99', which is not in the roster"),
        ("/api/rute", _served_more_than_total, "served more TPS"),
        ("/api/rute", _missing_status, "data.1.status: Field required"),
        ("/api/rute", _tonnage_as_text, "data.0.tonase_ton"),
        ("/api/armada", _capacity_negative, "data.0.kapasitas_m3"),
        ("/api/armada", _unknown_region, "unknown region code '36.71.14'"),
    ],
)
def test_bad_data_is_refused_and_keeps_what_is_stored(kebersihan, clock, simulator, path_part, mutate, message):
    source, url = kebersihan

    def breaks():
        clock.advance(minutes=45)
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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fault", "kind", "message"),
    [
        (lambda request: Response(200, b'{"data": [{"id": "dlh-truk-01",', "application/json"), "invalid", "malformed JSON"),
        (lambda request: Response.json({"error": "internal"}, status=500), "server", "HTTP 500"),
        (lambda request: Response.json({"error": "login"}, status=401), "auth", "refused access (HTTP 401)"),
        (
            lambda request: Response.json({"error": "bad gateway"}, status=502) if "rute" in request.path else None,
            "server",
            "HTTP 502 from",
        ),
        (lambda request: Response.json({"data": "kosong"}), "invalid", "Kebersihan truck roster: data"),
        (lambda request: Response.json([1, 2, 3]), "invalid", "Kebersihan truck roster"),
    ],
)
def test_broken_responses_are_refused_and_keep_what_is_stored(kebersihan, simulator, clock, fault, kind, message):
    source, url = kebersihan

    def breaks():
        clock.advance(minutes=45)
        simulator.fault = fault

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
def test_truncated_json_is_refused(kebersihan, simulator, clock):
    source, url = kebersihan
    run_source(source, coordinator(url))
    before = stored_state()
    clock.advance(minutes=45)
    simulator.fault = truncating(simulator, "/api/tps")
    assert run_source(source, coordinator(url)) is False
    source.refresh_from_db()
    assert source.last_error_kind == "invalid" and "malformed JSON" in source.last_error
    assert stored_state() == before


@pytest.mark.django_db
def test_timeout_and_unreachable_are_reported_and_keep_what_is_stored(kebersihan, simulator, clock):
    source, url = kebersihan
    run_source(source, coordinator(url))
    before = stored_state()
    clock.advance(minutes=45)

    simulator.fault = slow("/api/rute", 2)
    assert run_source(source, coordinator(url, timeout_seconds=0.5)) is False
    source.refresh_from_db()
    assert source.last_error_kind == "unreachable"
    assert "did not answer within 0.5 s" in source.last_error

    assert run_source(source, coordinator(f"http://127.0.0.1:{closed_port()}", timeout_seconds=2)) is False
    source.refresh_from_db()
    assert source.last_error_kind == "unreachable" and "Kebersihan is unreachable" in source.last_error
    assert stored_state() == before


@pytest.mark.django_db
def test_waste_tile_counts_routes_and_full_tps(kebersihan, simulator, clock):
    source, url = kebersihan
    model = simulator.model
    # The first day (from today on) on which a route is missed: at 10:20 its TPS are still waiting.
    day = next(
        today() + timedelta(days=n)
        for n in range(60)
        if any(model.missed(route_id, today() + timedelta(days=n)) for route_id in model.routes)
    )
    clock.now = datetime.combine(day, time(10, 20), tzinfo=WIB).timestamp()
    run_source(source, coordinator(url))
    truth = model.route_rows(day)
    WasteRouteDay.objects.update(date=today())  # the tile is about the real today

    tile = waste_tile()
    done = sum(1 for row in truth if row["status"] == "selesai")
    missed = sum(1 for row in truth if row["status"] == "terlewat")
    full = sum(1 for row in model.tps_rows() if row["penuh"])
    assert missed > 0
    routes_done, missed_routes, full_tps, collected = tile.figures
    assert routes_done.value == f"{done}/12"
    assert (missed_routes.value, missed_routes.tone) == (missed, "bad")
    assert full_tps.value == full
    assert collected.value == round(sum(row["tonase_ton"] for row in truth), 1) and collected.unit == "t"
    assert tile.audience == "public" and tile.key == "waste" and tile.source == "kebersihan"
    # Rows: the kecamatan that have a full TPS or a missed route, missed first.
    expected = {row["kode_kecamatan"] for row in model.tps_rows() if row["penuh"]}
    expected |= {row["kode_kecamatan"] for row in truth if row["status"] == "terlewat"}
    names = set(Region.objects.filter(code__in=expected).values_list("name", flat=True))
    assert {row.label for row in tile.rows} <= names
    assert len(tile.rows) == min(6, len(names))
    assert tile.rows[0].tone == "bad"
    panel = waste_panel()
    assert (panel["summary"]["routes_done"], panel["summary"]["routes_missed"], panel["summary"]["tps_full"]) == (
        done,
        missed,
        full,
    )


@pytest.mark.django_db
def test_tps_layer_is_geojson_with_fill_status(kebersihan):
    source, url = kebersihan
    run_source(source, coordinator(url))
    layer = tps_layer()
    assert layer["type"] == "FeatureCollection"
    assert len(layer["features"]) == 30
    for feature in layer["features"]:
        asset = Asset.objects.get(pk=feature["properties"]["id"])
        assert feature["geometry"]["coordinates"] == [asset.lon, asset.lat]
        assert feature["properties"]["kind"] == "tps" and feature["properties"]["source"] == "kebersihan"
        expected = "full" if asset.attributes["full"] else ("almost_full" if asset.attributes["fill_pct"] >= 75 else "normal")
        assert feature["properties"]["status"] == expected
        assert feature["properties"]["fill_pct"] == asset.attributes["fill_pct"]


@pytest.mark.django_db
def test_changes_publish_the_waste_tile_once(kebersihan, clock, django_capture_on_commit_callbacks):
    source, url = kebersihan
    with django_capture_on_commit_callbacks() as first:
        run_source(source, coordinator(url))
    with django_capture_on_commit_callbacks() as unchanged:
        run_source(source, coordinator(url))
    assert len(first) == 2  # tile.waste + source.health
    assert len(unchanged) == 1  # source.health only
