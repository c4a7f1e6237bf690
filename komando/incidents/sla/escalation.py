"""The escalation worker: incidents past their deadline go one rung up their SOP's ladder.

Shaped after healthchecks' ``sendalerts``: the deadline is a column, so a run is

1. one indexed query for the open incidents whose next rung is due
   (``next_escalation_at <= now``; ``komando.incidents.clock`` keeps that column at "deadline
   that applies now (response, then resolution) + the rung's interval", and empty when the
   incident is not open, waits on an outside party, or has used its whole ladder);
2. for each, ``do_escalate_overdue_incident``: it claims the incident by a conditional update
   (``escalation_level`` still what we read and the rung still due: ``update(...) == 1``), so two
   workers, or a worker and a person acting at the same moment, never escalate the same rung
   twice; then, in the same transaction, it moves ``escalation_level`` up, writes the timeline row
   (kind ``escalation``, by the "SLA clock", no audit record: audit is for people's changes),
   recomputes the next rung's time and sends the live event on commit.

A run escalates an incident at most one rung, and stamps it with the run's ``now``. A worker that
was down catches up one rung per run (each with its own timeline row), never silently skipping one.

Run it with ``komando escalate_incidents`` (once, or ``--loop``), or in-process with
``EscalationWorker().start_in_thread()`` next to the ingest scheduler.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from komando.core.periodic import PeriodicWorker

logger = logging.getLogger("komando.incidents.sla")

# Incidents handled per run at most; the rest wait for the next run (a few seconds later).
DEFAULT_BATCH = 500
DEFAULT_INTERVAL_SECONDS = 30.0


@dataclass
class EscalationRun:
    """What one run did."""

    now: datetime
    due: int = 0
    escalated: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # another worker or a person came first
    failed: list[int] = field(default_factory=list)


def due_for_escalation(now: datetime, *, limit: int = DEFAULT_BATCH) -> list[int]:
    """Ids of open incidents whose next escalation rung is due at ``now``, oldest due first.

    One query on the indexed ``next_escalation_at`` column; the status filter is belt and braces
    (the clock already empties the column of closed incidents).
    """
    from komando.incidents.lifecycle import OPEN_STATUSES
    from komando.incidents.models import Incident

    return list(
        Incident.objects.filter(next_escalation_at__lte=now, status__in=OPEN_STATUSES)
        .order_by("next_escalation_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def escalate_due_incidents(*, now: datetime | None = None, limit: int = DEFAULT_BATCH) -> EscalationRun:
    """One run of the worker. Never raises for one incident's failure: it is logged and counted."""
    from komando.incidents.actions import do_escalate_overdue_incident

    run = EscalationRun(now=now or timezone.now())
    ids = due_for_escalation(run.now, limit=limit)
    run.due = len(ids)
    for pk in ids:
        try:
            escalated = do_escalate_overdue_incident(pk, now=run.now)
        except Exception:  # one broken incident must not stop the others from escalating
            logger.exception("escalating incident %s failed", pk)
            run.failed.append(pk)
            continue
        (run.escalated if escalated else run.skipped).append(pk)
    if run.escalated or run.failed:
        logger.info("escalation run: %d escalated, %d skipped, %d failed", len(run.escalated), len(run.skipped), len(run.failed))
    return run


class EscalationWorker(PeriodicWorker):
    """Runs ``escalate_due_incidents`` every ``interval_seconds`` until stopped (a daemon thread in
    ``komando serve``, or the foreground loop of ``komando escalate_incidents --loop``); a full batch
    with escalations goes on at once (more may be due)."""

    thread_name = "escalation-worker"
    what = "escalation worker"
    work = "escalation run"
    interval_label = "escalation interval"
    logger = logger

    def __init__(self, interval_seconds: float = DEFAULT_INTERVAL_SECONDS, limit: int = DEFAULT_BATCH):
        super().__init__(interval_seconds)
        self.limit = limit
        self.runs = 0
        self.escalated = 0

    def tick(self) -> EscalationRun:
        """One run in the calling thread (tests call it directly)."""
        run = escalate_due_incidents(limit=self.limit)
        self.runs += 1
        self.escalated += len(run.escalated)
        return run

    def again_at_once(self, run: EscalationRun) -> bool:
        return run.due >= self.limit and bool(run.escalated)

    def stopped_message(self) -> str:
        return f"escalation worker stopped after {self.runs} runs, {self.escalated} escalations"
