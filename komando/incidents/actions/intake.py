"""Intake: a report from any channel becomes an incident with a ticket number, placed in its
kelurahan, under the current SOP of its category, with its deadlines set."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Mapping
from contextlib import nullcontext
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komando.core.clock import city_zone
from komando.incidents import catalogue, geo
from komando.incidents.actions.common import announce, audit, is_person, write_timeline
from komando.incidents.choices import Channel, Priority, Status, TimelineKind
from komando.incidents.clock import compute_deadlines
from komando.incidents.errors import InvalidReport, UnknownCategory
from komando.incidents.models import Category, Incident, IncidentReport, PlaybookVersion, TicketSequence

MAX_DESCRIPTION = 4000  # Open311 GeoReport v2
# A report may say it was made a little in the future (a phone's clock runs ahead); more is refused.
CLOCK_SKEW = timedelta(minutes=5)
DEFAULT_TICKET_PREFIX = "INC"
# SQLite has one writer at a time and makes the others poll with growing sleeps (up to 100 ms):
# intakes of this process queue on a lock instead and start the moment the previous one commits.
_SQLITE_WRITES = threading.Lock()


@lru_cache(maxsize=8)
def _city_ticket_prefix(city_dir: str) -> str:
    path = Path(city_dir) / "incidents.json"
    if path.is_file():
        return str(json.loads(path.read_text(encoding="utf-8")).get("ticket_prefix") or DEFAULT_TICKET_PREFIX)
    return DEFAULT_TICKET_PREFIX


def ticket_prefix() -> str:
    """``KOMANDO_INCIDENT_TICKET_PREFIX``, else ``ticket_prefix`` in the city's ``incidents.json``."""
    return getattr(settings, "KOMANDO_INCIDENT_TICKET_PREFIX", "") or _city_ticket_prefix(str(settings.KOMANDO_CITY_DIR))


def next_ticket(at: datetime) -> str:
    """The next ticket number of ``at``'s month (WIB), e.g. ``TNG-2611-00042``. Numbers are given under
    a row lock of the month's counter, so concurrent intakes never share one. One statement
    (``UPDATE … RETURNING``, SQLite ≥ 3.35 and PostgreSQL) once the month's counter exists."""
    period = f"{ticket_prefix()}-{at.astimezone(city_zone()):%y%m}"
    last = _increment_ticket_sequence(period)
    if last is None:
        try:
            with transaction.atomic():
                TicketSequence.objects.create(period=period, last=1)
            return f"{period}-00001"
        except IntegrityError:  # another intake created the month's counter first
            last = _increment_ticket_sequence(period)
    return f"{period}-{last:05d}"


