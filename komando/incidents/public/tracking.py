"""What the public tracking page of a ticket shows, as plain values: never a model instance, so that a
template cannot reach a reporter's contact, the description (residents write their names and numbers
in it), the address, internal comments or who acted.

Shown: the ticket, the category, the status in plain words with a four-step progress line, the
kelurahan and kecamatan, when it was reported, the responsible OPD, the target time to resolve, and
the public timeline (``selectors.public_timeline``: public rows, no actor, texts masked). A merged
(duplikat) ticket shows the progress of the incident the work goes on in."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komando.incidents.choices import Status, TimelineKind
from komando.incidents.models import Incident
from komando.incidents.selectors import public_timeline, surviving_incident

S = Status

# The resident's progress line: diterima → diverifikasi → ditangani → selesai.
STEPS = [_("Received"), _("Verified"), _("Being handled"), _("Done")]
STEP_OF = {
    S.BARU: 0,
    S.DIVERIFIKASI: 1,
    S.DITUGASKAN: 2,
    S.DALAM_PENANGANAN: 2,
    S.DIALIHKAN: 2,
    S.DIBUKA_KEMBALI: 2,
    S.SELESAI: 3,
    S.DITUTUP: 3,
}

# Statuses in the words a resident uses (the staff labels are officials' words).
PUBLIC_LABEL = {
    S.BARU: _("Received"),
    S.DIVERIFIKASI: _("Verified"),
    S.DITUGASKAN: _("Officers assigned"),
    S.DALAM_PENANGANAN: _("Being handled"),
    S.SELESAI: _("Resolved"),
    S.DITUTUP: _("Done and closed"),
    S.DITOLAK: _("Not accepted"),
    S.DIALIHKAN: _("Handed over"),
    S.DUPLIKAT: _("Merged with another report"),
    S.DIBUKA_KEMBALI: _("Reopened"),
}

EXPLANATION = {
    S.BARU: _("Your report has been received and is waiting to be checked by an operator of the command center."),
    S.DIVERIFIKASI: _("An operator has checked your report and is passing it to the responsible OPD."),
    S.DITUGASKAN: _("The responsible OPD has taken up your report and is sending officers."),
    S.DALAM_PENANGANAN: _("Officers are working on the problem."),
    S.DIALIHKAN: _("Your report has been handed to the party responsible for this problem."),
    S.DIBUKA_KEMBALI: _("The work turned out not to be finished; officers are working on it again."),
    S.SELESAI: _("The officers report that the problem has been resolved."),
    S.DITUTUP: _("The problem has been resolved and the report is closed."),
    S.DITOLAK: _("Your report could not be handled by the city. The reason is in the updates below."),
}

FINISHED = frozenset({S.SELESAI, S.DITUTUP, S.DITOLAK})


def progress(status: str) -> list[dict]:
    """The four steps, each ``done``, ``current`` or ``todo``; all ``todo`` for a rejected report."""
    current = STEP_OF.get(status)
    steps = []
    for index, label in enumerate(STEPS):
        if current is None:
            state = "todo"
        elif index < current or (index == current and status in FINISHED):
            state = "done"
        elif index == current:
            state = "current"
        else:
            state = "todo"
        steps.append({"label": label, "state": state})
    return steps


def _update(row: dict, other_ticket: str | None = None) -> dict | None:
    """One public timeline row in words, or None for a row with nothing to tell the public.
    ``other_ticket``: the row belongs to the incident this ticket was merged into."""
    kind, text = row["kind"], row["text"]
    if kind == TimelineKind.REPORT:
        title = _("Report received (ticket %(ticket)s)") % {"ticket": other_ticket} if other_ticket else _("Report received")
    elif kind == TimelineKind.MERGE and row["merged_into"]:
        title = _("Merged with ticket %(ticket)s, which reports the same problem; the work goes on there.") % {
            "ticket": row["merged_into"]
        }
    elif kind == TimelineKind.MERGE and row["merged_from"]:
        title = _("Ticket %(ticket)s about the same problem was merged into this report.") % {"ticket": row["merged_from"]}
    elif kind == TimelineKind.HANDOFF and row["handed_to"]:
        title = (
            _("Handed to %(receiver)s") % {"receiver": row["handed_to"]}
            if row["to_status"] == S.DIALIHKAN
            else _("%(receiver)s has taken up the report") % {"receiver": row["handed_to"]}
        )
    elif kind == TimelineKind.TRANSITION and row["to_status"]:
        title = PUBLIC_LABEL.get(row["to_status"], row["status_label"])
    elif kind == TimelineKind.COMMENT and text:
        title = _("Update from the officers")
    else:
        return None
    return {"at": row["at"], "title": str(title), "text": text, "kind": kind}


def tracking_context(incident: Incident) -> dict:
    """The tracking page of ``incident``'s ticket (the one the resident typed)."""
    survivor = surviving_incident(incident)
    updates = [_update(row) for row in public_timeline(incident)]
    if survivor.pk != incident.pk:
        updates += [
            _update(row, survivor.ticket)
            for row in public_timeline(survivor)
            if row["kind"] != TimelineKind.MERGE or row["merged_from"] != incident.ticket
        ]
    updates = sorted((u for u in updates if u is not None), key=lambda u: u["at"], reverse=True)
    status = survivor.status
    due = survivor.resolve_due_at if status not in FINISHED else None
    return {
        "ticket": incident.ticket,
        "merged_into": survivor.ticket if survivor.pk != incident.pk else None,
        "category": survivor.category.name,
        "status": status,
        "status_label": str(PUBLIC_LABEL.get(status, "")),
        "explanation": str(EXPLANATION.get(status, "")),
        "rejected": status == S.DITOLAK,
        "steps": progress(status),
        "kelurahan": survivor.kelurahan.name,
        "kecamatan": survivor.kecamatan.name,
        "reported_at": incident.reported_at,
        "agency": survivor.agency.name,
        "agency_short": survivor.agency.short_name,
        "resolve_due_at": due,
        "overdue": bool(due and due < timezone.now()),
        "resolved_at": survivor.resolved_at if status in (S.SELESAI, S.DITUTUP) else None,
        "updates": updates,
    }
