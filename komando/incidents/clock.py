"""The SLA clock of one incident: its deadline columns, computed from its playbook version.

- ``respond_due_at``: the OPD takes the incident up (assigned, or a hand-off acknowledged), counted
  from the first report;
- ``resolve_due_at``: the work is done (selesai), counted from the first report, or from the last
  reopening for a reopened incident;
- ``next_escalation_at``: when the next rung of the escalation ladder is due, counted from the
  breach of the deadline that applies now (response while nobody has taken it up, else resolution);
  empty when the incident is not open, when an outside party has acknowledged it (the city waits on
  them), or when the ladder is exhausted.

Working days and wall-clock hours come from ``komando.incidents.sla.deadlines.deadline_for``; this
module is the only caller in the incidents app.
"""

from __future__ import annotations

from datetime import datetime

from komando.incidents.choices import HandoffTarget, Status
from komando.incidents.lifecycle import OPEN_STATUSES


def sla_deadline(start: datetime, rule: dict) -> datetime:
    """``start`` plus one SLA rule ``{"amount": n, "unit": …}``."""
    from komando.incidents.sla.deadlines import deadline_for

    return deadline_for(start, amount=int(rule["amount"]), unit=rule["unit"])


def compute_deadlines(incident) -> None:
    """Set ``respond_due_at``, ``resolve_due_at`` and ``next_escalation_at`` of ``incident`` (not saved)."""
    version = incident.playbook_version
    respond_rule = version.respond_sla.get(incident.priority)
    resolve_rule = version.sla.get(incident.priority)
    incident.respond_due_at = sla_deadline(incident.reported_at, respond_rule) if respond_rule else None
    resolve_start = incident.reopened_at or incident.reported_at
    incident.resolve_due_at = sla_deadline(resolve_start, resolve_rule) if resolve_rule else None
    incident.next_escalation_at = next_escalation_at(incident)


def waiting_on_outside_party(incident) -> bool:
    if incident.status != Status.DIALIHKAN:
        return False
    handoff = incident.handoffs.order_by("-requested_at", "-id").first()
    return bool(handoff and handoff.target == HandoffTarget.EXTERNAL and handoff.acknowledged_at)


def breach_deadline(incident) -> datetime | None:
    """The deadline that applies now: response until the OPD took it up, then resolution."""
    if incident.status not in OPEN_STATUSES:
        return None
    return incident.resolve_due_at if incident.responded_at else incident.respond_due_at


def next_escalation_at(incident) -> datetime | None:
    ladder = incident.playbook_version.escalation or []
    if incident.escalation_level >= len(ladder) or waiting_on_outside_party(incident):
        return None
    breach = breach_deadline(incident)
    if breach is None:
        return None
    return sla_deadline(breach, ladder[incident.escalation_level]["after"])
