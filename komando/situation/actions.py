"""The only writers of the situation room's record. Every function checks who acts, validates its
input (a refusal stores nothing), appends rows (never changes one), writes a timeline entry and an
audit record, and tells every open session screen after commit (``situation.changed``, staff)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from komando.agencies.models import Agency
from komando.audit.actions import record_audit, snapshot
from komando.core.events import STAFF, LiveEvent, send_event_on_commit
from komando.incidents.models import Incident
from komando.regions.models import Region, RegionLevel
from komando.situation import access
from komando.situation.models import (
    ACTION_TRANSITIONS,
    ActionItem,
    ActionItemUpdate,
    ActionStatus,
    Attendee,
    Decision,
    IncidentLink,
    Session,
    SessionClosure,
    TimelineEntry,
    TimelineKind,
)

CHANNEL = "ui"
TITLE_MAX = 200
TEXT_MAX = 4000


class SituationError(ValueError):
    """Bad input or a step the record does not allow; the message says why, in words."""


class SituationRefused(PermissionError):
    """The acting user may not take this step."""


def _text(value, label: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise SituationError(_("%(field)s must be text.") % {"field": label})
    value = value.strip()
    if required and not value:
        raise SituationError(_("%(field)s is required.") % {"field": label})
    if len(value) > limit:
        raise SituationError(_("%(field)s is longer than %(max)s characters.") % {"field": label, "max": limit})
    return value


def _deadline(value) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, datetime):
        raise SituationError(_("The deadline is not a date and time."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _must_be_open(session: Session) -> None:
    if not session.is_open:
        raise SituationError(_("The session is closed: nothing more can be recorded in it."))


def _changed(session: Session, what: str) -> None:
    send_event_on_commit(LiveEvent("situation.changed", {"session": session.pk, "what": what}, audience=STAFF))


def _timeline(session, kind, actor, text="", **links) -> TimelineEntry:
    return TimelineEntry.objects.create(session=session, kind=kind, actor=actor, text=text, **links)


def _audit(actor, action: str, instance) -> None:
    record_audit(actor=actor, channel=CHANNEL, action=action, instance=instance, after=snapshot(instance))


def _assignee(agency, user) -> tuple[Agency | None, object | None]:
    if agency is not None and not isinstance(agency, Agency):
        raise SituationError(_("There is no such OPD."))
    if user is not None and not isinstance(user, get_user_model()):
        raise SituationError(_("There is no such person."))
    return agency, user


def do_open_session(title, *, acting_user, chair=None, kecamatan=None, kelurahan=None) -> Session:
    if not access.can_open_session(acting_user):
        raise SituationRefused(_("Only operators, executives and administrators open a session."))
    title = _text(title, _("Title"), limit=TITLE_MAX)
    chair = chair or acting_user
    if not access.can_open_session(chair):
        raise SituationError(_("The chair must be an operator, an executive or an administrator."))
    if kecamatan is not None and (not isinstance(kecamatan, Region) or kecamatan.level != RegionLevel.KECAMATAN):
        raise SituationError(_("There is no such kecamatan."))
    if kelurahan is not None:
        if not isinstance(kelurahan, Region) or kelurahan.level != RegionLevel.KELURAHAN:
            raise SituationError(_("There is no such kelurahan."))
        if kecamatan is None:
            kecamatan = kelurahan.parent
        elif kelurahan.parent_id != kecamatan.pk:
            raise SituationError(_("The kelurahan is not in that kecamatan."))
    with transaction.atomic():
        session = Session.objects.create(
            title=title, opened_by=acting_user, chair=chair, kecamatan=kecamatan, kelurahan=kelurahan
        )
        _timeline(session, TimelineKind.OPENED, acting_user, title)
        Attendee.objects.create(session=session, user=chair, added_by=acting_user)
        if acting_user.pk != chair.pk:
            Attendee.objects.create(session=session, user=acting_user, added_by=acting_user)
        _audit(acting_user, "situation.open", session)
        _changed(session, "opened")
    return session


def do_add_attendee(session: Session, *, acting_user, user=None, name: str = "") -> Attendee:
    if not access.can_contribute(acting_user, session):
        raise SituationRefused(_("You may not change this session."))
    _must_be_open(session)
    name = _text(name, _("Name"), required=False, limit=200)
    if (user is None) == (not name):
        raise SituationError(_("Name one attendee: a Komando user or an outside attendee by name."))
    if user is not None and session.attendees.filter(user=user).exists():
        raise SituationError(_("%(name)s is already listed as present.") % {"name": user.get_full_name() or user.username})
    with transaction.atomic():
        attendee = Attendee.objects.create(session=session, user=user, name=name if user is None else "", added_by=acting_user)
        _timeline(session, TimelineKind.ATTENDEE, acting_user, attendee.label)
        _audit(acting_user, "situation.attendee", attendee)
        _changed(session, "attendee")
    return attendee


def do_link_incident(session: Session, incident: Incident, *, acting_user) -> IncidentLink:
    if not access.can_contribute(acting_user, session):
        raise SituationRefused(_("You may not change this session."))
    _must_be_open(session)
    if not isinstance(incident, Incident):
        raise SituationError(_("There is no such incident."))
    if session.incident_links.filter(incident=incident).exists():
        raise SituationError(_("Incident %(ticket)s is already linked to this session.") % {"ticket": incident.ticket})
    try:
        with transaction.atomic():
            link = IncidentLink.objects.create(session=session, incident=incident, linked_by=acting_user)
            _timeline(session, TimelineKind.INCIDENT, acting_user, f"{incident.ticket} {incident.title}", incident=incident)
            _audit(acting_user, "situation.link_incident", link)
            _changed(session, "incident")
    except IntegrityError as error:  # linked at the same moment by someone else
        raise SituationError(_("Incident %(ticket)s is already linked to this session.") % {"ticket": incident.ticket}) from error
    return link


def do_add_note(session: Session, text, *, acting_user) -> TimelineEntry:
    if not access.can_contribute(acting_user, session):
        raise SituationRefused(_("You may not change this session."))
    _must_be_open(session)
    text = _text(text, _("Note"))
    with transaction.atomic():
        entry = _timeline(session, TimelineKind.NOTE, acting_user, text)
        _audit(acting_user, "situation.note", entry)
        _changed(session, "note")
    return entry


def do_record_decision(
    session: Session,
    text,
    *,
    acting_user,
    basis="",
    decided_by=None,
    assigned_agency=None,
    assigned_user=None,
    deadline=None,
    corrects: Decision | None = None,
) -> Decision:
    """Record a decision of the session; with ``corrects``, a correction of an earlier one (which
    stays in the record, shown struck through with a link to this one)."""
    if not access.can_chair(acting_user, session):
        raise SituationRefused(_("Only the chair (or an administrator) records decisions."))
    _must_be_open(session)
    text = _text(text, _("Decision"))
    basis = _text(basis, _("Basis"), required=False)
    assigned_agency, assigned_user = _assignee(assigned_agency, assigned_user)
    deadline = _deadline(deadline)
    decided_by = decided_by or session.chair
    if not isinstance(decided_by, get_user_model()):
        raise SituationError(_("There is no such person."))
    if corrects is not None:
        if not isinstance(corrects, Decision) or corrects.session_id != session.pk:
            raise SituationError(_("The decision to correct is not one of this session's."))
        if corrects.correction_or_none is not None:
            raise SituationError(_("That decision has already been corrected: correct its correction instead."))
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                session=session,
                text=text,
                basis=basis,
                decided_by=decided_by,
                assigned_agency=assigned_agency,
                assigned_user=assigned_user,
                deadline=deadline,
                recorded_by=acting_user,
                corrects=corrects,
            )
            kind = TimelineKind.CORRECTION if corrects else TimelineKind.DECISION
            _timeline(session, kind, acting_user, text, decision=decision)
            _audit(acting_user, "situation.correct_decision" if corrects else "situation.decision", decision)
            _changed(session, "decision")
    except IntegrityError as error:  # corrected at the same moment by someone else
        raise SituationError(_("That decision has already been corrected: correct its correction instead.")) from error
    return decision


def do_add_action_item(
    session: Session,
    text,
    *,
    acting_user,
    assigned_agency=None,
    assigned_user=None,
    deadline=None,
    decision: Decision | None = None,
) -> ActionItem:
    if not access.can_chair(acting_user, session):
        raise SituationRefused(_("Only the chair (or an administrator) gives out action items."))
    _must_be_open(session)
    text = _text(text, _("Action item"))
    assigned_agency, assigned_user = _assignee(assigned_agency, assigned_user)
    if assigned_agency is None and assigned_user is None:
        raise SituationError(_("An action item is assigned to an OPD or a person."))
    deadline = _deadline(deadline)
    if decision is not None and (not isinstance(decision, Decision) or decision.session_id != session.pk):
        raise SituationError(_("The decision is not one of this session's."))
    with transaction.atomic():
        item = ActionItem.objects.create(
            session=session,
            text=text,
            assigned_agency=assigned_agency,
            assigned_user=assigned_user,
            deadline=deadline,
            decision=decision,
            created_by=acting_user,
        )
        ActionItemUpdate.objects.create(action_item=item, status=ActionStatus.OPEN, by=acting_user)
        _timeline(session, TimelineKind.ACTION, acting_user, text, action_item=item)
        _audit(acting_user, "situation.action_item", item)
        _changed(session, "action")
    return item


def current_action_status(item: ActionItem) -> str:
    latest = item.updates.order_by("-at", "-id").first()
    return latest.status if latest else ActionStatus.OPEN


def do_update_action_item(item: ActionItem, status, *, acting_user, note="") -> ActionItemUpdate:
    """A new status of an action item, appended (the earlier ones stay)."""
    session = item.session
    if not access.can_update_action_item(acting_user, item):
        raise SituationRefused(_("You may not update this action item."))
    _must_be_open(session)
    if status not in ActionStatus.values:
        raise SituationError(_("Unknown status %(status)r.") % {"status": status})
    note = _text(note, _("Note"), required=False)
    with transaction.atomic():
        current = current_action_status(ActionItem.objects.select_for_update().get(pk=item.pk))
        if status not in ACTION_TRANSITIONS[ActionStatus(current)]:
            raise SituationError(
                _("An action item that is %(current)s cannot become %(status)s.")
                % {"current": ActionStatus(current).label, "status": ActionStatus(status).label}
            )
        update = ActionItemUpdate.objects.create(action_item=item, status=status, note=note, by=acting_user)
        text = item.text[:200] + (f" — {note}" if note else "")
        _timeline(session, TimelineKind.ACTION_UPDATE, acting_user, text, action_item=item, action_status=status)
        _audit(acting_user, "situation.action_update", update)
        _changed(session, "action_update")
    return update


def do_close_session(session: Session, *, acting_user, note="") -> SessionClosure:
    if not access.can_chair(acting_user, session):
        raise SituationRefused(_("Only the chair (or an administrator) closes the session."))
    _must_be_open(session)
    note = _text(note, _("Note"), required=False)
    try:
        with transaction.atomic():
            closure = SessionClosure.objects.create(session=session, closed_by=acting_user, note=note)
            _timeline(session, TimelineKind.CLOSED, acting_user, note)
            _audit(acting_user, "situation.close", closure)
            _changed(session, "closed")
    except IntegrityError as error:
        raise SituationError(_("The session is closed: nothing more can be recorded in it.")) from error
    session.closure = closure
    return closure
