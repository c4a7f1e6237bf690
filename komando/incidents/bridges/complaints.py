"""LAKSA and SP4N-LAPOR! complaints, and Call Center 112 calls, as incidents.

A complaint opens one incident (channel ``laksa`` or ``lapor``, ``source_ref`` = the complaint's id
at its source), so a complaint that changes at its source later (status, notes) finds its incident
and opens no second one. Its category is mapped through the city's ``channel_categories.json``; the
complainant's contact is copied to the report only when the complaint is not confidential. A call
to 112 opens one incident (channel ``call_112``, ``source_ref`` = the call id), never with a contact.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from komando.complaints.models import Channel as ComplaintChannel
from komando.complaints.models import Complaint, ComplaintStatus, EmergencyCall, EmergencyKind
from komando.incidents.actions.intake import MAX_DESCRIPTION, clean_contact
from komando.incidents.bridges.common import (
    Skipped,
    after_commit,
    already_reported,
    bridge_record,
    in_city_language,
    logger,
    report_at_place,
)
from komando.incidents.bridges.mapping import ComplaintMapping, load_mapping
from komando.incidents.choices import Channel
from komando.incidents.errors import InvalidReport
from komando.incidents.models import Category, Incident, IncidentReport

INCIDENT_CHANNEL_OF = {ComplaintChannel.LAKSA: Channel.LAKSA, ComplaintChannel.LAPOR: Channel.LAPOR}


def _complaint_mapping(complaint: Complaint) -> ComplaintMapping:
    mapping = load_mapping()
    return mapping.laksa if complaint.channel == ComplaintChannel.LAKSA else mapping.lapor


def _contact_of(complaint: Complaint, what: str) -> dict | None:
    """The complainant's contact for the report: none for a confidential complaint, none when the
    stored contact would not pass the intake's checks (the report is still taken, without it)."""
    if complaint.confidential:
        return None
    contact = {"name": complaint.contact_name, "email": complaint.contact_email, "phone": complaint.contact_phone}
    if not any(contact.values()):
        return None
    try:
        clean_contact(contact)
    except InvalidReport as error:
        logger.warning("%s: the complainant's contact is not usable (%s); reported without it", what, error)
        return None
    return contact


def _media_url(url: str) -> str:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return ""
    return url if len(url) <= 500 else ""


def incident_from_complaint(complaint: Complaint) -> Incident | None:
    """The incident of a stored LAKSA or LAPOR! complaint: the one it opened already, or a new one.
    Raises ``Skipped`` (no incident: already resolved at its source, or no location) or an
    ``IncidentError`` (the intake refused it); ``bridge_record`` turns both into a logged None."""
    what = f"{complaint.get_channel_display()} complaint {complaint.source_ref} (#{complaint.pk})"
    channel = INCIDENT_CHANNEL_OF.get(complaint.channel)
    if channel is None:
        raise Skipped(f"channel {complaint.channel!r} has no incident bridge")
    existing = already_reported(channel, complaint.source_ref)
    if existing is not None:
        return existing
    mapping = _complaint_mapping(complaint)
    if mapping.skip_resolved and complaint.status == ComplaintStatus.RESOLVED:
        raise Skipped("it was already resolved at its source when Komando first saw it", routine=True)
    reached_city = complaint.disposed_at or complaint.reported_at
    if mapping.max_age_hours is not None and timezone.now() - reached_city > timedelta(hours=mapping.max_age_hours):
        raise Skipped(
            f"it reached the city more than {mapping.max_age_hours:g} hours before Komando first saw it "
            "(max_age_hours): it stays in the complaint list",
            routine=True,
        )
    known = set(Category.objects.filter(active=True).values_list("code", flat=True)) if mapping.codes_are_categories else set()
    category, fallback = mapping.category_for(complaint.category_code, known)
    if fallback:
        logger.warning(
            "%s: unknown source category %r (%s): filed under the fallback category %s; add it to channel_categories.json",
            what,
            complaint.category_code,
            complaint.category,
            category,
        )
    description = complaint.description.strip() or complaint.title.strip() or complaint.category
    return report_at_place(
        channel,
        lat=complaint.lat,
        lon=complaint.lon,
        kelurahan=complaint.kelurahan,
        what=what,
        source_ref=complaint.source_ref,
        category_code=category,
        description=description[:MAX_DESCRIPTION],
        reported_at=complaint.reported_at,
        contact=_contact_of(complaint, what),
        title=complaint.title[:200],
        address=complaint.address[:300],
        media_url=_media_url(complaint.media_url),
        attributes={
            "source_category_code": complaint.category_code,
            "source_category": complaint.category,
            "category_fallback": fallback,
            "source_status": complaint.source_status,
        },
    )


