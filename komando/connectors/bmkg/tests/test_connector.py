"""BMKG connector against its simulator over real HTTP."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.conf import settings

from komando.connectors.bmkg.coordinator import Coordinator
from komando.connectors.bmkg.simulator import build_simulator
from komando.hazards.models import Earthquake, WeatherWarning
from komando.hazards.selectors import hazards_panel
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response, running_simulator
from komando.sources.testing import Clock, closed_port, served

START = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)


def moment_with_a_warning_over_the_city() -> datetime:
    """The first hour from START at which the simulator has a warning over the city in force."""
    clock = Clock(START)
    model = build_simulator(settings.KOMANDO_CITY_DIR, clock=clock).model
    for _ in range(200):
        active = model.active_warnings()
        if any(w.over_city for w in active) and any(not w.over_city for w in active):
            return datetime.fromtimestamp(clock.now, UTC)
        clock.advance(hours=1)
    raise AssertionError("the simulator never warned the city in 200 hours")


@pytest.fixture
def clock():
    return Clock(moment_with_a_warning_over_the_city())


@pytest.fixture
def simulator(clock):
    return build_simulator(settings.KOMANDO_CITY_DIR, clock=clock)


@pytest.fixture
def bmkg(reference_data, simulator):
    with running_simulator(simulator) as url:
        yield Source.objects.get(slug="bmkg"), url


def coordinator(url, **options):
    return Coordinator(manifests()["bmkg"], Coordinator.config_class(base_url=url, **options))


def stored_state():
    return (
        sorted(
            Earthquake.objects.values_list(
                "source_ref", "occurred_at", "magnitude", "depth_km", "felt", "shakemap", "tsunami_potential"
            )
        ),
        sorted(WeatherWarning.objects.values_list("identifier", "expires", "affects_city", "polygons")),
    )


def truth_refs(model) -> set[str]:
    quakes = model.quakes(1) + model.quakes(15, lambda q: q.magnitude >= 5) + model.quakes(15, lambda q: bool(q.felt))
    return {f"{q.at:%Y-%m-%dT%H:%M:%SZ} {q.lat:.2f},{q.lon:.2f}" for q in quakes}


@pytest.mark.django_db
def test_run_stores_the_quakes_and_warnings_the_simulator_serves(bmkg, simulator):
    source, url = bmkg
    assert run_source(source, coordinator(url)) is True, Source.objects.get(slug="bmkg").last_error

    model = simulator.model
    assert set(Earthquake.objects.values_list("source_ref", flat=True)) == truth_refs(model)
    latest = model.quakes(1)[0]
    stored = Earthquake.objects.order_by("-occurred_at").first()
    assert (stored.occurred_at, stored.lat, stored.lon, stored.magnitude, stored.depth_km) == (
        latest.at,
        latest.lat,
        latest.lon,
        Decimal(f"{latest.magnitude:.1f}"),
        Decimal(latest.depth_km),
    )
    assert stored.region.endswith(latest.town) and stored.shakemap.endswith(".mmi.jpg")
    assert 0 < stored.distance_km < 6000

    active = model.active_warnings()
    assert {w.identifier: w.over_city for w in active} == dict(WeatherWarning.objects.values_list("identifier", "affects_city"))
    over_city = WeatherWarning.objects.filter(affects_city=True).first()
    assert over_city.area_desc == "Banten" and over_city.polygons["type"] == "MultiPolygon"
    assert over_city.sender_name == "Badan Meteorologi Klimatologi dan Geofisika"

    source.refresh_from_db()
    assert source.last_error == "" and source.records_last_run == Earthquake.objects.count() + len(active)
    assert source.data_as_of is not None


@pytest.mark.django_db
def test_second_run_stores_nothing_twice_and_sends_only_the_health(bmkg, django_capture_on_commit_callbacks):
    source, url = bmkg
    with django_capture_on_commit_callbacks() as first:
        assert run_source(source, coordinator(url))
    before = stored_state()
    with django_capture_on_commit_callbacks() as second:
        assert run_source(source, coordinator(url))
    assert stored_state() == before
    assert len(first) == 3  # panel.hazards + tile.hazards + source.health
    assert len(second) == 1  # source.health only


@pytest.mark.django_db
def test_later_runs_add_new_quakes_and_keep_expired_warnings_out_of_the_panel(bmkg, simulator, clock):
    source, url = bmkg
    assert run_source(source, coordinator(url))
    refs_before = set(Earthquake.objects.values_list("source_ref", flat=True))
    clock.advance(hours=6)
    assert run_source(source, coordinator(url))
    refs_after = set(Earthquake.objects.values_list("source_ref", flat=True))
    assert refs_before < refs_after  # new quakes in six hours, none lost
    assert refs_after >= truth_refs(simulator.model)
    now = datetime.fromtimestamp(clock.now, UTC)
    panel = hazards_panel(now=now)
    assert {w["identifier"] for w in panel["active_warnings"]} == {w.identifier for w in simulator.model.active_warnings()}
    assert WeatherWarning.objects.filter(expires__lte=now).exists()  # the old ones are kept, not shown


@pytest.mark.django_db
def test_xml_feed_and_legacy_json_give_the_same_quakes_as_json(bmkg, clock):
    source, url = bmkg
    assert run_source(source, coordinator(url, earthquake_format="xml"))
    from_xml = stored_state()
    assert from_xml[0]
    assert run_source(source, coordinator(url))
    assert stored_state() == from_xml
    with running_simulator(build_simulator(settings.KOMANDO_CITY_DIR, clock=clock, legacy_json=True)) as legacy:
        assert run_source(source, coordinator(legacy)), Source.objects.get(slug="bmkg").last_error
    assert stored_state() == from_xml


@pytest.mark.django_db
def test_panel_lists_warnings_over_the_city_first(bmkg, client, clock):
    source, url = bmkg
    assert run_source(source, coordinator(url))
    response = client.get("/api/hazards/")
    assert response.status_code == 200
    assert response.json() == hazards_panel()  # public, and the same dict as the live event
    panel = hazards_panel(now=datetime.fromtimestamp(clock.now, UTC))
    flags = [w["affects_city"] for w in panel["active_warnings"]]
    assert flags[0] is True and False in flags and flags == sorted(flags, reverse=True)
    assert len(panel["recent_earthquakes"]) == 15
    assert panel["latest_earthquake"] == panel["recent_earthquakes"][0]


def fault_on(app, path_part, make):
    def fault(request):
        return make(request) if path_part in request.path else None

    return fault


def truncated(app):
    return lambda request: Response(200, served(app, request).body[:-20], "application/json")


def with_number_magnitude(app):
    def respond(request):
        body = json.loads(served(app, request).body)
        body["Infogempa"]["gempa"][0]["Magnitude"] = 5.2
        return Response.json(body)

    return respond


def broken_cap(app):
    return lambda request: Response(200, served(app, request).body.replace(b"</alert>", b""), "application/xml")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path_part", "make", "kind", "message"),
    [
        ("gempaterkini.json", truncated, "invalid", "BMKG gempaterkini.json: malformed JSON"),
        ("gempadirasakan.json", with_number_magnitude, "invalid", "Magnitude must be a string"),
        (
            "rss.xml",
            lambda app: lambda r: Response.json({"error": "internal"}, status=500),
            "server",
            "BMKG server error: HTTP 500",
        ),
        ("_alert.xml", broken_cap, "invalid", "_alert.xml: malformed XML"),
        (
            "autogempa.json",
            lambda app: lambda r: Response(200, b"<html>maintenance</html>", "text/html"),
            "invalid",
            "BMKG autogempa.json: malformed JSON",
        ),
    ],
)
def test_bad_input_fails_clearly_and_changes_nothing(bmkg, simulator, clock, path_part, make, kind, message):
    source, url = bmkg
    assert run_source(source, coordinator(url))
    before = stored_state()
    clock.advance(hours=6)  # new quakes and warnings are waiting: none of them may be stored
    simulator.fault = fault_on(simulator, path_part, make(simulator))
    assert run_source(source, coordinator(url)) is False
    source.refresh_from_db()
    assert source.last_error_kind == kind
    assert message in source.last_error
    assert stored_state() == before
    simulator.fault = None
    assert run_source(source, coordinator(url))
    assert stored_state() != before


@pytest.mark.django_db
def test_unreachable_feed_fails_clearly_and_changes_nothing(bmkg):
    source, url = bmkg
    assert run_source(source, coordinator(url))
    before = stored_state()
    port = closed_port()
    assert run_source(source, coordinator(f"http://127.0.0.1:{port}", timeout_seconds=2)) is False
    source.refresh_from_db()
    assert source.last_error_kind == "unreachable"
    assert "BMKG is unreachable" in source.last_error
    assert stored_state() == before


def test_simulated_cap_is_valid_against_the_oasis_schema(shared_data, simulator):
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(shared_data / "samples" / "cap" / "CAP-v1.2.xsd")))
    from komando.connectors.bmkg.simulator import cap_xml

    warnings = simulator.model.active_warnings()
    assert warnings
    for warning in warnings:
        document = etree.fromstring(cap_xml(warning))
        assert schema.validate(document), schema.error_log


def test_manifest_registers_an_outside_feed_with_the_simulator_as_default(monkeypatch):
    manifest = manifests()["bmkg"]
    assert (manifest.group, manifest.agency, manifest.access_level, manifest.schedule_seconds, manifest.simulator_port) == (
        "external",
        "bpbd",
        "public",
        60,
        8105,
    )
    monkeypatch.delenv("KOMANDO_BMKG_BASE_URL", raising=False)
    monkeypatch.setenv("KOMANDO_BMKG_NOWCAST_BASE_URL", "https://www.bmkg.go.id")
    config = Coordinator.config_class.from_environment(manifest)
    assert config.base_url.endswith(":8105") and config.nowcast_base_url == "https://www.bmkg.go.id"
    assert config.earthquake_format == "json"


@pytest.mark.django_db
def test_warnings_come_from_the_nowcast_server_when_it_is_separate(bmkg, simulator, clock):
    source, url = bmkg
    simulator.fault = fault_on(simulator, "/alerts/", lambda request: Response.json({"error": "not here"}, 404))
    with running_simulator(build_simulator(settings.KOMANDO_CITY_DIR, clock=clock)) as nowcast:
        assert run_source(source, coordinator(url, nowcast_base_url=nowcast)), Source.objects.get(slug="bmkg").last_error
    assert WeatherWarning.objects.count() == len(simulator.model.active_warnings()) > 0
    assert run_source(source, coordinator(url)) is False
    source.refresh_from_db()
    assert "BMKG answered HTTP 404" in source.last_error and "rss.xml" in source.last_error
