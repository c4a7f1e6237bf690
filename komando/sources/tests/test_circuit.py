"""The circuit breaker: when it opens, how long it stays open, the probe, push-fed sources."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from komando.sources import actions, registry
from komando.sources.actions import do_record_run_failure, do_record_run_success, do_start_circuit_probe
from komando.sources.circuit import cooldown_seconds
from komando.sources.framework import BaseCoordinator
from komando.sources.models import CircuitState, Source
from komando.sources.runner import IngestScheduler, run_source

pytestmark = pytest.mark.django_db


def fail(source, times=1, kind="server"):
    for _ in range(times):
        source.refresh_from_db()
        do_record_run_failure(source, started_at=timezone.now(), kind=kind, error="HTTP 500")
    source.refresh_from_db()


@pytest.fixture
def siak(reference_data):
    return Source.objects.select_related("agency").get(slug="siak")


def test_cooldown_grows_from_the_floor_doubling_up_to_the_cap(monkeypatch):
    monkeypatch.delenv("KOMANDO_CIRCUIT_COOLDOWN_SECONDS", raising=False)
    monkeypatch.delenv("KOMANDO_CIRCUIT_COOLDOWN_MAX_SECONDS", raising=False)
    assert [cooldown_seconds(15, trips, jitter=False) for trips in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert cooldown_seconds(300, 1, jitter=False) == 300  # never sooner than the schedule
    assert cooldown_seconds(15, 12, jitter=False) == 3600  # capped at an hour
    delays = {cooldown_seconds(15, 1) for _ in range(20)}
    assert len(delays) > 1 and all(48 <= delay <= 72 for delay in delays)
    monkeypatch.setenv("KOMANDO_CIRCUIT_COOLDOWN_SECONDS", "2")
    assert cooldown_seconds(1.5, 1, jitter=False) == 2


def test_circuit_opens_at_the_threshold_and_is_logged_once(siak, monkeypatch, caplog):
    monkeypatch.setenv("KOMANDO_CIRCUIT_FAILURES", "3")
    with caplog.at_level(logging.INFO, logger="komando.sources"):
        fail(siak, 2)
        assert siak.circuit_state == CircuitState.CLOSED and siak.circuit_retry_at is None
        fail(siak)
    assert siak.circuit_state == CircuitState.OPEN and siak.circuit_trips == 1
    assert siak.circuit_opened_at == siak.last_failure_at
    interval = 300  # SIAK's schedule is longer than the 60 s floor
    assert 0.8 * interval <= (siak.circuit_retry_at - siak.circuit_opened_at).total_seconds() <= 1.2 * interval
    assert sum("circuit opened" in message for message in caplog.messages) == 1


def test_probe_only_after_the_cooldown_and_success_closes(siak, monkeypatch):
    monkeypatch.setenv("KOMANDO_CIRCUIT_FAILURES", "1")
    fail(siak)
    assert do_start_circuit_probe(siak) is False
    with time_machine.travel(siak.circuit_retry_at + timedelta(seconds=1)):
        assert do_start_circuit_probe(siak) is True
        siak.refresh_from_db()
        assert siak.circuit_state == CircuitState.HALF_OPEN
        do_record_run_success(siak, started_at=timezone.now(), records=3)
    siak.refresh_from_db()
    assert (siak.circuit_state, siak.circuit_trips, siak.circuit_retry_at, siak.consecutive_failures) == (
        CircuitState.CLOSED,
        0,
        None,
        0,
    )


def test_failed_probe_reopens_with_a_longer_cooldown_kept_since_the_first_opening(siak, monkeypatch):
    monkeypatch.setenv("KOMANDO_CIRCUIT_FAILURES", "1")
    fail(siak)
    opened = siak.circuit_opened_at
    first = (siak.circuit_retry_at - siak.last_failure_at).total_seconds()
    with time_machine.travel(siak.circuit_retry_at + timedelta(seconds=1)):
        do_start_circuit_probe(siak)
        fail(siak)
    second = (siak.circuit_retry_at - siak.last_failure_at).total_seconds()
    assert siak.circuit_state == CircuitState.OPEN and siak.circuit_trips == 2
    assert siak.circuit_opened_at == opened
    assert second > first * 1.3  # doubled, whatever the jitter drew


def test_health_event_carries_the_circuit(siak, monkeypatch):
    monkeypatch.setenv("KOMANDO_CIRCUIT_FAILURES", "1")
    sent = []
    monkeypatch.setattr(actions, "send_event_on_commit", sent.append)
    fail(siak)
    event = sent[-1]
    assert event.type == "source.health" and event.data["slug"] == "siak"
    assert event.data["circuit_state"] == "open" and event.data["circuit_trips"] == 1
    assert event.data["circuit_retry_at"] == siak.circuit_retry_at
    assert event.data["status"] == "failing"


@pytest.mark.django_db(transaction=True)
def test_scheduler_leaves_an_open_circuit_alone_and_probes_a_half_open_one_at_once(reference_data, monkeypatch):
    monkeypatch.setenv("KOMANDO_CIRCUIT_FAILURES", "1")
    ran = []
    monkeypatch.setattr("komando.sources.runner.run_source", lambda source, coordinator=None: ran.append(source.slug))
    siak = Source.objects.select_related("agency").get(slug="siak")
    fail(siak)
    scheduler = IngestScheduler(workers=1, only=["siak"])
    assert scheduler.run_due() == [] and ran == []
    # A scheduler restarted during a probe: the half-open circuit is probed at once.
    Source.objects.filter(pk=siak.pk).update(circuit_state=CircuitState.HALF_OPEN)
    assert IngestScheduler(workers=1, only=["siak"]).run_due() == ["siak"]


class PushCoordinator(BaseCoordinator):
    pull = False


def test_scheduler_skips_push_fed_sources_whose_health_still_counts(reference_data, monkeypatch):
    original = registry.coordinator_class
    monkeypatch.setattr(registry, "coordinator_class", lambda slug: PushCoordinator if slug == "siak" else original(slug))
    registry.is_pull.cache_clear()
    try:
        ran = []
        monkeypatch.setattr("komando.sources.runner.run_source", lambda source, coordinator=None: ran.append(source.slug) or True)
        assert IngestScheduler(workers=1, only=["siak", "atcs"]).run_due() == ["atcs"]
        siak = Source.objects.select_related("agency").get(slug="siak")
        assert run_source(siak) is True  # `komando ingest --once`: nothing to fetch, nothing recorded
        assert not siak.runs.exists()
        assert siak.is_connected
        from komando.sources.selectors import HealthStatus, health_status

        assert health_status(siak) == HealthStatus.WAITING
        do_record_run_success(siak, started_at=timezone.now(), records=1)  # e.g. a call accepted by a webhook
        siak.refresh_from_db()
        assert health_status(siak) == HealthStatus.OK
    finally:
        registry.is_pull.cache_clear()


def test_health_page_shows_the_circuit_and_carries_live_rows(personas, monkeypatch):
    import json

    from django.test import Client

    monkeypatch.setenv("KOMANDO_CIRCUIT_FAILURES", "1")
    siak = Source.objects.select_related("agency").get(slug="siak")
    fail(siak)
    client = Client()
    client.force_login(personas["operator"])
    response = client.get("/sumber/")
    page = response.content.decode()
    retry = timezone.localtime(siak.circuit_retry_at).strftime("%H:%M:%S")
    assert '<span class="circuit circuit-open">' in page and f"{retry} WIB" in page
    assert 'data-circuit="open"' in page and "sources/health.js" in page
    live_rows = json.loads(json.dumps(response.context["live_rows"], default=str))
    siak_row = next(row for row in live_rows if row["slug"] == "siak")
    assert siak_row["circuit_state"] == "open" and siak_row["failed_runs_24h"] == 1
    assert "password" not in json.dumps(live_rows) and "cursor" not in json.dumps(live_rows)
    assert '<script id="sources-live-rows" type="application/json">' in page
    assert '<script id="sources-live-labels" type="application/json">' in page
