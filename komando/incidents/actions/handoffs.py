"""Handing an incident to another OPD, another kelurahan or an outside party, and the receiver's
acknowledgement (without which a hand-off does not count)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komando.agencies.models import Agency
from komando.incidents.actions.common import (
    announce,
    audit,
    audit_state,
    copy_state,
    is_person,
    lock_incident,
    write_timeline,
)
from komando.incidents.actions.status import mark_responded, mark_status
from komando.incidents.choices import ExternalParty, HandoffTarget, Status, TimelineKind
from komando.incidents.clock import compute_deadlines
from komando.incidents.errors import HandoffError
from komando.incidents.lifecycle import ensure_transition_allowed
from komando.incidents.models import Handoff, Incident
from komando.regions.models import Region, RegionLevel


def _receiver(incident: Incident, to_agency, to_kelurahan, to_party) -> dict:
    given = [value for value in (to_agency, to_kelurahan, to_party) if value]
    if len(given) != 1:
        raise HandoffError(_("A hand-off goes to exactly one receiver: an OPD, a kelurahan or an outside party."))
    if to_agency:
        if not isinstance(to_agency, Agency):
            raise HandoffError(_("The receiving OPD is not an OPD of the city."))
        if to_agency.pk == incident.agency_id:
            raise HandoffError(_("The incident is already with %(agency)s."), agency=str(to_agency))
        return {"target": HandoffTarget.AGENCY, "to_agency": to_agency}
    if to_kelurahan:
        if not isinstance(to_kelurahan, Region) or to_kelurahan.level != RegionLevel.KELURAHAN:
            raise HandoffError(_("A hand-off to a kelurahan needs a kelurahan of the city."))
        if to_kelurahan.pk == incident.kelurahan_id:
            raise HandoffError(_("The incident is already in kelurahan %(name)s."), name=to_kelurahan.name)
        return {"target": HandoffTarget.KELURAHAN, "to_kelurahan": to_kelurahan}
    if to_party not in ExternalParty.values:
        raise HandoffError(
            _("Unknown outside party %(party)s; known: %(parties)s."), party=repr(to_party), parties=list(ExternalParty.values)
        )
    return {"target": HandoffTarget.EXTERNAL, "to_party": to_party}


@transaction.atomic
def do_hand_off_incident(
    incident: Incident,
    *,
    reason: str,
    acting_user,
    to_agency: Agency | None = None,
    to_kelurahan: Region | None = None,
    to_party: str = "",
    via: str = "ui",
) -> Handoff:
    """Hand the incident to exactly one receiver (``to_agency``, ``to_kelurahan`` or ``to_party``, an
    ``ExternalParty`` value) with a reason. The incident becomes dialihkan; the hand-off counts once
    ``do_acknowledge_handoff`` records the receiver's acknowledgement."""
    reason = (reason or "").strip()
    if not reason:
        raise HandoffError(_("A hand-off needs a reason."))
    locked = lock_incident(incident)
    old = locked.status
    ensure_transition_allowed(old, Status.DIALIHKAN)
    receiver = _receiver(locked, to_agency, to_kelurahan, to_party)
    now = timezone.now()
    before = audit_state(locked)
    handoff = Handoff.objects.create(
        incident=locked,
        from_agency_id=locked.agency_id,
        from_status=old,
        reason=reason,
        requested_by=acting_user if is_person(acting_user) else None,
        requested_at=now,
        **receiver,
    )
    mark_status(locked, Status.DIALIHKAN, now)
    compute_deadlines(locked)
    locked.save()
    write_timeline(
        locked,
        kind=TimelineKind.HANDOFF,
        acting_user=acting_user,
        from_status=old,
        to_status=Status.DIALIHKAN,
        comment=reason,
        public=True,
        at=now,
        data={"handoff": handoff.pk, "target": handoff.target, "receiver": handoff.receiver_label(), "acknowledged": False},
    )
    audit(
        acting_user,
        via=via,
        action="incident.handoff",
        incident=locked,
        before=before,
        after={**audit_state(locked), "handoff": handoff.pk, "receiver": handoff.receiver_label(), "reason": reason},
    )
    announce(locked, "handoff")
    copy_state(locked, incident)
    return handoff


@transaction.atomic
def do_acknowledge_handoff(handoff: Handoff, *, acting_user, note: str = "", via: str = "ui") -> Handoff:
    """The receiver acknowledges a pending hand-off (``acting_user`` is the receiver, or the operator
    recording an outside party's acknowledgement, whose words go in ``note``).

    To an OPD or a kelurahan: the incident becomes theirs and ditugaskan. To an outside party: it
    stays dialihkan, no longer escalated, until their work is reported done (selesai).
    Either way the response SLA counts as met now.
    """
    locked = lock_incident(handoff.incident_id)
    current = Handoff.objects.select_for_update().get(pk=handoff.pk)
    latest = locked.handoffs.order_by("-requested_at", "-id").first()
    if not current.is_pending or locked.status != Status.DIALIHKAN or latest is None or latest.pk != current.pk:
        raise HandoffError(_("This hand-off is not waiting for an acknowledgement."))
    now = timezone.now()
    before = audit_state(locked)
    current.acknowledged_by = acting_user if is_person(acting_user) else None
    current.acknowledged_at = now
    current.acknowledgement_note = (note or "").strip()
    current.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_note"])
    new_status = Status.DIALIHKAN
    if current.target == HandoffTarget.AGENCY:
        locked.agency = current.to_agency
        new_status = Status.DITUGASKAN
    elif current.target == HandoffTarget.KELURAHAN:
        locked.kelurahan = current.to_kelurahan
        locked.kecamatan = current.to_kelurahan.parent
        new_status = Status.DITUGASKAN
    if new_status != locked.status:
        ensure_transition_allowed(locked.status, new_status)
        mark_status(locked, new_status, now)
    mark_responded(locked, now)
    compute_deadlines(locked)
    locked.save()
    write_timeline(
        locked,
        kind=TimelineKind.HANDOFF,
        acting_user=acting_user,
        from_status=Status.DIALIHKAN,
        to_status=new_status if new_status != Status.DIALIHKAN else "",
        comment=current.acknowledgement_note,
        public=True,
        at=now,
        data={"handoff": current.pk, "target": current.target, "receiver": current.receiver_label(), "acknowledged": True},
    )
    audit(
        acting_user,
        via=via,
        action="incident.handoff_ack",
        incident=locked,
        before=before,
        after={**audit_state(locked), "handoff": current.pk, "note": current.acknowledgement_note},
    )
    announce(locked, "handoff")
    if Handoff.incident.is_cached(handoff):
        copy_state(locked, handoff.incident)
    for name in ("acknowledged_by", "acknowledged_at", "acknowledgement_note"):
        setattr(handoff, name, getattr(current, name))
    return handoff
