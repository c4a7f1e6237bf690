"""Water-level gauges over siaga and ATCS congestion become incidents, one per episode: the banjir
and ATCS connectors against their simulators over HTTP, the device ingest's writer, and readings
shaped as those feeds store them."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from komando.assets.models import Asset, AssetKind
from komando.connectors.atcs.coordinator import Coordinator as AtcsCoordinator
from komando.connectors.atcs.simulator import build_simulator as build_atcs
from komando.connectors.banjir.coordinator import Coordinator as BanjirCoordinator
from komando.connectors.banjir.coordinator import gauge_item
from komando.connectors.banjir.simulator import build_simulator as build_banjir
from komando.fieldops.actions import LevelRow, do_record_flood, do_record_gauge_level
from komando.fieldops.flood import siaga_status
from komando.incidents.bridges.sensors import episode_ref
from komando.incidents.bridges.tests.conftest import Clock
from komando.incidents.choices import Channel
from komando.incidents.models import IncidentReport
from komando.metrics.actions.traffic import TrafficRow, do_record_traffic
from komando.metrics.models import TrafficObservation
from komando.runtime.composition import after_feed_commit
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import running_simulator

WIB = ZoneInfo("Asia/Jakarta")
OPEN_AT = ("siaga_3", "siaga_2", "siaga_1")


def reports(channel):
    return IncidentReport.objects.filter(channel=channel).select_related("incident__category").order_by("source_ref")


# --- Gauges -----------------------------------------------------------------------------------------


def rainy_day(model) -> date:
    """The last day before today on which some gauge passes siaga 3 in the afternoon (a past day:
    the intake refuses reports from the future)."""
    today = datetime.now(WIB).date()
    for n in range(1, 60):
        day = today - timedelta(days=n)
        moment = datetime.combine(day, time(16, 0), tzinfo=WIB)
        if any(siaga_status(g, model.level(gauge_id, moment)) != "normal" for gauge_id, g in model.gauges.items()):
            return day
    raise AssertionError("no rainy afternoon in 60 days")


@pytest.fixture
def flood_clock():
    return Clock(datetime.now(WIB) - timedelta(days=1))


@pytest.fixture
def banjir(incident_data, flood_clock):
    app = build_banjir(settings.KOMANDO_CITY_DIR, clock=flood_clock)
    with running_simulator(app) as url:
        yield (
            Source.objects.get(slug="banjir"),
            BanjirCoordinator(manifests()["banjir"], BanjirCoordinator.config_class(base_url=url)),
            app.model,
        )


def run(source, coordinator, capture):
    with capture(execute=True):
        assert run_source(source, coordinator) is True


def crossings_in(model, gauge_id, readings) -> list[datetime]:
    """The readings at which the gauge rose to siaga 3 or over from below (the first reading counts
    when it is over already): computed from the simulator's model, independently of the bridge."""
    gauge, found, before = model.gauges[gauge_id], [], None
    for moment in readings:
        over = siaga_status(gauge, model.level(gauge_id, moment)) in OPEN_AT
        if over and not before:
            found.append(moment)
        before = over
    return found


@pytest.mark.django_db
def test_banjir_connector_through_a_rainy_day_opens_one_incident_per_rise(
    banjir, flood_clock, django_capture_on_commit_callbacks
):
    source, coordinator, model = banjir
    day = rainy_day(model)
    flood_clock.set(datetime.combine(day, time(10, 1), tzinfo=WIB))
    readings = []
    while flood_clock.now < datetime.combine(day + timedelta(days=1), time(0, 1), tzinfo=WIB).timestamp():
        run(source, coordinator, django_capture_on_commit_callbacks)
        readings.append(model.last_observation(model.now()))
        flood_clock.advance(minutes=10)
    expected = sorted(
        episode_ref(gauge_id, moment) for gauge_id in model.gauges for moment in crossings_in(model, gauge_id, readings)
    )
    found = reports(Channel.SENSOR)
    assert expected and [r.source_ref for r in found] == expected
    for report in found:
        gauge = Asset.objects.get(source=source, source_ref=report.attributes["gauge"])
        assert report.incident.category.code == "BANJIR"
        assert (
            report.incident.priority
            == {"siaga_3": "sedang", "siaga_2": "tinggi", "siaga_1": "kritis"}[report.attributes["siaga"]]
        )
        assert (report.lat, report.lon) == (gauge.lat, gauge.lon)
        assert report.attributes["level_m"] >= gauge.attributes["siaga_3_m"] == report.attributes["threshold_m"]
        assert gauge.name in report.description and gauge.name in report.incident.title


