"""Acceptance: a source answering 500s, timeouts, truncated JSON or wrong types is retried with
backoff, marked failing, its circuit opens, a probe finds it back, and it recovers without
duplicates or gaps. Real HTTP all the way: the scheduler → the ATCS connector → a fault-injecting
proxy → the ATCS simulator. Time is moved with time-machine (the scheduler's clock is time.time)."""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from komando.connectors.atcs.simulator import build_simulator
from komando.metrics.models import TrafficObservation
from komando.sources.faults import FaultMode, FaultProxy
from komando.sources.models import Source, SourceRun
from komando.sources.runner import IngestScheduler
from komando.sources.selectors import HealthStatus, health_status, source_health
from komando.sources.simulation import running_simulator

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 11, 25, 8, 2, 30, tzinfo=WIB)  # a Wednesday morning rush hour
TIMEOUT = 0.5


class SimulatorClock:
    def __init__(self, moment):
        self.now = moment.timestamp()

    def __call__(self):
        return self.now

    def advance(self, minutes):
        self.now += minutes * 60


@pytest.fixture
def chain(reference_data, monkeypatch):
    """(simulator, its clock, proxy, source) with KOMANDO_ATCS_BASE_URL pointing at the proxy."""
    clock = SimulatorClock(START)
    simulator = build_simulator(settings.KOMANDO_CITY_DIR, clock=clock)
    with running_simulator(simulator) as upstream:
        proxy = FaultProxy(upstream, hang_seconds=10)
        with running_simulator(proxy.app) as url:
            monkeypatch.setenv("KOMANDO_ATCS_BASE_URL", url)
            monkeypatch.setenv("KOMANDO_ATCS_TIMEOUT_SECONDS", str(TIMEOUT))
            monkeypatch.delenv("KOMANDO_CIRCUIT_FAILURES", raising=False)
            monkeypatch.delenv("KOMANDO_CIRCUIT_COOLDOWN_SECONDS", raising=False)
            try:
                yield simulator, clock, proxy, Source.objects.get(slug="atcs")
            finally:
                proxy.close()


def stored_keys():
    return list(TrafficObservation.objects.values_list("camera__source_ref", "observed_at", "vehicles"))


def truth(simulator, since):
    return {
        (row["id_kamera"], datetime.fromisoformat(row["waktu_selesai"]), row["volume_kendaraan"])
        for row in simulator.model.observations_since(since)
    }


def test_faults_backoff_circuit_probe_and_recovery_without_duplicates_or_gaps(chain):
    simulator, sim_clock, proxy, source = chain
    interval = 15.0  # ATCS schedule
    with time_machine.travel(START, tick=False) as traveller:
        scheduler = IngestScheduler(workers=1, only=["atcs"], clock=time.time)

        def at(seconds_from_now):
            traveller.shift(seconds_from_now)
            return scheduler.run_due()

        # Healthy: the first run stores ATCS's default window (the last hour).
        assert at(0) == ["atcs"]
        source.refresh_from_db()
        assert health_status(source) == HealthStatus.OK
        assert set(stored_keys()) == truth(simulator, START - timedelta(hours=1))
        stored_before_outage = sorted(stored_keys())

        # Each kind of fault in turn; the simulator keeps producing intervals meanwhile.
        faults = [
            (FaultMode.SERVER_ERROR, "server", "HTTP 500"),
            (FaultMode.HANG, "unreachable", f"did not answer within {TIMEOUT:g} s"),
            (FaultMode.TRUNCATED, "invalid", "malformed JSON"),
            (FaultMode.WRONG_TYPES, "invalid", "Input should be a valid number"),
            (FaultMode.SERVER_ERROR, "server", "HTTP 500"),
        ]
        wait = interval
        for failures, (mode, kind, words) in enumerate(faults, start=1):
            proxy.mode = mode
            sim_clock.advance(minutes=5)
            if failures > 1:  # not due a moment before the retry time …
                assert at(wait - 0.05) == []
                wait = 0.05
            started = time.time() + wait
            assert at(wait) == ["atcs"]  # … and due at it
            proxy.release()
            source.refresh_from_db()
            assert (source.consecutive_failures, source.last_error_kind) == (failures, kind)
            assert words in source.last_error, source.last_error
            assert health_status(source) == HealthStatus.FAILING
            assert sorted(stored_keys()) == stored_before_outage  # nothing stored changes
            if failures < 5:
                assert source.circuit_state == "closed"
                expected = min(interval, 5 * 2 ** (failures - 1))  # 5 s, 10 s, 15 s (the interval), 15 s
                delay = scheduler.next_due["atcs"] - started
                assert 0.8 * expected <= delay <= 1.2 * expected
                wait = delay

        # Five failures in a row: the circuit opens for max(interval, 60 s) ± 20 %.
        assert source.circuit_state == "open" and source.circuit_trips == 1
        cooldown = (source.circuit_retry_at - source.circuit_opened_at).total_seconds()
        assert 48 <= cooldown <= 72
        health = source_health(source)
        assert (health["status"], health["circuit_state"], health["circuit_retry_at"]) == (
            "failing",
            "open",
            source.circuit_retry_at,
        )
        # Open: the dead source is left alone, however often the scheduler ticks.
        requests = proxy.requests
        for _ in range(10):
            assert at(cooldown / 11) == []
        assert proxy.requests == requests

        # The probe at the end of the cool-down fails: reopened with a doubled cool-down.
        sim_clock.advance(minutes=5)
        assert at(cooldown - 10 * cooldown / 11 + 0.01) == ["atcs"]
        source.refresh_from_db()
        assert (source.circuit_state, source.circuit_trips, source.consecutive_failures) == ("open", 2, 6)
        second = (source.circuit_retry_at - source.last_failure_at).total_seconds()
        assert 96 <= second <= 144
        assert at(second - 1) == []

        # ATCS is back: the next probe succeeds, the circuit closes, the schedule resumes.
        proxy.mode = FaultMode.PASS
        sim_clock.advance(minutes=5)
        assert at(1.01) == ["atcs"]
        source.refresh_from_db()
        assert (source.circuit_state, source.circuit_trips, source.consecutive_failures) == ("closed", 0, 0)
        assert source.circuit_retry_at is None and source.circuit_opened_at is None
        assert health_status(source) == HealthStatus.OK
        assert at(interval - 1) == [] and at(1) == ["atcs"]

    # Every interval the simulator produced, before and during the outage, is stored exactly once.
    keys = stored_keys()
    assert len(keys) == len(set(keys))
    assert set(keys) == truth(simulator, START - timedelta(hours=1))
    outage_intervals = {observed for _, observed, _ in keys if observed > START}
    assert len(outage_intervals) == 7  # 08:05 … 08:35 WIB, all fetched by the recovering run
    assert list(SourceRun.objects.filter(source=source).order_by("started_at", "id").values_list("ok", flat=True)) == [
        True,
        False,
        False,
        False,
        False,
        False,
        False,
        True,
        True,
    ]
