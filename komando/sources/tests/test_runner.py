"""The connector framework and runner, with a small connector defined here against a real HTTP server."""

import json
from datetime import timedelta

import httpx
import pytest
import time_machine
from django.utils import timezone

from komando.assets.models import Asset
from komando.sources.framework import (
    BaseCoordinator,
    ConnectorConfig,
    FetchResult,
    Manifest,
    SourceDataInvalid,
    SourceServerError,
    SourceUnreachable,
)
from komando.sources.models import Source, SourceRun
from komando.sources.runner import IngestScheduler, run_source
from komando.sources.selectors import HealthStatus, health_status, source_health
from komando.sources.simulation import Response, SimulatorApp, running_simulator

pytestmark = pytest.mark.django_db

MANIFEST = Manifest(
    slug="things",
    name="Things",
    group="public-service",
    agency="dishub",
    access_level="public",
    schedule_seconds=10,
    simulator_port=0,
)


class ThingsCoordinator(BaseCoordinator):
    """Fetches {"things": [{"id", "name"}]} and keeps them as assets."""

    def fetch(self, cursor):
        try:
            response = httpx.get(self.config.base_url + "/things", timeout=2)
        except httpx.HTTPError as error:
            raise SourceUnreachable(f"cannot reach {self.config.base_url}: {error}") from error
        if response.status_code >= 500:
            raise SourceServerError(f"HTTP {response.status_code}")
        try:
            things = response.json()["things"]
        except (ValueError, KeyError) as error:
            raise SourceDataInvalid(f"not a things document: {error}") from error
        return FetchResult(data=things, records=len(things), cursor={"seen": len(things)})

    def store(self, source, result):
        for thing in result.data:
            Asset.objects.update_or_create(
                source=source, source_ref=thing["id"], defaults={"kind": "camera", "name": thing["name"]}
            )
        if any(t["name"] == "explode" for t in result.data):
            raise SourceDataInvalid("a thing called explode")


@pytest.fixture
def things_app():
    app = SimulatorApp("things")

    @app.route("GET", "/things")
    def things(request):
        return Response.json({"things": [{"id": "1", "name": "Simpang A"}, {"id": "2", "name": "Simpang B"}]})

    return app


@pytest.fixture
def source(reference_data):
    return Source.objects.get(slug="atcs")


def coordinator(url):
    return ThingsCoordinator(MANIFEST, ConnectorConfig(base_url=url))


def test_successful_run_stores_data_and_records_health(source, things_app):
    with running_simulator(things_app) as url:
        assert run_source(source, coordinator(url)) is True
    source.refresh_from_db()
    assert Asset.objects.filter(source=source).count() == 2
    assert source.last_success_at is not None and source.consecutive_failures == 0
    assert source.cursor == {"seen": 2}
    assert source.records_last_run == 2
    assert health_status(source) == HealthStatus.OK
    assert SourceRun.objects.get(source=source).ok


@pytest.mark.parametrize(
    "fault, kind, words",
    [
        (lambda r: Response(500, b"oops"), "server", "HTTP 500"),
        (lambda r: Response(200, b'{"things": [tru'), "invalid", "not a things document"),
        (lambda r: Response.json({"stuff": []}), "invalid", "not a things document"),
    ],
)
def test_failed_run_records_the_error_and_keeps_what_was_stored(source, things_app, fault, kind, words):
    with running_simulator(things_app) as url:
        assert run_source(source, coordinator(url))
        things_app.fault = fault
        assert run_source(source, coordinator(url)) is False
    source.refresh_from_db()
    assert source.last_error_kind == kind and words in source.last_error
    assert source.consecutive_failures == 1
    assert source.cursor == {"seen": 2}
    assert health_status(source) == HealthStatus.FAILING
    assert set(Asset.objects.filter(source=source).values_list("name", flat=True)) == {"Simpang A", "Simpang B"}


def test_unreachable_source_is_reported_as_unreachable(source):
    assert run_source(source, coordinator("http://127.0.0.1:9")) is False
    source.refresh_from_db()
    assert source.last_error_kind == "unreachable"
    assert "cannot reach" in source.last_error


def test_a_store_that_fails_rolls_back_the_whole_run(source, things_app):
    with running_simulator(things_app) as url:
        run_source(source, coordinator(url))
        things_app.fault = lambda r: Response.json({"things": [{"id": "1", "name": "Renamed"}, {"id": "3", "name": "explode"}]})
        assert run_source(source, coordinator(url)) is False
    source.refresh_from_db()
    assert source.last_error_kind == "invalid"
    assert set(Asset.objects.filter(source=source).values_list("name", flat=True)) == {"Simpang A", "Simpang B"}


def test_a_connector_bug_shows_as_an_internal_error(source):
    class Broken(ThingsCoordinator):
        def fetch(self, cursor):
            raise ZeroDivisionError("division by zero")

    assert run_source(source, Broken(MANIFEST, ConnectorConfig(base_url="http://x"))) is False
    source.refresh_from_db()
    assert source.last_error_kind == "internal" and "ZeroDivisionError" in source.last_error