@pytest.mark.django_db
def test_a_gauge_first_seen_over_siaga_opens_one_incident(banjir, flood_clock, django_capture_on_commit_callbacks):
    source, coordinator, model = banjir
    moment = datetime.combine(rainy_day(model), time(16, 0), tzinfo=WIB)
    flood_clock.set(moment)
    over = sorted(g for g, gauge in model.gauges.items() if siaga_status(gauge, model.level(g, moment)) in OPEN_AT)
    run(source, coordinator, django_capture_on_commit_callbacks)
    run(source, coordinator, django_capture_on_commit_callbacks)  # the same reading again
    assert over and sorted(r.attributes["gauge"] for r in reports(Channel.SENSOR)) == over
    assert {r.source_ref for r in reports(Channel.SENSOR)} == {episode_ref(g, moment) for g in over}


@pytest.fixture
def gauge(incident_data):
    """Gauge pos-pasarbaru as the banjir connector registers it (siaga 3 at 3.0 m)."""
    source = Source.objects.get(slug="banjir")
    item = gauge_item(
        type(
            "Pos",
            (),
            {
                "id": "pos-pasarbaru",
                "nama": "Bendung Pasar Baru (Cisadane)",
                "sungai": "Sungai Cisadane",
                "kode_kecamatan": "36.71.01",
                "lat": -6.19292,
                "lon": 106.64317,
                "normal_m": 1.8,
                "siaga_3_m": 3.0,
                "siaga_2_m": 4.0,
                "siaga_1_m": 5.0,
            },
        )()
    )
    do_record_flood(source, [item], [], [], [])
    return Asset.objects.get(source=source, kind=AssetKind.GAUGE, source_ref="pos-pasarbaru")


def readings(gauge, levels, start, capture, step=timedelta(minutes=10)):
    """The device ingest's writer, one reading after another (each its own transaction), and what it
    stored handed on after the commit as the ingest does (``komando.runtime.composition``)."""
    moment = start
    for level in levels:
        with capture(execute=True):
            after_feed_commit(None, do_record_gauge_level(gauge, level, moment))
        moment += step
    return moment


@pytest.mark.django_db
def test_ten_readings_over_siaga_are_one_incident_and_a_second_rise_another(gauge, django_capture_on_commit_callbacks):
    start = datetime.now(WIB).replace(microsecond=0) - timedelta(hours=6)
    after = readings(
        gauge, [2.5, 2.9] + [3.0, 3.2, 3.6, 4.1, 4.3, 3.9, 3.5, 3.2, 3.1, 3.05], start, django_capture_on_commit_callbacks
    )
    assert [r.source_ref for r in reports(Channel.SENSOR)] == [episode_ref("pos-pasarbaru", start + timedelta(minutes=20))]
    first = reports(Channel.SENSOR).get()
    assert (first.attributes["level_m"], first.attributes["siaga"], first.incident.priority) == (3.0, "siaga_3", "sedang")

    readings(gauge, [2.9, 2.7, 3.4, 3.6], after, django_capture_on_commit_callbacks)  # down, then up again
    second = episode_ref("pos-pasarbaru", after + timedelta(minutes=20))
    assert [r.source_ref for r in reports(Channel.SENSOR)] == sorted([first.source_ref, second])
    assert reports(Channel.SENSOR).get(source_ref=second).attributes["level_m"] == 3.4


