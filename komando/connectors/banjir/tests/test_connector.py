"""Flood early-warning connector against its simulator over real HTTP."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from komando.assets.models import Asset
from komando.connectors.banjir.coordinator import Coordinator
from komando.connectors.banjir.simulator import build_simulator
from komando.fieldops.actions import do_record_gauge_level
from komando.fieldops.flood import siaga_status
from komando.fieldops.selectors import flood_panel, flood_tile, gauge_layer, pump_layer, sluice_gate_layer
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response, running_simulator
from komando.sources.testing import (
    Clock,
    corrupting,
    published_per_run,
    refused_and_nothing_stored,
    truncated_slow_and_unreachable,
)

WIB = ZoneInfo("Asia/Jakarta")
GATE_STATUS = {"terbuka": "open", "tertutup": "closed", "perbaikan": "maintenance"}
PUMP_STATUS = {"beroperasi": "running", "siaga": "standby", "rusak": "broken"}


def today() -> date:
    return datetime.now(WIB).date()


@pytest.fixture
def clock():
    return Clock(datetime.combine(today(), time(9, 3), tzinfo=WIB))


@pytest.fixture
def simulator(clock):
    return build_simulator(settings.KOMANDO_CITY_DIR, clock=clock)


@pytest.fixture
def banjir(reference_data, simulator):
    with running_simulator(simulator) as url:
        yield Source.objects.get(slug="banjir"), url


def coordinator(url, **options):
    return Coordinator(manifests()["banjir"], Coordinator.config_class(base_url=url, **options))


def stored_state():
    return sorted(
        (a.kind, a.source_ref, a.name, a.online, a.lat, a.lon, a.region.code if a.region else None, sorted(a.attributes.items()))
        for a in Asset.objects.select_related("region")
    )


def rainy_afternoon(model) -> datetime:
    """16:00 WIB of the first day from today on which some gauge passes siaga 3."""
    for n in range(60):
        moment = datetime.combine(today() + timedelta(days=n), time(16, 0), tzinfo=WIB)
        if any(siaga_status(g, model.level(gauge_id, moment)) != "normal" for gauge_id, g in model.gauges.items()):
            return moment
    raise AssertionError("no rainy afternoon in 60 days")


@pytest.mark.django_db
def test_run_stores_gauges_levels_gates_and_pumps_as_served(banjir, simulator):
    source, url = banjir
    assert run_source(source, coordinator(url)) is True
    model = simulator.model
    observed = model.last_observation(model.now())

    gauges = {a.source_ref: a for a in Asset.objects.filter(source=source, kind="gauge").select_related("region")}
    assert len(gauges) == len(model.gauges) == 8
    for gauge_id, spec in model.gauges.items():
        asset = gauges[gauge_id]
        assert (asset.name, asset.lat, asset.lon, asset.region.code) == (
            spec["name"],
            spec["location"]["lat"],
            spec["location"]["lon"],
            spec["kecamatan_code"],
        )
        assert {key: asset.attributes[key] for key in ("river", "normal_m", "siaga_3_m", "siaga_2_m", "siaga_1_m")} == {
            "river": spec["river"],
            "normal_m": spec["normal_m"],
            "siaga_3_m": spec["siaga_3_m"],
            "siaga_2_m": spec["siaga_2_m"],
            "siaga_1_m": spec["siaga_1_m"],
        }
        assert asset.attributes["level_m"] == model.level(gauge_id, observed)
        assert datetime.fromisoformat(asset.attributes["level_observed_at"]) == observed

    gates = {a.source_ref: a for a in Asset.objects.filter(source=source, kind="sluice_gate")}
    assert len(gates) == 6
    for row in model.gate_rows():
        assert (gates[row["id"]].attributes["opening_pct"], gates[row["id"]].attributes["status"]) == (
            row["bukaan_persen"],
            GATE_STATUS[row["status"]],
        )
    assert gates["PA-01"].name == "Pintu Air 10 Sangiang"
    pumps = {a.source_ref: a for a in Asset.objects.filter(source=source, kind="pump")}
    assert len(pumps) == 8
    for row in model.pump_rows():
        assert pumps[row["id"]].attributes == {
            "capacity_m3s": row["kapasitas_m3_per_detik"],
            "status": PUMP_STATUS[row["status"]],
        }
    source.refresh_from_db()
    assert source.data_as_of == observed
    assert source.records_last_run == 8


@pytest.mark.django_db
def test_rerun_stores_everything_once(banjir):
    source, url = banjir
    run_source(source, coordinator(url))
    first = stored_state()
    assert run_source(source, coordinator(url)) is True
    assert stored_state() == first
    assert Asset.objects.count() == 8 + 6 + 8


@pytest.mark.django_db
def test_newest_level_wins_between_the_connector_and_the_device_ingest(banjir, simulator, clock):
    source, url = banjir
    run_source(source, coordinator(url))
    model = simulator.model
    gauge = Asset.objects.get(source=source, source_ref="pos-pa10")
    observed = model.last_observation(model.now())

    # The device ingest reports a newer level (in WIB): the connector's older one must not replace it.
    newer = (observed + timedelta(minutes=4)).astimezone(WIB)
    assert do_record_gauge_level(gauge, 3.61, newer) is not None
    assert run_source(source, coordinator(url)) is True
    gauge.refresh_from_db()
    assert gauge.attributes["level_m"] == 3.61
    assert datetime.fromisoformat(gauge.attributes["level_observed_at"]) == newer

    # An older reading from the ingest is ignored.
    assert do_record_gauge_level(gauge, 1.0, observed - timedelta(minutes=30)) is None
    gauge.refresh_from_db()
    assert gauge.attributes["level_m"] == 3.61

    # Ten minutes later the application has a newer observation: it wins.
    clock.advance(minutes=10)
    assert run_source(source, coordinator(url)) is True
    gauge.refresh_from_db()
    later = model.last_observation(model.now())
    assert later > newer
    assert gauge.attributes["level_m"] == model.level("pos-pa10", later)
    assert datetime.fromisoformat(gauge.attributes["level_observed_at"]) == later


@pytest.mark.django_db
def test_registry_sync_keeps_attributes_it_does_not_own(banjir):
    source, url = banjir
    run_source(source, coordinator(url))
    gauge = Asset.objects.get(source=source, source_ref="pos-sabi")
    gauge.attributes = gauge.attributes | {"battery": 87}
    gauge.save()
    run_source(source, coordinator(url))
    gauge.refresh_from_db()
    assert gauge.attributes["battery"] == 87 and gauge.attributes["siaga_3_m"] == 1.5


@pytest.mark.django_db
def test_flood_tile_on_a_rainy_afternoon(banjir, simulator, clock):
    source, url = banjir
    model = simulator.model
    clock.now = rainy_afternoon(model).timestamp()
    run_source(source, coordinator(url))
    observed = model.last_observation(model.now())
    levels = {gauge_id: model.level(gauge_id, observed) for gauge_id in model.gauges}
    statuses = {gauge_id: siaga_status(model.gauges[gauge_id], level) for gauge_id, level in levels.items()}
    at_siaga = [gauge_id for gauge_id, status in statuses.items() if status != "normal"]
    pumps = [row["status"] for row in model.pump_rows()]
    gates = [row["status"] for row in model.gate_rows()]

    tile = flood_tile()
    assert (tile.key, tile.source, tile.audience) == ("flood", "banjir", "public")
    gauges_figure, highest, pumps_figure, gates_figure = tile.figures
    assert gauges_figure.value == len(at_siaga) > 0
    assert gauges_figure.tone in ("warn", "bad")
    worst = max(
        model.gauges,
        key=lambda g: (
            ["normal", "siaga_3", "siaga_2", "siaga_1"].index(statuses[g]),
            (levels[g]) / model.gauges[g]["siaga_3_m"],
        ),
    )
    assert highest.value == levels[worst] and highest.unit == "m"
    assert model.gauges[worst]["name"] in highest.label
    assert highest.tone == {"siaga_3": "warn", "siaga_2": "bad", "siaga_1": "bad"}[statuses[worst]]
    assert pumps_figure.value == f"{pumps.count('beroperasi')} / {pumps.count('rusak')}"
    assert gates_figure.value == f"{gates.count('terbuka')}/6"
    assert len(tile.rows) == 6
    assert tile.rows[0].label == model.gauges[worst]["name"]
    assert tile.data_as_of == observed
    assert tile.note
    assert flood_panel()["summary"]["gauges_at_siaga"] == len(at_siaga)


@pytest.mark.django_db
def test_map_layers_are_geojson_lon_lat_with_status(banjir, simulator):
    source, url = banjir
    run_source(source, coordinator(url))
    model = simulator.model
    gauges = gauge_layer()
    assert gauges["type"] == "FeatureCollection" and len(gauges["features"]) == 8
    for feature in gauges["features"]:
        props = feature["properties"]
        spec = model.gauges[props["source_ref"]]
        assert feature["geometry"] == {"type": "Point", "coordinates": [spec["location"]["lon"], spec["location"]["lat"]]}
        assert props["status"] == siaga_status(spec, props["level_m"])
        assert {"id", "name", "kind", "status", "tone", "source", "observed_at"} <= set(props)
        assert props["source"] == "banjir" and props["kind"] == "gauge"
    gates = {f["properties"]["source_ref"]: f["properties"] for f in sluice_gate_layer()["features"]}
    assert {ref: props["status"] for ref, props in gates.items()} == {
        row["id"]: GATE_STATUS[row["status"]] for row in model.gate_rows()
    }
    pumps = pump_layer()["features"]
    assert len(pumps) == 8 and all(f["geometry"]["coordinates"][0] > 106 for f in pumps)


def _unknown_gauge(body):
    body["data"][0]["id_pos"] = "pos-99"


def _level_as_text(body):
    body["data"][0]["level_m"] = "2.1"


def _naive_time(body):
    body["data"][0]["observed_at"] = body["data"][0]["observed_at"][:19]


def _missing_level(body):
    del body["data"][4]["level_m"]


def _siaga_out_of_order(body):
    body["data"][0]["siaga_2_m"] = body["data"][0]["siaga_3_m"] - 0.1


def _unknown_region(body):
    body["data"][0]["kode_kecamatan"] = "36.71.99"


def _gate_status_unknown(body):
    body["data"][0]["status"] = "macet"


def _opening_over_100(body):
    body["data"][0]["bukaan_persen"] = 130


def _pump_capacity_text(body):
    body["data"][0]["kapasitas_m3_per_detik"] = "2 m3/s"


def _pump_unknown_kelurahan(body):
    body["data"][0]["kode_kelurahan"] = "36.71.08.1099"


def _duplicate_pump(body):
    body["data"].append(dict(body["data"][0]))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path_part", "mutate", "message"),
    [
        ("/api/tma", _unknown_gauge, "'pos-99', which is not in the registry"),
        ("/api/tma", _level_as_text, "data.0.level_m"),
        ("/api/tma", _naive_time, "timezone"),
        ("/api/tma", _missing_level, "data.4.level_m: Field required"),
        ("/api/pos", _siaga_out_of_order, "siaga levels must rise"),
        ("/api/pos", _unknown_region, "unknown region code '36.71.99'"),
        ("/api/pintu-air", _gate_status_unknown, "data.0.status"),
        ("/api/pintu-air", _opening_over_100, "data.0.bukaan_persen"),
        ("/api/pompa", _pump_capacity_text, "data.0.kapasitas_m3_per_detik"),
        ("/api/pompa", _pump_unknown_kelurahan, "unknown region code '36.71.08.1099'"),
        ("/api/pompa", _duplicate_pump, "lists pump RP-01 twice"),
    ],
)
def test_bad_data_is_refused_and_keeps_what_is_stored(banjir, clock, simulator, path_part, mutate, message):
    source, url = banjir

    def breaks():
        clock.advance(hours=5)
        simulator.fault = corrupting(simulator, path_part, mutate)

    refused_and_nothing_stored(
        source, lambda: run_source(source, coordinator(url)), stored_state, kind="invalid", message=message, breaks=breaks
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fault", "kind", "message"),
    [
        (lambda request: Response(200, b'{"data": [{"id": "pos-pa10"', "application/json"), "invalid", "malformed JSON"),
        (lambda request: Response.json({"error": "internal"}, status=500), "server", "HTTP 500"),
        (lambda request: Response.json({"error": "login"}, status=401), "auth", "refused access (HTTP 401)"),
        (
            lambda request: Response.json({"error": "x"}, status=503) if "pompa" in request.path else None,
            "server",
            "HTTP 503 from",
        ),
        (lambda request: Response.json({"data": None}), "invalid", "Banjir gauge registry: data"),
    ],
)
def test_broken_responses_are_refused_and_keep_what_is_stored(banjir, simulator, clock, fault, kind, message):
    source, url = banjir

    def breaks():
        clock.advance(hours=5)
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
def test_truncated_json_timeout_and_unreachable_keep_what_is_stored(banjir, simulator, clock):
    source, url = banjir
    truncated_slow_and_unreachable(
        source,
        lambda url=url, **options: run_source(source, coordinator(url, **options)),
        stored_state,
        simulator,
        truncate="/api/tma",
        slow_path="/api/pintu-air",
        application="Banjir",
        between=lambda: clock.advance(hours=5),
    )


@pytest.mark.django_db
def test_new_levels_publish_the_flood_tile_once(banjir, clock, django_capture_on_commit_callbacks):
    source, url = banjir
    first, unchanged, next_reading = published_per_run(
        django_capture_on_commit_callbacks, lambda: run_source(source, coordinator(url)), lambda: clock.advance(minutes=10)
    )
    assert (first, unchanged, next_reading) == (2, 1, 2)


def test_levels_change_slowly_and_peak_in_the_afternoon(simulator):
    model = simulator.model
    moment = rainy_afternoon(model)
    night = moment.replace(hour=3)
    assert any(model.level(g, moment) > model.level(g, night) + 0.5 for g in model.gauges)
    for gauge_id in model.gauges:
        steps = [model.level(gauge_id, moment + timedelta(minutes=10 * i)) for i in range(12)]
        assert max(abs(a - b) for a, b in zip(steps, steps[1:], strict=False)) < 0.25
    assert model.last_observation(moment.astimezone(UTC) + timedelta(minutes=7)) == moment