def bridge_complaints(source_id: int, refs: Iterable[str]) -> list[Incident]:
    """Open the incidents of these stored complaints of one source (after its feed committed), and
    return them. Complaints that have their incident already are passed over in one query; each of
    the others on its own, so one refused never stops the rest."""
    complaints = list(
        Complaint.objects.select_related("kelurahan", "source")
        .filter(source_id=source_id, source_ref__in=list(refs))
        .order_by("reported_at", "pk")
    )
    reported = set(
        IncidentReport.objects.filter(
            channel__in=INCIDENT_CHANNEL_OF.values(), source_ref__in=[c.source_ref for c in complaints]
        ).values_list("channel", "source_ref")
    )
    fresh = [c for c in complaints if (INCIDENT_CHANNEL_OF.get(c.channel), c.source_ref) not in reported]
    incidents = []
    for complaint in fresh:
        incident = bridge_record(
            incident_from_complaint,
            complaint,
            f"{complaint.get_channel_display()} complaint {complaint.source_ref} (#{complaint.pk})",
        )
        if incident is not None:
            incidents.append(incident)
    if fresh:  # the ones left without an incident said why, one by one; a quiet poll stays out of the log
        logger.log(
            logging.INFO if incidents else logging.DEBUG,
            "%s: %d complaints without an incident yet: %d opened one, %d none (resolved at the source, too "
            "old, no location or refused)",
            complaints[0].source.name,
            len(fresh),
            len(incidents),
            len(fresh) - len(incidents),
        )
    return incidents


def complaints_stored(source, refs: Iterable[str]) -> None:
    """Hook of ``do_record_complaints``: bridge the complaints it stored, once its transaction commits."""
    refs = list(refs)
    if refs:
        after_commit(lambda: bridge_complaints(source.pk, refs))


# --- Call Center 112 --------------------------------------------------------------------------------


def _call_description(call: EmergencyCall) -> str:
    kind = EmergencyKind(call.kind).label if call.kind in EmergencyKind.values else call.kind
    return in_city_language(
        lambda: _("Call to 112 (%(kind)s): %(note)s") % {"kind": kind, "note": call.note or _("no note by the call taker")}
    )


def incident_from_call(call: EmergencyCall) -> Incident | None:
    """The incident of a stored 112 call (the one it opened already, or a new one). The caller is
    never a contact of the report: 112 hides the caller, and so does Komando. A kind the mapping sets
    to null (a prank call) opens no incident (``Skipped``)."""
    what = f"112 call {call.call_id} (#{call.pk})"
    existing = already_reported(Channel.CALL_112, call.call_id)
    if existing is not None:
        return existing
    target, fallback = load_mapping().call_112.target_for(call.kind)
    if target is None:
        raise Skipped(f"calls of kind {call.kind!r} open no incident (channel_categories.json)")
    if fallback:
        logger.warning(
            "%s: unknown call kind %r: filed under the fallback category %s; add it to channel_categories.json",
            what,
            call.kind,
            target.category,
        )
    return report_at_place(
        Channel.CALL_112,
        lat=call.lat,
        lon=call.lon,
        kelurahan=call.kelurahan,
        what=what,
        source_ref=call.call_id,
        category_code=target.category,
        priority=target.priority,
        description=_call_description(call)[:MAX_DESCRIPTION],
        reported_at=call.received_at,
        contact=None,
        attributes={"call_kind": call.kind, "category_fallback": fallback},
    )


def bridge_call(call_id: int) -> Incident | None:
    call = EmergencyCall.objects.select_related("kelurahan").filter(pk=call_id).first()
    if call is None:
        return None
    return bridge_record(incident_from_call, call, f"112 call {call.call_id} (#{call.pk})")


def emergency_call_stored(call: EmergencyCall) -> None:
    """Hook of ``do_record_emergency_call``: bridge the call once its transaction commits."""
    after_commit(lambda: bridge_call(call.pk))