@pytest.mark.django_db
def test_older_readings_and_a_jump_straight_to_awas(gauge, django_capture_on_commit_callbacks):
    start = datetime.now(WIB).replace(microsecond=0) - timedelta(hours=3)
    readings(gauge, [2.0], start, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert do_record_gauge_level(gauge, 3.5, start - timedelta(minutes=30)) is None  # older: ignored
    assert not reports(Channel.SENSOR).exists()
    readings(gauge, [5.2], start + timedelta(minutes=10), django_capture_on_commit_callbacks)
    report = reports(Channel.SENSOR).get()
    assert (report.attributes["siaga"], report.incident.priority) == ("siaga_1", "kritis")


@pytest.mark.django_db
def test_connector_and_device_ingest_share_the_episode(banjir, gauge, flood_clock, django_capture_on_commit_callbacks):
    """The connector and the MQTT ingest write the same gauge: a rise seen by one and the readings of
    the other over siaga are one episode."""
    source, _coordinator, _model = banjir
    start = datetime.now(WIB).replace(microsecond=0) - timedelta(hours=2)
    items = [
        {
            "source_ref": gauge.source_ref,
            "name": gauge.name,
            "lat": gauge.lat,
            "lon": gauge.lon,
            "region_code": "36.71.01",
            "attributes": {},
        }
    ]

    def flood(level, minutes):
        """The banjir connector's writer, and what it stored handed on after the commit."""
        with django_capture_on_commit_callbacks(execute=True):
            levels = [LevelRow("pos-pasarbaru", level, start + timedelta(minutes=minutes))]
            after_feed_commit(source, do_record_flood(source, items, [], [], levels))

    flood(2.4, 0)
    flood(3.3, 10)
    readings(gauge, [3.4, 3.5], start + timedelta(minutes=15), django_capture_on_commit_callbacks)
    flood(3.6, 40)
    assert [r.source_ref for r in reports(Channel.SENSOR)] == [episode_ref("pos-pasarbaru", start + timedelta(minutes=10))]


@pytest.mark.django_db
def test_a_refusing_gauge_bridge_keeps_the_levels(gauge, city_copy, bridge_log, django_capture_on_commit_callbacks):
    city_copy(lambda data: data["sensor"]["gauges"].update(category="NO-SUCH"))
    start = datetime.now(WIB).replace(microsecond=0) - timedelta(hours=1)
    readings(gauge, [2.0, 3.4], start, django_capture_on_commit_callbacks)
    gauge.refresh_from_db()
    assert gauge.attributes["level_m"] == 3.4
    assert not IncidentReport.objects.exists()
    assert any("pos-pasarbaru" in m and "report refused" in m for m in bridge_log.messages(level=30))


@pytest.mark.django_db
def test_a_broken_mapping_never_breaks_the_flood_feed(
    banjir, city_copy, bridge_log, flood_clock, django_capture_on_commit_callbacks
):
    source, coordinator, model = banjir
    (settings.KOMANDO_CITY_DIR / "channel_categories.json").write_text("{broken", encoding="utf-8")
    flood_clock.set(datetime.combine(rainy_day(model), time(16, 0), tzinfo=WIB))
    run(source, coordinator, django_capture_on_commit_callbacks)
    assert Asset.objects.filter(source=source, kind=AssetKind.GAUGE).exclude(attributes__level_m=None).count() == 8
    assert not IncidentReport.objects.exists()
    assert any("cannot be read" in m for m in bridge_log.messages(level=40))


# --- ATCS -------------------------------------------------------------------------------------------

EARLY_MORNING = datetime(2026, 11, 25, 5, 32, 30, tzinfo=WIB)  # a Wednesday, before the rush hour


@pytest.fixture
def atcs_clock():
    return Clock(EARLY_MORNING)


@pytest.fixture
def atcs(incident_data, atcs_clock):
    app = build_atcs(settings.KOMANDO_CITY_DIR, clock=atcs_clock)
    with running_simulator(app) as url:
        yield (
            Source.objects.get(slug="atcs"),
            AtcsCoordinator(manifests()["atcs"], AtcsCoordinator.config_class(base_url=url)),
            app.model,
        )


def episodes_forward(observations, gap=timedelta(minutes=30)) -> list[tuple[str, datetime]]:
    """Congestion episodes read forward through stored intervals (an independent reading of the
    rule): one starts at macet when none is going on; padat keeps it; anything else, or a gap, ends it."""
    found, state = [], {}
    for camera, observed_at, level in sorted(observations):
        going, last = state.get(camera, (False, None))
        if going and last is not None and observed_at - last > gap:
            going = False
        if level == "macet" and not going:
            found.append((camera, observed_at))
            going = True
        elif level not in ("macet", "padat"):
            going = False
        state[camera] = (going, observed_at)
    return found


@pytest.mark.django_db
def test_atcs_connector_through_a_morning_rush_opens_one_incident_per_jam(atcs, atcs_clock, django_capture_on_commit_callbacks):
    source, coordinator, _model = atcs
    until = EARLY_MORNING.replace(hour=10, minute=30)
    while atcs_clock.now < until.timestamp():
        run(source, coordinator, django_capture_on_commit_callbacks)
        atcs_clock.advance(minutes=5)
    stored = TrafficObservation.objects.values_list("camera__source_ref", "observed_at", "congestion")
    expected = sorted(episode_ref(camera, start) for camera, start in episodes_forward(stored))
    found = reports(Channel.ATCS)
    assert len(expected) >= 5 and [r.source_ref for r in found] == expected
    for report in found:
        camera = Asset.objects.get(source=source, source_ref=report.attributes["camera"])
        assert report.incident.category.code == "KEMACETAN" and report.incident.priority == "tinggi"
        assert (report.lat, report.lon) == (camera.lat, camera.lon)
        assert report.attributes["congestion"] == "macet"
        assert camera.name in report.incident.title


@pytest.fixture
def camera(atcs, django_capture_on_commit_callbacks):
    """The camera registry as the ATCS connector stores it (one run at night: all free flowing)."""
    source, coordinator, _model = atcs
    run(source, coordinator, django_capture_on_commit_callbacks)
    return Asset.objects.filter(source=source, kind=AssetKind.CAMERA).order_by("source_ref").first()


def intervals(camera, levels, start, capture, step=timedelta(minutes=5), batch=1):
    """ATCS intervals of one camera as the connector stores them, ``batch`` per run."""
    rows = []
    for n, level in enumerate(levels):
        if level is None:
            continue  # the camera was offline
        speed = {"lancar": 40.0, "ramai": 30.0, "padat": 15.0, "macet": 6.0}[level]
        rows.append(
            TrafficRow(
                camera_ref=camera.source_ref,
                observed_at=start + n * step,
                interval_minutes=5,
                vehicles=90,
                average_speed_kmh=speed,
                congestion=level,
            )
        )
    for first in range(0, len(rows), batch):
        with capture(execute=True):
            after_feed_commit(camera.source, do_record_traffic(camera.source, [], rows[first : first + batch]))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("levels", "episodes"),
    [
        (["lancar", "padat", "macet", "padat", "macet", "macet", "padat", "ramai"], [2]),  # flicker: one jam
        (["macet", "padat", "ramai", "padat", "macet"], [0, 4]),  # cleared in between: two
        (["padat", "padat", "padat"], []),  # dense is not a jam
        (["macet"] + [None] * 7 + ["macet"], [0, 8]),  # 40 minutes without data end it
        (["macet"] + [None] * 5 + ["macet"], [0]),  # 30 minutes do not
    ],
)
def test_congestion_episodes(camera, levels, episodes, django_capture_on_commit_callbacks):
    start = datetime(2026, 11, 25, 7, 0, tzinfo=WIB)
    intervals(camera, levels, start, django_capture_on_commit_callbacks)
    assert [r.source_ref for r in reports(Channel.ATCS)] == sorted(
        episode_ref(camera.source_ref, start + n * timedelta(minutes=5)) for n in episodes
    )


