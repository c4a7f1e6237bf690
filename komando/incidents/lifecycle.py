"""The lifecycle of an incident: which status may follow which, and the rules that go with a change.
Pure: no database, no clock; the actions call these before they write anything.

Main line: baru → diverifikasi → ditugaskan → dalam_penanganan → selesai → ditutup.
Honest side states:

- ``ditolak``: not valid (a reason is required); final.
- ``dialihkan``: handed off to another OPD, another kelurahan or an outside party. The hand-off
  counts only once the receiver acknowledges it: until then the only way out is taking it back
  (``diverifikasi``); after an acknowledgement to an OPD or a kelurahan the incident is
  ``ditugaskan`` to the receiver; after one to an outside party it stays ``dialihkan`` until the
  outside party's work is reported done (``selesai``).
- ``duplikat``: merged into another incident (through the merge action only); final.
- ``dibuka_kembali``: a resolved or closed incident that turned out not to be done (a reason is
  required); it goes back to work.

Closing (``ditutup``) is refused while a mandatory step of the SOP checklist is undone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _

from komando.incidents.choices import Status
from komando.incidents.errors import ChecklistIncomplete, ReasonRequired, TransitionNotAllowed

S = Status

TRANSITIONS: Mapping[str, frozenset[str]] = {
    S.BARU: frozenset({S.DIVERIFIKASI, S.DITOLAK, S.DUPLIKAT}),
    S.DIVERIFIKASI: frozenset({S.DITUGASKAN, S.DIALIHKAN, S.DITOLAK, S.DUPLIKAT}),
    S.DITUGASKAN: frozenset({S.DALAM_PENANGANAN, S.DIALIHKAN, S.DITOLAK, S.DUPLIKAT}),
    S.DALAM_PENANGANAN: frozenset({S.SELESAI, S.DIALIHKAN, S.DITOLAK, S.DUPLIKAT}),
    S.SELESAI: frozenset({S.DITUTUP, S.DIBUKA_KEMBALI}),
    S.DITUTUP: frozenset({S.DIBUKA_KEMBALI}),
    S.DITOLAK: frozenset(),
    S.DIALIHKAN: frozenset({S.DIVERIFIKASI, S.DITUGASKAN, S.DALAM_PENANGANAN, S.SELESAI, S.DUPLIKAT}),
    S.DUPLIKAT: frozenset(),
    S.DIBUKA_KEMBALI: frozenset({S.DITUGASKAN, S.DALAM_PENANGANAN, S.DIALIHKAN, S.DUPLIKAT}),
}

# Work is still to be done by someone in the city (or awaited from an outside party).
OPEN_STATUSES = frozenset({S.BARU, S.DIVERIFIKASI, S.DITUGASKAN, S.DALAM_PENANGANAN, S.DIALIHKAN, S.DIBUKA_KEMBALI})
# Nothing more will happen unless someone reopens it (ditutup) or ever (ditolak, duplikat).
FINAL_STATUSES = frozenset({S.DITUTUP, S.DITOLAK, S.DUPLIKAT})
# Reaching one of these means the responsible OPD has taken the incident up (the response SLA is met).
RESPONSE_STATUSES = frozenset({S.DITUGASKAN, S.DALAM_PENANGANAN, S.SELESAI})
# A change into these needs a reason in words.
REASON_REQUIRED = frozenset({S.DITOLAK, S.DIBUKA_KEMBALI})
# Reached only through their own actions (hand-off, merge), never by a plain status change.
ACTION_ONLY = {S.DIALIHKAN: "do_hand_off_incident", S.DUPLIKAT: "do_merge_incidents"}
# Checklist steps may be ticked off while the incident is worked on or resolved, not after.
CHECKLIST_STATUSES = frozenset(OPEN_STATUSES | {S.SELESAI})

if set(TRANSITIONS) != set(Status.values):  # a status added without its row would be a dead end
    raise RuntimeError("every incident status needs a row in TRANSITIONS")


def label(status: str):
    """The status's human label (lazy, translatable); the raw value for an unknown one."""
    try:
        return Status(status).label
    except ValueError:
        return status


def allowed_next(status: str) -> frozenset[str]:
    """The statuses an incident in ``status`` may move to (empty for final ones)."""
    return TRANSITIONS.get(status, frozenset())


def is_transition_allowed(old: str, new: str) -> bool:
    return new in allowed_next(old)


def ensure_transition_allowed(old: str, new: str) -> None:
    """Raise ``TransitionNotAllowed`` (with the statuses that *are* allowed) unless ``old`` → ``new``
    is in the table. Staying in the same status is not a transition and is refused too."""
    if new not in TRANSITIONS:
        raise TransitionNotAllowed(_("Unknown incident status %(new)s."), new=repr(new))
    if old not in TRANSITIONS:
        raise TransitionNotAllowed(_("Unknown incident status %(old)s."), old=repr(old))
    if is_transition_allowed(old, new):
        return
    options = sorted(allowed_next(old), key=Status.values.index)
    if not options:
        raise TransitionNotAllowed(
            _("An incident that is %(old)s cannot change any more (asked: %(new)s)."), old=label(old), new=label(new)
        )
    raise TransitionNotAllowed(
        _("An incident that is %(old)s cannot become %(new)s; it may become: %(options)s."),
        old=label(old),
        new=label(new),
        options=[label(s) for s in options],
    )


def ensure_reason_given(new: str, reason: str) -> None:
    if new in REASON_REQUIRED and not (reason or "").strip():
        raise ReasonRequired(_("Changing an incident to %(new)s needs a reason."), new=label(new))


def undone_mandatory_steps(steps: Iterable[Mapping], done_keys: Iterable[str]) -> list[Mapping]:
    """The mandatory checklist steps (``{key, title, mandatory}``) not in ``done_keys``, in SOP order."""
    done = set(done_keys)
    return [step for step in steps if step.get("mandatory") and step["key"] not in done]


def ensure_can_close(steps: Iterable[Mapping], done_keys: Iterable[str]) -> None:
    """Closing is refused while a mandatory step of the SOP checklist is undone."""
    missing = undone_mandatory_steps(steps, done_keys)
    if missing:
        error = ChecklistIncomplete(
            _("The incident cannot be closed: mandatory SOP steps are not done: %(steps)s."),
            steps=[step["title"] for step in missing],
        )
        error.missing = [step["key"] for step in missing]
        raise error
