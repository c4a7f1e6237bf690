"""Runs connectors: one run = fetch (no database) → store + health in one transaction → after the
commit, what the connector stored goes to the reactions the composition root registered
(``komando.sources.reactions``: e.g. the incident bridges).

``run_source`` is one attempt; ``IngestScheduler`` runs every connected, enabled pull source on its
schedule with a small thread pool, at most one run per source at a time, with retry backoff and a
circuit breaker per source (``komando.sources.circuit``). Sources whose coordinator says
``pull = False`` (fed by webhook or MQTT) are never fetched.
"""

from __future__ import annotations

import logging
import random
import time
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from komando.core.periodic import PeriodicWorker
from komando.sources import registry
from komando.sources.actions import do_record_run_failure, do_record_run_success, do_start_circuit_probe
from komando.sources.framework import ConnectorError
from komando.sources.models import CircuitState, Source
from komando.sources.reactions import feed_committed
from komando.sources.selectors import effective_interval_seconds

logger = logging.getLogger("komando.ingest")


def run_source(source: Source, coordinator=None) -> bool:
    """One attempt of ``source``'s connector. Returns True on success. Never raises.
    A push-fed source (coordinator ``pull = False``) has nothing to fetch: nothing is recorded, True."""
    if coordinator is None and not registry.is_pull(source.connector):
        logger.info("source %s is fed by push: nothing to fetch", source.slug)
        return True
    started = timezone.now()
    try:
        coordinator = coordinator or registry.coordinator_for(source.connector, source=source)
        result = coordinator.fetch(dict(source.cursor or {}))
        with transaction.atomic():
            stored = coordinator.store(source, result)
            do_record_run_success(
                source, started_at=started, records=result.records, cursor=result.cursor, data_as_of=result.data_as_of
            )
        feed_committed(source, stored)
        return True
    except ConnectorError as error:
        source.refresh_from_db()
        do_record_run_failure(source, started_at=started, kind=error.kind, error=str(error))
    except Exception as error:  # a bug in a connector must show on its health, not kill the runner
        logger.exception("connector %s crashed", source.slug)
        source.refresh_from_db()
        do_record_run_failure(source, started_at=started, kind="internal", error=f"{type(error).__name__}: {error}")
    return False


def run_source_by_slug(slug: str) -> bool:
    return run_source(Source.objects.select_related("agency").get(slug=slug))


RETRY_FIRST_SECONDS = 5.0


def retry_delay_seconds(consecutive_failures: int, interval: float) -> float:
    """After a failure, try again sooner than the schedule: 5 s, 10 s, 20 s, … capped at the
    schedule interval, with ±20 % jitter so that many sources do not retry in step."""
    delay = min(interval, RETRY_FIRST_SECONDS * 2 ** max(0, consecutive_failures - 1))
    return delay * random.uniform(0.8, 1.2)


class IngestScheduler(PeriodicWorker):
    """Runs each connected, enabled pull source every ``schedule_seconds × KOMANDO_SCHEDULE_SCALE``;
    a failing source is retried with exponential backoff (see ``retry_delay_seconds``) until its
    circuit opens (see ``komando.sources.circuit``): then it is left alone until its cool-down has
    passed, and one probe run decides whether it closes again.

    ``clock`` (seconds, monotonic by default) drives the schedule; the circuit's cool-down is kept on
    the source in wall-clock time (``timezone.now()``), so it survives a restart. The loop is a
    ``PeriodicWorker`` ticking every ``tick_seconds``: each tick hands the due sources to a pool of
    ``workers`` threads."""

    thread_name = "ingest-scheduler"
    what = "ingest scheduler"
    work = "ingest scheduler tick"
    interval_label = "ingest scheduler's tick"
    logger = logger

    def __init__(
        self, workers: int | None = None, tick_seconds: float = 0.5, only: list[str] | None = None, clock=time.monotonic
    ):
        super().__init__(tick_seconds)
        self.workers = workers or settings.KOMANDO_INGEST_WORKERS
        self.tick_seconds = tick_seconds
        self.only = set(only or [])
        self.clock = clock
        self.in_flight: dict[str, Future] = {}
        self.next_due: dict[str, float] = {}
        self._pool: ThreadPoolExecutor | None = None

    def _due_sources(self) -> list[Source]:
        sources = Source.objects.select_related("agency").exclude(connector="").filter(enabled=True)
        if self.only:
            sources = sources.filter(slug__in=self.only)
        now = self.clock()
        wall_now = timezone.now()
        due = []
        for source in sources:
            if not registry.is_pull(source.connector):
                continue  # fed by push: nothing to fetch
            future = self.in_flight.get(source.slug)
            if future is not None and not future.done():
                continue
            if source.circuit_state == CircuitState.OPEN:
                if source.circuit_retry_at is not None and wall_now < source.circuit_retry_at:
                    continue  # open: leave a dead source alone until its cool-down has passed
                if not do_start_circuit_probe(source, wall_now):
                    continue
            elif source.circuit_state == CircuitState.CLOSED and now < self.next_due.get(source.slug, 0):
                continue
            # (a half-open circuit, e.g. after a restart during a probe, is probed at once)
            due.append(source)
            self.next_due[source.slug] = now + effective_interval_seconds(source)
        return due

    def _run_in_worker(self, source: Source, close_connection: bool = True) -> None:
        started = self.clock()
        try:
            if not run_source(source):
                source.refresh_from_db(fields=["consecutive_failures", "circuit_state"])
                delay = retry_delay_seconds(source.consecutive_failures, effective_interval_seconds(source))
                self.next_due[source.slug] = started + delay
        finally:
            if close_connection:
                connection.close()

    def run_due(self) -> list[str]:
        """One tick in the calling thread (tests, with an injected clock): run every due source now."""
        ran = []
        for source in self._due_sources():
            self._run_in_worker(source, close_connection=False)
            ran.append(source.slug)
        return ran

    def tick(self) -> None:
        """One tick of the loop: every due source to the pool (``run_due`` runs them in the calling thread)."""
        for source in self._due_sources():
            self.in_flight[source.slug] = self._pool.submit(self._run_in_worker, source)

    def loop(self) -> None:
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="ingest") as pool:
            self._pool = pool
            try:
                super().loop()
            finally:
                self._pool = None

    def started_message(self) -> str:
        return f"ingest scheduler started ({self.workers} workers)"