@pytest.mark.django_db
def test_a_jam_already_over_in_the_batch_opens_nothing(camera, django_capture_on_commit_callbacks):
    start = datetime(2026, 11, 25, 7, 0, tzinfo=WIB)
    intervals(camera, ["macet", "macet", "ramai"], start, django_capture_on_commit_callbacks, batch=3)
    assert not reports(Channel.ATCS).exists()
    intervals(camera, ["padat", "macet", "padat"], start + timedelta(minutes=15), django_capture_on_commit_callbacks, batch=3)
    assert [r.source_ref for r in reports(Channel.ATCS)] == [episode_ref(camera.source_ref, start + timedelta(minutes=20))]


@pytest.mark.django_db
def test_a_refusing_atcs_bridge_keeps_the_observations(camera, city_copy, bridge_log, django_capture_on_commit_callbacks):
    city_copy(lambda data: data["atcs"].update(category="NO-SUCH"))
    start = datetime(2026, 11, 25, 7, 0, tzinfo=WIB)
    before = TrafficObservation.objects.count()
    intervals(camera, ["macet", "macet"], start, django_capture_on_commit_callbacks)
    assert TrafficObservation.objects.count() == before + 2
    assert not IncidentReport.objects.exists()
    assert any(camera.source_ref in m and "report refused" in m for m in bridge_log.messages(level=30))


