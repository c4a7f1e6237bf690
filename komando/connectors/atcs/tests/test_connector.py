"""ATCS connector against its simulator over real HTTP."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from komando.assets.models import Asset
from komando.connectors.atcs.coordinator import Coordinator
from komando.connectors.atcs.simulator import build_simulator
from komando.metrics.models import TrafficObservation
from komando.metrics.selectors.traffic import traffic_panel
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response, running_simulator
from komando.sources.testing import Clock, closed_port, corrupting, published_per_run, refused_and_nothing_stored

WIB = ZoneInfo("Asia/Jakarta")
# A Wednesday in the morning rush hour.
RUSH_HOUR = datetime(2026, 11, 25, 8, 2, 30, tzinfo=WIB)


@pytest.fixture
def clock():
    return Clock(RUSH_HOUR)


@pytest.fixture
def simulator(clock):
    return build_simulator(settings.KOMANDO_CITY_DIR, clock=clock)


@pytest.fixture
def atcs(reference_data, simulator):
    with running_simulator(simulator) as url:
        yield Source.objects.get(slug="atcs"), url


def coordinator(url, **options):
    return Coordinator(manifests()["atcs"], Coordinator.config_class(base_url=url, **options))


def truth_since(simulator, since):
    return simulator.model.observations_since(since)


def stored_state():
    return (
        sorted(Asset.objects.values_list("source_ref", "name", "online", "lat", "lon", "region__code")),
        sorted(TrafficObservation.objects.values_list("camera__source_ref", "observed_at", "vehicles", "congestion")),
    )


@pytest.mark.django_db
def test_run_registers_every_camera_as_an_asset(atcs, simulator):
    source, url = atcs
    assert run_source(source, coordinator(url)) is True

    cameras = Asset.objects.filter(source=source, kind="camera")
    assert cameras.count() == len(simulator.model.cameras) == 16
    cikokol = cameras.get(source_ref="ATCS-01")
    assert cikokol.name == "Simpang Cikokol"
    assert cikokol.region.code == "36.71.01.1005"
    assert cikokol.attributes["snapshot_url"] == f"{url}/snapshot/ATCS-01.jpg"
    now = datetime.fromtimestamp(simulator.model.clock(), WIB)
    assert {c.source_ref: c.online for c in cameras} == {
        camera_id: simulator.model.is_online(camera_id, now) for camera_id in simulator.model.cameras
    }


@pytest.mark.django_db
def test_first_run_stores_the_last_hour_as_the_simulator_serves_it(atcs, simulator, clock):
    source, url = atcs
    assert run_source(source, coordinator(url)) is True

    expected = truth_since(simulator, RUSH_HOUR - timedelta(hours=1))
    assert TrafficObservation.objects.count() == len(expected) > 100
    sample = expected[-1]
    stored = TrafficObservation.objects.get(
        camera__source_ref=sample["id_kamera"], observed_at=datetime.fromisoformat(sample["waktu_selesai"])
    )
    assert (stored.vehicles, stored.average_speed_kmh, stored.congestion, stored.interval_minutes) == (
        sample["volume_kendaraan"],
        sample["kecepatan_rata_rata"],
        sample["tingkat_kemacetan"],
        5,
    )
    source.refresh_from_db()
    assert datetime.fromisoformat(source.cursor["last_observed_at"]) == datetime(2026, 11, 25, 8, 0, tzinfo=WIB)


@pytest.mark.django_db
def test_rerun_does_not_duplicate_observations(atcs):
    source, url = atcs
    run_source(source, coordinator(url))
    first = stored_state()

    assert run_source(source, coordinator(url)) is True
    source.refresh_from_db()
    source.cursor = {}  # even from scratch, what is stored stays stored once
    source.save()
    assert run_source(source, coordinator(url)) is True

    assert stored_state() == first


@pytest.mark.django_db
def test_run_resumes_from_the_cursor(atcs, simulator, clock):
    source, url = atcs
    run_source(source, coordinator(url))
    source.refresh_from_db()
    cursor = source.cursor["last_observed_at"]
    asked = []

    def record(request):
        if request.path.startswith("/api/traffic"):
            asked.append(request.arg("since"))
        return None

    simulator.fault = record
    clock.advance(minutes=15)
    before = TrafficObservation.objects.count()
    assert run_source(source, coordinator(url)) is True

    assert asked == [cursor]
    new_rows = truth_since(simulator, datetime.fromisoformat(cursor))
    assert len(new_rows) > 0
    assert {row["waktu_selesai"][11:16] for row in new_rows} == {"08:05", "08:10", "08:15"}
    assert TrafficObservation.objects.count() == before + len(new_rows)
    source.refresh_from_db()
    assert datetime.fromisoformat(source.cursor["last_observed_at"]) == datetime(2026, 11, 25, 8, 15, tzinfo=WIB)
    assert source.records_last_run == len(new_rows)


@pytest.mark.django_db
def test_panel_shows_latest_interval_per_camera_with_proxy_snapshot_url(atcs, simulator):
    source, url = atcs
    run_source(source, coordinator(url))

    panel = traffic_panel()
    assert panel["source"] == "atcs"
    assert datetime.fromisoformat(panel["observed_at"]) == datetime(2026, 11, 25, 8, 0, tzinfo=WIB)
    assert len(panel["cameras"]) == 16
    expected_summary = {"lancar": 0, "ramai": 0, "padat": 0, "macet": 0, "offline": 0}
    for camera in panel["cameras"]:
        expected_summary["offline" if not camera["online"] else camera["congestion"]] += 1
    assert panel["summary"] == expected_summary
    for camera in panel["cameras"]:
        asset = Asset.objects.get(pk=camera["id"])
        assert camera["snapshot_url"] == f"/api/cameras/{asset.pk}/snapshot.jpg"
        latest = TrafficObservation.objects.filter(camera=asset).order_by("-observed_at").first()
        assert camera["vehicles"] == (latest.vehicles if latest else None)
        assert camera["kecamatan_code"] == asset.region.parent.code
    # Morning rush hour: somewhere the traffic is at least dense.
    assert panel["summary"]["padat"] + panel["summary"]["macet"] > 0


@pytest.mark.django_db
def test_nights_are_free_flowing_and_rush_hours_are_not(reference_data):
    model = build_simulator(settings.KOMANDO_CITY_DIR, clock=Clock(datetime(2026, 11, 25, 23, 0, tzinfo=WIB))).model
    day = model.observations_since(datetime(2026, 11, 25, 0, 0, tzinfo=WIB))
    night = [r for r in day if r["waktu_selesai"][11:13] in ("01", "02", "03")]
    rush = [r for r in day if r["waktu_selesai"][11:13] in ("08", "17", "18")]
    assert all(r["tingkat_kemacetan"] == "lancar" for r in night)
    assert sum(r["volume_kendaraan"] for r in rush) / len(rush) > 3 * sum(r["volume_kendaraan"] for r in night) / len(night)


def _drop_lat(body):
    del body["data"][2]["lat"]


def _unknown_region(body):
    body["data"][0]["kode_kecamatan"] = "36.71.01"
    body["data"][0]["kode_kelurahan"] = "36.71.01.1999"


def _speed_as_text(body):
    body["data"][0]["kecepatan_rata_rata"] = "fast"


def _volume_as_text(body):
    body["data"][-1]["volume_kendaraan"] = str(body["data"][-1]["volume_kendaraan"])


def _unknown_camera(body):
    body["data"][0]["id_kamera"] = "ATCS-99"


def _unknown_level(body):
    body["data"][0]["tingkat_kemacetan"] = "parah"


def _naive_time(body):
    body["data"][0]["waktu_selesai"] = body["data"][0]["waktu_selesai"][:19]


def _status_unknown(body):
    body["data"][0]["status"] = "rusak"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path_part", "mutate", "message"),
    [
        ("/api/cameras", _drop_lat, "ATCS camera registry: data.2.lat: Field required"),
        ("/api/cameras", _unknown_region, "unknown region code '36.71.01.1999'"),
        ("/api/cameras", _status_unknown, "data.0.status"),
        ("/api/traffic", _speed_as_text, "data.0.kecepatan_rata_rata"),
        ("/api/traffic", _volume_as_text, "Input should be a valid integer"),
        ("/api/traffic", _unknown_camera, "'ATCS-99', which is not in the registry"),
        ("/api/traffic", _unknown_level, "data.0.tingkat_kemacetan"),
        ("/api/traffic", _naive_time, "timezone"),
    ],
)
def test_bad_data_is_refused_and_keeps_what_is_stored(atcs, simulator, clock, path_part, mutate, message):
    source, url = atcs

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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fault", "kind", "message"),
    [
        (lambda request: Response(200, b'{"data": [{"id": "ATCS-01",', "application/json"), "invalid", "malformed JSON"),
        (lambda request: Response.json({"error": "internal"}, status=500), "server", "HTTP 500"),
        (
            lambda request: Response.json({"error": "bad gateway"}, status=502) if "traffic" in request.path else None,
            "server",
            "HTTP 502 from",
        ),
        (lambda request: Response.json({"data": "none"}), "invalid", "ATCS camera registry: data"),
    ],
)
def test_broken_responses_are_refused_and_keep_what_is_stored(atcs, simulator, clock, fault, kind, message):
    source, url = atcs

    def breaks():
        clock.advance(minutes=10)
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
def test_unreachable_server_is_reported_and_keeps_what_is_stored(atcs):
    source, url = atcs
    run_source(source, coordinator(url))
    before = stored_state()
    port = closed_port()

    assert run_source(source, coordinator(f"http://127.0.0.1:{port}", timeout_seconds=2)) is False

    source.refresh_from_db()
    assert source.last_error_kind == "unreachable"
    assert "ATCS is unreachable" in source.last_error
    assert stored_state() == before


@pytest.mark.django_db
def test_new_observations_publish_the_traffic_panel_once(atcs, clock, django_capture_on_commit_callbacks):
    source, url = atcs
    first, unchanged, next_interval = published_per_run(
        django_capture_on_commit_callbacks, lambda: run_source(source, coordinator(url)), lambda: clock.advance(minutes=5)
    )
    assert first == 2  # panel.traffic + source.health
    assert unchanged == 1  # source.health only
    assert next_interval == 2