def test_source_turns_stale_after_two_missed_intervals_and_recovers(source, things_app):
    with running_simulator(things_app) as url:
        run_source(source, coordinator(url))
        source.refresh_from_db()
        interval = source.schedule_seconds
        with time_machine.travel(timezone.now() + timedelta(seconds=interval * 2 + 1)):
            assert health_status(source) == HealthStatus.STALE
            run_source(source, coordinator(url))
            source.refresh_from_db()
            assert health_status(source) == HealthStatus.OK


def test_failures_then_recovery_resets_the_failure_count(source, things_app):
    with running_simulator(things_app) as url:
        things_app.fault = lambda r: Response(503, b"")
        run_source(source, coordinator(url))
        run_source(source, coordinator(url))
        source.refresh_from_db()
        assert source.consecutive_failures == 2
        things_app.fault = None
        assert run_source(source, coordinator(url))
    source.refresh_from_db()
    health = source_health(source)
    assert health["status"] == "ok" and health["consecutive_failures"] == 0 and health["last_error"] == ""
    assert list(SourceRun.objects.filter(source=source).order_by("started_at").values_list("ok", flat=True)) == [
        False,
        False,
        True,
    ]


def test_paused_and_unconnected_sources_have_their_own_status(reference_data):
    unconnected = Source(slug="belum", name="Belum", group="e-government", connector="")
    assert health_status(unconnected) == HealthStatus.NOT_CONNECTED
    atcs = Source.objects.get(slug="atcs")
    atcs.enabled = False
    assert health_status(atcs) == HealthStatus.PAUSED
    assert health_status(Source.objects.get(slug="siak")) == HealthStatus.WAITING


def test_health_carries_no_secret(source, things_app):
    with running_simulator(things_app) as url:
        run_source(source, coordinator(url))
    text = json.dumps(source_health(Source.objects.get(pk=source.pk)), default=str)
    assert "cursor" not in text and "password" not in text


@pytest.mark.django_db(transaction=True)
def test_scheduler_runs_due_sources_once_per_interval(reference_data, monkeypatch, things_app):
    from komando.sources import registry

    with running_simulator(things_app) as url:
        monkeypatch.setattr(registry, "coordinator_for", lambda slug, config=None, source=None: coordinator(url))
        scheduler = IngestScheduler(workers=1, tick_seconds=0.05, only=["atcs"])
        thread = scheduler.start_in_thread()
        deadline = timezone.now() + timedelta(seconds=10)
        while not SourceRun.objects.filter(source__slug="atcs").exists() and timezone.now() < deadline:
            thread.join(0.1)
        scheduler.stop()
        thread.join(5)
    runs = SourceRun.objects.filter(source__slug="atcs")
    assert runs.count() == 1  # schedule is 15 s: one run in this window, not one per tick
    assert runs.get().ok


def test_retry_delay_backs_off_exponentially_with_jitter_up_to_the_interval():
    from komando.sources.runner import retry_delay_seconds

    for failures, expected in [(1, 5), (2, 10), (3, 20), (4, 40)]:
        delays = {retry_delay_seconds(failures, 300) for _ in range(20)}
        assert all(0.8 * expected <= d <= 1.2 * expected for d in delays)
        assert len(delays) > 1  # jittered
    assert retry_delay_seconds(10, 60) <= 72  # capped at the schedule interval (+ jitter)


@pytest.mark.django_db(transaction=True)
def test_scheduler_retries_a_failing_source_before_its_interval(reference_data, monkeypatch, things_app):
    from komando.sources import registry, runner

    monkeypatch.setattr(runner, "RETRY_FIRST_SECONDS", 0.2)
    things_app.fault = lambda r: Response(500, b"down")
    with running_simulator(things_app) as url:
        monkeypatch.setattr(registry, "coordinator_for", lambda slug, config=None, source=None: coordinator(url))
        scheduler = IngestScheduler(workers=1, tick_seconds=0.05, only=["siak"])  # schedule: 300 s
        thread = scheduler.start_in_thread()
        deadline = timezone.now() + timedelta(seconds=10)
        while not SourceRun.objects.filter(source__slug="siak", ok=True).exists() and timezone.now() < deadline:
            if SourceRun.objects.filter(source__slug="siak").count() >= 2:
                things_app.fault = None
            thread.join(0.1)
        scheduler.stop()
        thread.join(5)
    outcomes = list(SourceRun.objects.filter(source__slug="siak").order_by("started_at").values_list("ok", flat=True))
    assert outcomes[:2] == [False, False] and outcomes[-1] is True


def test_a_file_fed_source_waits_for_its_first_file_and_goes_stale_after_its_interval(reference_data):
    from komando.sources.actions import do_record_file_import

    revenue = Source.objects.select_related("agency").get(slug="pendapatan")
    assert revenue.file_import and not revenue.connector
    assert source_health(revenue)["connected"] is True
    assert health_status(revenue) == HealthStatus.WAITING
    do_record_file_import(revenue, started_at=timezone.now(), ok=True, records=120)
    revenue.refresh_from_db()
    assert health_status(revenue) == HealthStatus.OK
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        assert health_status(revenue) == HealthStatus.OK  # a monthly export is not late after 40 days
    with time_machine.travel(timezone.now() + timedelta(days=63)):
        assert health_status(revenue) == HealthStatus.STALE
