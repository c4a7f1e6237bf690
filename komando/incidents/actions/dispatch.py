"""Sending field units to an incident and following them there: dispatched → en route → on scene →
done (or cancelled), each step with its time and the unit's position."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komando.assets.models import Asset
from komando.incidents.actions.common import announce, audit, lock_incident, write_timeline
from komando.incidents.choices import DispatchStatus, Status, TimelineKind
from komando.incidents.dispatch import ACTIVE_DISPATCH_STATUSES, FIELD_UNIT_KINDS
from komando.incidents.errors import IncidentError
from komando.incidents.lifecycle import label
from komando.incidents.models import Dispatch, DispatchStatusChange, Incident


class DispatchError(IncidentError):
    code = "dispatch_refused"


# Statuses of an incident in which units may be sent; the first dispatch makes it ditugaskan.
DISPATCHABLE = (Status.DIVERIFIKASI, Status.DIBUKA_KEMBALI, Status.DITUGASKAN, Status.DALAM_PENANGANAN)
BECOMES_ASSIGNED = (Status.DIVERIFIKASI, Status.DIBUKA_KEMBALI)
# A unit's way to the incident.
NEXT_UNIT_STATUSES = {
    DispatchStatus.DISPATCHED: {DispatchStatus.EN_ROUTE, DispatchStatus.ON_SCENE, DispatchStatus.CANCELLED},
    DispatchStatus.EN_ROUTE: {DispatchStatus.ON_SCENE, DispatchStatus.CANCELLED},
    DispatchStatus.ON_SCENE: {DispatchStatus.DONE, DispatchStatus.CANCELLED},
    DispatchStatus.DONE: set(),
    DispatchStatus.CANCELLED: set(),
}


def _position(unit: Asset, lat, lon) -> tuple[float | None, float | None]:
    if lat is not None and lon is not None:
        try:
            lat, lon = float(lat), float(lon)
        except (TypeError, ValueError) as error:
            raise DispatchError(_("The position must be a latitude and a longitude as numbers.")) from error
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise DispatchError(_("The position must be a latitude and a longitude as numbers."))
        return lat, lon
    state = getattr(unit, "device_state", None)
    return (state.lat, state.lon) if state is not None else (unit.lat, unit.lon)


@transaction.atomic
def do_dispatch_units(incident: Incident, units: list[Asset], *, acting_user, note: str = "", via: str = "ui") -> list[Dispatch]:
    """Send one or more field units. A verified (or reopened) incident becomes ditugaskan in the
    same transaction. Refused, storing nothing: no unit, a unit that is not a field unit, a unit
    already on another unfinished dispatch, an incident that is not being worked."""
    from komando.incidents.actions.status import do_transition_incident

    locked = lock_incident(incident)
    if not units:
        raise DispatchError(_("Choose at least one unit to dispatch."))
    if locked.status not in DISPATCHABLE:
        raise DispatchError(_("Units cannot be dispatched to an incident that is %(status)s."), status=label(locked.status))
    units = list(
        Asset.objects.select_for_update(of=("self",))
        .select_related("device_state")
        .filter(pk__in=[unit.pk for unit in units])
        .order_by("pk")
    )
    for unit in units:
        if unit.kind not in FIELD_UNIT_KINDS:
            raise DispatchError(_("%(name)s is not a field unit."), name=unit.name)
    busy = Dispatch.objects.filter(unit__in=units, status__in=ACTIVE_DISPATCH_STATUSES).select_related("unit", "incident")
    for dispatch in busy:
        raise DispatchError(
            _("%(name)s is already dispatched to %(ticket)s."), name=dispatch.unit.name, ticket=dispatch.incident.ticket
        )
    now = timezone.now()
    dispatches = []
    try:
        with transaction.atomic():
            for unit in units:
                dispatch = Dispatch.objects.create(
                    incident=locked,
                    unit=unit,
                    dispatched_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
                    dispatched_at=now,
                    updated_at=now,
                )
                lat, lon = _position(unit, None, None)
                DispatchStatusChange.objects.create(
                    dispatch=dispatch,
                    status=DispatchStatus.DISPATCHED,
                    at=now,
                    lat=lat,
                    lon=lon,
                    by=dispatch.dispatched_by,
                    note=note.strip(),
                )
                dispatches.append(dispatch)
    except IntegrityError as error:  # another operator sent the same unit a moment ago
        raise DispatchError(_("A unit was dispatched elsewhere a moment ago; choose again.")) from error
    names = ", ".join(unit.name for unit in units)
    write_timeline(
        locked,
        kind=TimelineKind.ASSIGNMENT,
        acting_user=acting_user,
        comment=note.strip(),
        data={"dispatched": [unit.pk for unit in units], "units": names},
        at=now,
    )
    audit(
        acting_user,
        via=via,
        action="incident.dispatch",
        incident=locked,
        after={"units": [unit.pk for unit in units], "note": note},
    )
    if locked.status in BECOMES_ASSIGNED:
        do_transition_incident(
            locked,
            Status.DITUGASKAN,
            acting_user=acting_user,
            via=via,
            comment=_("Units dispatched: %(units)s") % {"units": names},
        )
    else:
        announce(locked, "dispatch")
    return dispatches


@transaction.atomic
def do_update_dispatch(
    dispatch: Dispatch, new_status: str, *, acting_user, lat=None, lon=None, note: str = "", via: str = "ui"
) -> Dispatch:
    """A unit's next step, with the time and its position (given by the officer's phone, else its
    last known one). The first unit on scene puts a ditugaskan incident into dalam_penanganan."""
    from komando.incidents.actions.status import do_transition_incident

    locked = Dispatch.objects.select_for_update(of=("self",)).select_related("unit", "unit__device_state").get(pk=dispatch.pk)
    if new_status not in NEXT_UNIT_STATUSES:
        raise DispatchError(_("Unknown unit status %(status)s."), status=repr(new_status))
    if new_status not in NEXT_UNIT_STATUSES[DispatchStatus(locked.status)]:
        raise DispatchError(
            _("A unit that is %(old)s cannot become %(new)s."),
            old=DispatchStatus(locked.status).label,
            new=DispatchStatus(new_status).label,
        )
    lat, lon = _position(locked.unit, lat, lon)
    now = timezone.now()
    old = locked.status
    locked.status, locked.updated_at = new_status, now
    locked.save(update_fields=["status", "updated_at"])
    DispatchStatusChange.objects.create(
        dispatch=locked,
        status=new_status,
        at=now,
        lat=lat,
        lon=lon,
        by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        note=note.strip(),
    )
    incident = lock_incident(locked.incident_id)
    write_timeline(
        incident,
        kind=TimelineKind.ASSIGNMENT,
        acting_user=acting_user,
        comment=note.strip(),
        data={"dispatch": locked.pk, "unit": locked.unit.name, "from": old, "to": new_status},
        at=now,
    )
    audit(
        acting_user,
        via=via,
        action="incident.unit_step",
        incident=incident,
        before={"dispatch": locked.pk, "status": old},
        after={"dispatch": locked.pk, "status": new_status},
    )
    if new_status == DispatchStatus.ON_SCENE and incident.status == Status.DITUGASKAN:
        do_transition_incident(
            incident,
            Status.DALAM_PENANGANAN,
            acting_user=acting_user,
            via=via,
            comment=_("%(unit)s is on scene") % {"unit": locked.unit.name},
        )
    else:
        announce(incident, "dispatch")
    dispatch.status, dispatch.updated_at = locked.status, locked.updated_at
    return dispatch