def _increment_ticket_sequence(period: str) -> int | None:
    table = connection.ops.quote_name(TicketSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE {table} SET "last" = "last" + 1 WHERE "period" = %s RETURNING "last"', [period])
        row = cursor.fetchone()
    return row[0] if row else None


def _sqlite_writes():
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        return _SQLITE_WRITES
    return nullcontext()


def find_category(code: str | Category) -> Category:
    """The active category of a code; a ``Category`` the caller already looked up is taken as it is."""
    if isinstance(code, Category) and code.pk and code.active:
        return code
    code = str(code or "").strip()
    if not code:
        raise UnknownCategory(_("A report needs a category (service code)."))
    found = catalogue.entry(code)
    if found is None:
        raise UnknownCategory(_("Unknown incident category %(code)s."), code=repr(code))
    return found.category


def current_version(category: Category) -> PlaybookVersion:
    version = catalogue.current_version_of(category)
    if version is None:
        raise UnknownCategory(
            _("The category %(name)s has no SOP playbook yet; reports cannot be taken for it."), name=category.name
        )
    return version


def _field(contact, name: str):
    value = contact.get(name) if isinstance(contact, Mapping) else getattr(contact, name, None)
    value = str(value).strip() if value is not None else ""
    return value or None


def clean_contact(contact) -> dict:
    """The reporter's name, email and phone (each optional), checked; ``{}`` for no contact."""
    if not contact:
        return {}
    name, email, phone = _field(contact, "name"), _field(contact, "email"), _field(contact, "phone")
    if name and len(name) > 120:
        raise InvalidReport(_("The reporter's name is longer than 120 characters."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidReport(_("The reporter's email address is not valid.")) from None
    if phone and (len(phone) > 40 or not any(c.isdigit() for c in phone)):
        raise InvalidReport(_("The reporter's phone number is not valid."))
    return {"contact_name": name, "contact_email": email, "contact_phone": phone}


def _clean_report(channel, source_ref, description, reported_at, priority, title, address, media_url, attributes):
    if channel not in Channel.values:
        raise InvalidReport(_("Unknown report channel %(channel)s."), channel=repr(channel))
    source_ref = str(source_ref or "").strip() or uuid.uuid4().hex
    if len(source_ref) > 100:
        raise InvalidReport(_("The report's reference is longer than 100 characters."))
    description = str(description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidReport(_("The description is longer than %(max)s characters."), max=MAX_DESCRIPTION)
    if not isinstance(reported_at, datetime) or timezone.is_naive(reported_at):
        raise InvalidReport(_("The time of the report must be a date and time with a time zone."))
    if reported_at > timezone.now() + CLOCK_SKEW:
        raise InvalidReport(_("The time of the report is in the future."))
    if priority is not None and priority not in Priority.values:
        raise InvalidReport(_("Unknown priority %(priority)s."), priority=repr(priority))
    title, address = str(title or "").strip(), str(address or "").strip()
    if len(title) > 200 or len(address) > 300:
        raise InvalidReport(_("The title (200) or the address (300 characters) is too long."))
    media_url = str(media_url or "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise InvalidReport(_("The photo link is not a valid http(s) URL.")) from None
        if len(media_url) > 500:
            raise InvalidReport(_("The photo link is longer than 500 characters."))
    if attributes is not None and not isinstance(attributes, Mapping):
        raise InvalidReport(_("The report's attributes must be a mapping of codes to values."))
    return source_ref, description, title, address, media_url, dict(attributes or {})


def _known_incident(pk: int, ticket: str) -> Incident:
    """A stored incident known only by its id and ticket (what a proposed duplicate needs), not read again."""
    incident = Incident(pk=pk, ticket=ticket)
    incident._state.adding, incident._state.db = False, connection.alias
    return incident


def _existing(channel: str, source_ref: str) -> tuple[Incident, IncidentReport, bool] | None:
    report = IncidentReport.objects.select_related("incident").filter(channel=channel, source_ref=source_ref).first()
    if report is None:
        return None
    return report.incident, report, False


def do_report_incident(
    channel: str,
    *,
    source_ref: str | None,
    category_code: str | Category | catalogue.Entry,
    description: str,
    lat,
    lon,
    reported_at: datetime,
    contact=None,
    acting_user=None,
    priority: str | None = None,
    title: str = "",
    address: str = "",
    media_url: str = "",
    attributes: Mapping | None = None,
    via: str = "ui",
) -> tuple[Incident, IncidentReport, bool]:
    """Take one report. Returns ``(incident, report, created)``.

    The same report again (same ``channel`` and ``source_ref``) returns the stored one with
    ``created=False`` and changes nothing. A new report opens a new incident (status baru) with a
    ticket number; an open incident of the same category nearby is proposed as its duplicate
    (``possible_duplicate_of``) for the operator to merge. ``contact`` (``name``, ``email``,
    ``phone``; a mapping or an object) is the only personal data and stays on the report.

    Raises ``InvalidReport``, ``UnknownCategory`` or ``OutsideCity`` (nothing stored).

    Everything that only reads (the category, its SOP, the place, the duplicate search) happens before
    the writes; the ticket number is taken in one statement of its own, then the incident, report,
    timeline and audit are one short transaction, so neither the month's counter nor the database's
    write lock (SQLite takes it at BEGIN) is held longer than the writing itself.
    """
    # A report without a reference of its own gets a fresh one: it cannot have been taken before.
    named = bool(str(source_ref or "").strip())
    source_ref, description, title, address, media_url, attributes = _clean_report(
        channel, source_ref, description, reported_at, priority, title, address, media_url, attributes
    )
    found = _existing(channel, source_ref) if named else None
    if found:
        return found
    if isinstance(category_code, catalogue.Entry) and category_code.version is not None:
        category, version = category_code.category, category_code.version  # one snapshot, already looked up
    else:
        category = find_category(category_code)
        version = current_version(category)
    kelurahan, kecamatan = geo.locate(lat, lon)
    lat, lon = float(lat), float(lon)
    contact_fields = clean_contact(contact)
    now = timezone.now()
    reported_at = min(reported_at, now)

    from komando.incidents.selectors import nearest_duplicate

    duplicate = nearest_duplicate(category, lat, lon, reported_at)
    incident = Incident(
        category=category,
        priority=priority or category.default_priority,
        status=Status.BARU,
        title=title or f"{category.name} — {kelurahan.name}"[:200],
        description=description,
        lat=lat,
        lon=lon,
        address=address,
        kelurahan=kelurahan,
        kecamatan=kecamatan,
        agency=version.agency,
        playbook_version=version,
        reported_at=reported_at,
        last_reported_at=reported_at,
        created_at=now,
        possible_duplicate_of=_known_incident(*duplicate) if duplicate else None,
    )
    compute_deadlines(incident)
    with _sqlite_writes():
        # The number is taken in its own short transaction (unless the caller holds one): concurrent
        # intakes wait on the month's counter for one statement, not for each other's whole write.
        # An intake that fails after this leaves a gap in the numbers; none is ever given twice.
        incident.ticket = next_ticket(now)
        with transaction.atomic():
            try:
                with transaction.atomic() if named else nullcontext():
                    incident.save()
                    report = IncidentReport.objects.create(
                        incident=incident,
                        ticket_incident=incident,
                        channel=channel,
                        source_ref=source_ref,
                        description=description,
                        lat=lat,
                        lon=lon,
                        address=address,
                        media_url=media_url,
                        attributes=attributes,
                        reported_at=reported_at,
                        received_at=now,
                        created_by=acting_user if is_person(acting_user) else None,
                        **contact_fields,
                    )
            except IntegrityError:
                found = _existing(channel, source_ref)  # the same report, taken by a concurrent request
                if found:
                    return found
                raise
            write_timeline(
                incident,
                kind=TimelineKind.REPORT,
                acting_user=acting_user,
                actor_label=Channel(channel).label,
                to_status=Status.BARU,
                public=True,
                at=now,
                data={"channel": channel, "possible_duplicate_of": duplicate[1] if duplicate else None},
            )
            audit(
                acting_user,
                via=via,
                action="incident.report",
                incident=incident,
                after={
                    "ticket": incident.ticket,
                    "category": category.code,
                    "channel": channel,
                    "source_ref": source_ref,
                    "kelurahan": kelurahan.code,
                    "priority": incident.priority,
                },
            )
            announce(incident, "reported")
    return incident, report, True
