"""Adding a photo to an incident: a resident's (with their report) or a field officer's before and
after photos (with their dispatch). One transaction: the photo row, its timeline row and audit,
and an ``incidents.changed`` event on commit. The file is written only once the photo is checked
and stripped of metadata (``komando.incidents.public.photos.clean_photo``), and removed again if the row is not kept."""

from __future__ import annotations

import math

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komando.incidents.actions.common import announce, audit, is_person, lock_incident, write_timeline
from komando.incidents.choices import Channel, DispatchStatus, TimelineKind
from komando.incidents.errors import IncidentError
from komando.incidents.models import Dispatch, Incident, IncidentPhoto, IncidentReport, PhotoKind
from komando.incidents.public.photos import CleanPhoto, PhotoError, clean_photo

MAX_NOTE = 1000
MAX_CLIENT_REF = IncidentPhoto._meta.get_field("client_ref").max_length


class InvalidPosition(IncidentError):
    code = "invalid_position"


def clean_position(lat, lon) -> tuple[float | None, float | None]:
    """Both or neither; numbers on the globe. Refused otherwise (``InvalidPosition``)."""
    if lat in (None, "") and lon in (None, ""):
        return None, None
    bad = InvalidPosition(_("The position must be a latitude and a longitude as numbers."))
    if lat in (None, "") or lon in (None, "") or isinstance(lat, bool) or isinstance(lon, bool):
        raise bad
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise bad from None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise bad
    return lat, lon


def _existing(client_ref, incident_id: int, kind: str, dispatch_id, report_id) -> IncidentPhoto | None:
    if not client_ref:
        return None
    photo = IncidentPhoto.objects.filter(client_ref=client_ref).first()
    if photo is None:
        return None
    if (photo.incident_id, photo.kind, photo.dispatch_id, photo.report_id) != (incident_id, kind, dispatch_id, report_id):
        raise PhotoError(_("This photo's id was already used for another photo."))
    return photo


def do_add_incident_photo(
    incident: Incident,
    upload,
    *,
    kind: str,
    acting_user=None,
    report: IncidentReport | None = None,
    dispatch: Dispatch | None = None,
    lat=None,
    lon=None,
    note: str = "",
    client_ref: str | None = None,
    via: str = "ui",
) -> tuple[IncidentPhoto, bool]:
    """Store ``upload`` (a Django ``UploadedFile``, or a ``CleanPhoto`` already made) as a photo of
    ``incident``. Returns ``(photo, created)``: the same ``client_ref`` sent again returns the photo
    stored the first time (an offline queue resending, a form sent twice) and stores nothing.

    Refused with ``PhotoError`` (nothing stored, no file left): an unknown kind, a report or a
    dispatch of another incident, a bad position, a note too long, and every refusal of
    ``clean_photo`` (too large, empty, not an image, a pixel bomb)."""
    if kind not in PhotoKind.values:
        raise PhotoError(_("Unknown photo kind %(kind)s."), kind=repr(kind))
    if report is not None and report.incident_id != incident.pk:
        raise PhotoError(_("The report belongs to another incident."))
    if dispatch is not None and dispatch.incident_id != incident.pk:
        raise PhotoError(_("The dispatch belongs to another incident."))
    if kind == PhotoKind.REPORT and report is None:
        raise PhotoError(_("A resident's photo goes with their report."))
    if kind != PhotoKind.REPORT and dispatch is None:
        raise PhotoError(_("A before or after photo goes with a unit's dispatch."))
    client_ref = (client_ref or "").strip() or None
    if client_ref is not None and len(client_ref) > MAX_CLIENT_REF:
        raise PhotoError(_("The photo's id is too long."))
    dispatch_id = dispatch.pk if dispatch is not None else None
    report_id = report.pk if report is not None else None
    existing = _existing(client_ref, incident.pk, kind, dispatch_id, report_id)
    if existing is not None:
        return existing, False
    if dispatch is not None and dispatch.status == DispatchStatus.CANCELLED:
        raise PhotoError(_("This task was cancelled by the command room."))
    lat, lon = clean_position(lat, lon)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise PhotoError(_("The note is too long: at most %(max)s characters."), max=MAX_NOTE)
    photo_data = upload if isinstance(upload, CleanPhoto) else clean_photo(upload)
    stored = []
    try:
        with transaction.atomic():
            locked = lock_incident(incident)
            existing = _existing(client_ref, locked.pk, kind, dispatch_id, report_id)  # sent twice at once
            if existing is not None:
                return existing, False
            photo = IncidentPhoto(
                incident=locked,
                report=report,
                dispatch=dispatch,
                kind=kind,
                content_type=photo_data.content_type,
                width=photo_data.width,
                height=photo_data.height,
                size=photo_data.size,
                lat=lat,
                lon=lon,
                note=note,
                taken_by=acting_user if is_person(acting_user) else None,
                created_at=timezone.now(),
                client_ref=client_ref,
            )
            photo.file.save(f"photo.{photo_data.extension}", ContentFile(photo_data.data), save=False)
            stored.append(photo.file.name)
            photo.save()
            data = {"photo": photo.pk, "photo_kind": kind}
            if dispatch is not None:
                data.update({"dispatch": dispatch.pk, "unit": dispatch.unit.name})
            write_timeline(
                locked,
                kind=TimelineKind.COMMENT,
                acting_user=acting_user,
                comment=note,
                data=data,
                actor_label=Channel(report.channel).label if report is not None else "",
                at=photo.created_at,
            )
            audit(
                acting_user,
                via=via,
                action="incident.photo",
                incident=locked,
                after={"photo": photo.pk, "kind": kind, "dispatch": dispatch_id, "note": note},
            )
            announce(locked, "photo")
    except IntegrityError:
        _remove(stored)
        existing = _existing(client_ref, incident.pk, kind, dispatch_id, report_id)
        if existing is not None:  # the same photo, stored by a request that came in a moment earlier
            return existing, False
        raise
    except BaseException:
        _remove(stored)
        raise
    return photo, True


def _remove(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)