@pytest.mark.django_db
def test_device_ingest_through_an_afternoon_opens_one_incident_per_rising_river(
    incident_data, django_capture_on_commit_callbacks
):
    """The fleet simulator's MQTT messages, parsed and stored as the ingest does, batch after batch:
    the rivers that rise past siaga 3 in the afternoon open one incident each, the others none."""
    import json
    from types import SimpleNamespace

    from komando.devices.actions import directory, do_store_device_batch
    from komando.devices.protocol import parse_message
    from komando.devices.simulation import fleet_messages, water_level_m

    directory.clear()
    source = Source.objects.get(slug="banjir")
    model = build_banjir(settings.KOMANDO_CITY_DIR).model
    do_record_flood(source, [gauge_item(SimpleNamespace(**row)) for row in model.gauge_rows()], [], [], [])
    fleet = json.loads((settings.KOMANDO_CITY_DIR / "simulators" / "fleet.json").read_text(encoding="utf-8"))
    gauges_only = {**fleet, "trucks": [], "officers": [], "patrols": []}
    day = datetime.now(WIB).date() - timedelta(days=1)
    moment, end = datetime.combine(day, time(12, 0), tzinfo=WIB), datetime.combine(day, time(21, 0), tzinfo=WIB)
    expected = []
    before = {}
    while moment < end:
        messages = [
            parse_message(topic, payload.encode(), settings.KOMANDO_MQTT_TOPIC_PREFIX, moment)
            for topic, payload in fleet_messages(gauges_only, moment, settings.KOMANDO_MQTT_TOPIC_PREFIX)
        ]
        with django_capture_on_commit_callbacks(execute=True):
            after_feed_commit(None, do_store_device_batch(messages, [], received_at=moment))
        for gauge in fleet["gauges"]:
            over = siaga_status(gauge, water_level_m(gauge, moment)) in OPEN_AT
            if over and not before.get(gauge["device_id"]):
                expected.append(episode_ref(gauge["device_id"], moment))
            before[gauge["device_id"]] = over
        moment += timedelta(minutes=2)
    assert len(expected) >= 3
    assert [r.source_ref for r in reports(Channel.SENSOR)] == sorted(expected)
