"""A field officer's updates from the field app (``/petugas/``), made safe to send again.

The app queues every update on the phone with an id of its own (``client_ref``) and sends the queue
when the network is back; a queue may send an update twice (the answer was lost on the way). The
same ``client_ref`` returns the row stored the first time and changes nothing.

Once the officer's unit is done and has an after photo, the officer may report the incident
resolved (``selesai``, ``do_field_resolve_incident``) when no other unit is still at it. Closing it
(``ditutup``, which needs the mandatory SOP checklist) stays with the command room."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from komando.incidents.actions.common import lock_incident
from komando.incidents.actions.dispatch import DispatchError, do_update_dispatch
from komando.incidents.actions.photos import clean_position
from komando.incidents.actions.status import do_transition_incident
from komando.incidents.choices import DispatchStatus, Status
from komando.incidents.dispatch import ACTIVE_DISPATCH_STATUSES
from komando.incidents.errors import IncidentError
from komando.incidents.lifecycle import label
from komando.incidents.models import Dispatch, DispatchStatusChange, Incident, PhotoKind

CLIENT_REF = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_NOTE = 1000


@dataclass(frozen=True)
class FieldUpdate:
    change: DispatchStatusChange
    created: bool  # False: the same update sent again, nothing changed
    incident_status: str


def check_client_ref(client_ref) -> str:
    client_ref = str(client_ref or "").strip()
    if not CLIENT_REF.match(client_ref):
        raise DispatchError(_("Each update needs its id (8 to 64 letters, digits, - or _)."))
    return client_ref


def _repeat(client_ref: str, dispatch: Dispatch) -> DispatchStatusChange | None:
    change = DispatchStatusChange.objects.filter(client_ref=client_ref).first()
    if change is not None and change.dispatch_id != dispatch.pk:
        raise DispatchError(_("This update's id was already used for another update."))
    return change


def _result(change: DispatchStatusChange, *, created: bool) -> FieldUpdate:
    status = Dispatch.objects.filter(pk=change.dispatch_id).values_list("incident__status", flat=True).get()
    return FieldUpdate(change=change, created=created, incident_status=status)


def check_note(note) -> str:
    if not isinstance(note, str):
        raise DispatchError(_("The note must be text."))
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise DispatchError(_("The note is too long: at most %(max)s characters."), max=MAX_NOTE)
    return note


def do_field_update_dispatch(
    dispatch: Dispatch, new_status: str, *, acting_user, client_ref: str, lat=None, lon=None, note: str = "", via: str = "api"
) -> FieldUpdate:
    """The unit's next step (``do_update_dispatch``), idempotent on ``client_ref``. Refused
    (``DispatchError``, nothing stored): a bad id, a note too long, a bad position, a step the unit
    cannot take from where it is (e.g. the dispatch was cancelled meanwhile)."""
    client_ref = check_client_ref(client_ref)
    note = check_note(note or "")
    lat, lon = clean_position(lat, lon)
    try:
        with transaction.atomic():
            locked = Dispatch.objects.select_for_update(of=("self",)).get(pk=dispatch.pk)
            repeat = _repeat(client_ref, locked)
            if repeat is not None:
                return _result(repeat, created=False)
            do_update_dispatch(locked, new_status, acting_user=acting_user, lat=lat, lon=lon, note=note, via=via)
            change = DispatchStatusChange.objects.filter(dispatch=locked).order_by("-id").first()
            DispatchStatusChange.objects.filter(pk=change.pk).update(client_ref=client_ref)
            change.client_ref = client_ref
    except IntegrityError:  # the same update, stored by a request that came in a moment earlier
        repeat = _repeat(client_ref, dispatch)
        if repeat is None:
            raise
        return _result(repeat, created=False)
    dispatch.status, dispatch.updated_at = locked.status, locked.updated_at
    return _result(change, created=True)


class FieldResolveError(IncidentError):
    code = "resolve_refused"


@dataclass(frozen=True)
class FieldResolution:
    incident: Incident
    created: bool  # False: the same request sent again, nothing changed


def _resolution(dispatch: Dispatch, client_ref: str) -> Dispatch | None:
    resolved = Dispatch.objects.filter(resolved_ref=client_ref).first()
    if resolved is not None and resolved.pk != dispatch.pk:
        raise FieldResolveError(_("This update's id was already used for another update."))
    return resolved


def do_field_resolve_incident(
    dispatch: Dispatch, *, acting_user, client_ref: str, note: str = "", via: str = "api"
) -> FieldResolution:
    """The field officer reports the incident resolved (``selesai``) once their unit is done and
    has an after photo (the caller checked ``access.can_resolve_from_field``). Idempotent on
    ``client_ref`` (kept as the dispatch's ``resolved_ref``). Refused (``FieldResolveError``, nothing
    stored): the unit is not done, no after photo of this dispatch, another unit still at work, an
    incident that is not in progress (e.g. the command room rejected or already resolved it)."""
    client_ref = check_client_ref(client_ref)
    note = check_note(note or "")
    with transaction.atomic():
        incident = lock_incident(dispatch.incident_id)
        if _resolution(dispatch, client_ref) is not None:
            return FieldResolution(incident=incident, created=False)
        current = Dispatch.objects.select_related("unit").get(pk=dispatch.pk)
        if current.status != DispatchStatus.DONE:
            raise FieldResolveError(_("Report your unit done before reporting the incident resolved."))
        if not current.photos.filter(kind=PhotoKind.AFTER).exists():
            raise FieldResolveError(_("Add an after photo before reporting the incident resolved."))
        others = incident.dispatches.filter(status__in=ACTIVE_DISPATCH_STATUSES).select_related("unit")
        if others:
            raise FieldResolveError(
                _("%(units)s is still at work on this incident."), units=[other.unit.name for other in others]
            )
        if incident.status != Status.DALAM_PENANGANAN:
            raise FieldResolveError(
                _("An incident that is %(status)s cannot be reported resolved from the field."), status=label(incident.status)
            )
        comment = _("%(unit)s finished the work (after photo attached).") % {"unit": current.unit.name}
        do_transition_incident(
            incident, Status.SELESAI, acting_user=acting_user, comment=f"{comment}\n\n{note}" if note else str(comment), via=via
        )
        Dispatch.objects.filter(pk=current.pk).update(resolved_ref=client_ref)
    return FieldResolution(incident=incident, created=True)
