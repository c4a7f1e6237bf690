"""Incidents: what residents, call takers, sensors and officers report, and how the city answers it
by SOP. Written only by ``komando.incidents.actions``; read through ``komando.incidents.selectors``.

Personal data (UU PDP 27/2022): only a report's contact (``IncidentReport.PERSONAL_FIELDS``) is
personal. It is never put in timeline rows, live events or audit records, and never shown on the
resident's tracking page.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komando.incidents.choices import (
    Channel,
    DispatchStatus,
    ExternalParty,
    HandoffTarget,
    Priority,
    Status,
    TimelineKind,
    external_party_label,
)


class Category(models.Model):
    """A kind of incident, in a tree (groups and their categories). ``code`` is the Open311
    ``service_code`` and the code LAKSA uses for the same kind of complaint."""

    code = models.SlugField(max_length=40, unique=True, help_text=_("Also the Open311 service_code"))
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    keywords = models.CharField(max_length=200, blank=True, help_text=_("Comma-separated (Open311)"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    default_priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.SEDANG)
    emergency = models.BooleanField(
        default=False, help_text=_("Emergencies run on the wall clock (nights, weekends and holidays count)")
    )
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True, help_text=_("Changed last (the intake catalogue's cache key)"))

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Playbook(models.Model):
    """The SOP of one category. Its content lives in immutable versions; the newest one is current."""

    category = models.OneToOneField(Category, on_delete=models.PROTECT, related_name="playbook")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"SOP {self.category}"

    def current_version(self) -> PlaybookVersion | None:
        return self.versions.order_by("-number").first()


class ImmutableQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused too, not only ``save``/``delete`` of one row."""

    def update(self, **kwargs):
        raise ValueError(f"{self.model.__name__} rows are immutable")

    def delete(self):
        raise ValueError(f"{self.model.__name__} rows are immutable")


class PlaybookVersion(models.Model):
    """One version of an SOP. Never changed: editing a playbook creates the next version, and an
    incident keeps the version it started under.

    - ``steps``: ``[{"key": slug, "title": str, "mandatory": bool}]`` in order;
    - ``sla`` (time to resolve) and ``respond_sla`` (time until the OPD takes it up):
      ``{priority: {"amount": n, "unit": "minutes" | "hours" | "working_days"}}`` for every priority;
    - ``escalation``: ``[{"role": rung, "after": {"amount": n, "unit": …}}]``, lowest rung first;
      ``after`` is counted from the breach of the deadline that was missed.
    """

    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+", help_text=_("The OPD responsible"))
    steps = models.JSONField(default=list)
    sla = models.JSONField(default=dict, help_text=_("Time to resolve, per priority"))
    respond_sla = models.JSONField(default=dict, help_text=_("Time to respond, per priority"))
    escalation = models.JSONField(default=list)
    regulation = models.CharField(max_length=300, help_text=_("The regulation the SOP follows, e.g. a Perwal"))
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["playbook", "-number"]
        constraints = [models.UniqueConstraint(fields=["playbook", "number"], name="playbook_version_unique_number")]

    def __str__(self):
        return f"{self.playbook} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A playbook version is immutable: edit the playbook to create a new version")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A playbook version is immutable")

    def content(self) -> dict:
        """What an edit may change (and what the seed compares)."""
        return {
            "agency": self.agency.code,
            "steps": self.steps,
            "sla": self.sla,
            "respond_sla": self.respond_sla,
            "escalation": self.escalation,
            "regulation": self.regulation,
        }


class TicketSequence(models.Model):
    """The last ticket number given in a month (tickets restart at 1 each month)."""

    period = models.CharField(max_length=20, unique=True, help_text=_("Ticket prefix and month, e.g. TNG-2611"))
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.period}: {self.last}"


class Incident(models.Model):
    ticket = models.CharField(max_length=32, unique=True, help_text=_("The number the reporter is given"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="incidents")
    priority = models.CharField(max_length=10, choices=Priority.choices, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BARU, db_index=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    address = models.CharField(max_length=300, blank=True)
    kelurahan = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    kecamatan = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="incidents", help_text=_("The OPD responsible")
    )
    playbook_version = models.ForeignKey(PlaybookVersion, on_delete=models.PROTECT, related_name="incidents")

    reported_at = models.DateTimeField(db_index=True, help_text=_("When the first report was made"))
    last_reported_at = models.DateTimeField(help_text=_("When the newest report was made"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the OPD first took it up (assigned, or a hand-off acknowledged)")
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text=_("Closed, rejected or merged"))
    reopened_at = models.DateTimeField(null=True, blank=True, help_text=_("The last time it was reopened"))
    reopen_count = models.PositiveSmallIntegerField(default=0)

    # Deadlines are columns (computed by komando.incidents.clock): workers query them by index.
    respond_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    resolve_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    escalation_level = models.PositiveSmallIntegerField(
        default=0, help_text=_("0 = not escalated; n = escalated to the n-th rung of the ladder")
    )
    next_escalation_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text=_("When the next rung of the ladder is due")
    )

    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")
    possible_duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("An open incident nearby of the same category, proposed to the operator at intake"),
    )

    class Meta:
        ordering = ["-reported_at"]
        indexes = [
            models.Index(fields=["category", "status", "last_reported_at"], name="incident_duplicate_idx"),
            models.Index(fields=["agency", "status"], name="incident_agency_status_idx"),
        ]

    def __str__(self):
        return self.ticket


class IncidentReport(models.Model):
    """One report of an incident, from any channel. The same report sent again (same channel and
    ``source_ref``) is the same row. Merging moves reports to the surviving incident; ``ticket_incident``
    keeps the incident whose ticket number the reporter was given."""

    PERSONAL_FIELDS = ("contact_name", "contact_email", "contact_phone")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reports")
    ticket_incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="ticket_reports")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    source_ref = models.CharField(max_length=100, help_text=_("The report's id in its channel"))
    description = models.TextField(blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    address = models.CharField(max_length=300, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    attributes = models.JSONField(default=dict, blank=True, help_text=_("Channel-specific answers (Open311 attributes)"))
    reported_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The staff member who entered it, if any"),
    )
    # Personal: the reporter's contact, the only personal data of incidents. Nullable.
    contact_name = models.CharField(max_length=120, null=True, blank=True)
    contact_email = models.EmailField(null=True, blank=True)
    contact_phone = models.CharField(max_length=40, null=True, blank=True)

    class Meta:
        ordering = ["reported_at"]
        constraints = [models.UniqueConstraint(fields=["channel", "source_ref"], name="incident_report_once_per_channel")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.source_ref}"


class TimelineQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValueError("Timeline entries are append-only")

    def delete(self):
        raise ValueError("Timeline entries are append-only")


class TimelineEntry(models.Model):
    """One thing that happened to an incident, written in the same transaction as the change.
    Append-only. ``public`` rows are shown on the resident's tracking page (without the actor)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="timeline")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=150, blank=True, help_text=_("Who, in words (a user, a channel, the system)"))
    kind = models.CharField(max_length=12, choices=TimelineKind.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    comment = models.TextField(blank=True)
    public = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True, help_text=_("Details: step key, hand-off, merged ticket, rung"))

    objects = TimelineQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "timeline entries"

    def __str__(self):
        change = f" {self.from_status}→{self.to_status}" if self.to_status else ""
        return f"{self.incident_id} {self.kind}{change} @ {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Timeline entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Timeline entries are append-only")


class Handoff(models.Model):
    """An incident handed to another OPD, another kelurahan or an outside party. It counts only once
    the receiver acknowledges it; until then the sender may take it back (``withdrawn_at``)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="handoffs")
    target = models.CharField(max_length=12, choices=HandoffTarget.choices)
    to_agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_kelurahan = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_party = models.CharField(max_length=20, choices=ExternalParty.choices, blank=True)
    from_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=20, choices=Status.choices)
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                name="handoff_one_receiver",
                condition=(
                    models.Q(target=HandoffTarget.AGENCY, to_agency__isnull=False, to_kelurahan__isnull=True, to_party="")
                    | models.Q(target=HandoffTarget.KELURAHAN, to_agency__isnull=True, to_kelurahan__isnull=False, to_party="")
                    | (
                        models.Q(target=HandoffTarget.EXTERNAL, to_agency__isnull=True, to_kelurahan__isnull=True)
                        & ~models.Q(to_party="")
                    )
                ),
            ),
        ]

    def __str__(self):
        return f"{self.incident_id} → {self.receiver_label()}"

    @property
    def is_pending(self) -> bool:
        return self.acknowledged_at is None and self.withdrawn_at is None

    def receiver_label(self) -> str:
        if self.target == HandoffTarget.AGENCY and self.to_agency_id:
            return str(self.to_agency)
        if self.target == HandoffTarget.KELURAHAN and self.to_kelurahan_id:
            return self.to_kelurahan.name
        return external_party_label(self.to_party)


class ChecklistEntry(models.Model):
    """A step of the incident's SOP checklist, done."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="checklist")
    step_key = models.SlugField(max_length=60)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["done_at"]
        verbose_name_plural = "checklist entries"
        constraints = [models.UniqueConstraint(fields=["incident", "step_key"], name="checklist_step_once")]

    def __str__(self):
        return f"{self.incident_id} {self.step_key}"


class Dispatch(models.Model):
    """A field unit (an ``assets.Asset``: truck, officer, patrol, ambulance…) sent to an incident.
    Its way there is ``status_changes``, each with time and position."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="dispatches")
    unit = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="dispatches")
    status = models.CharField(max_length=12, choices=DispatchStatus.choices, default=DispatchStatus.DISPATCHED, db_index=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispatched_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    resolved_ref = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_(
            "The id the field app gave the request by which this unit's officer reported the incident "
            "resolved: sent again (offline queue), it changes nothing"
        ),
    )

    class Meta:
        ordering = ["-dispatched_at"]
        constraints = [
            # A unit works one incident at a time: at most one unfinished dispatch per unit.
            models.UniqueConstraint(
                fields=["unit"],
                name="dispatch_one_active_per_unit",
                condition=models.Q(status__in=["dispatched", "en_route", "on_scene"]),
            ),
        ]

    def __str__(self):
        return f"{self.unit} → {self.incident_id} ({self.status})"


class DispatchStatusChange(models.Model):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.PROTECT, related_name="status_changes")
    status = models.CharField(max_length=12, choices=DispatchStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    client_ref = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The id the field app gave this update: sent again (offline queue), it is the same row"),
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.dispatch_id} {self.status} @ {self.at:%H:%M}"


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Resident's photo")
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


def incident_photo_path(photo: IncidentPhoto, filename: str) -> str:
    """A random name under the media root, by month: it tells nothing about the incident or the reporter."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"incident-photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class IncidentPhoto(models.Model):
    """A photo of an incident: the resident's (with their report), or a field officer's before and
    after photos (with the dispatch). The file is re-encoded without any metadata (EXIF GPS of a
    resident's home is personal data) and kept under the media root, never served as a public file:
    staff read it through an access-checked view. ``lat``/``lon`` are the officer's phone position
    when the photo was added, if they shared it."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="photos")
    report = models.ForeignKey(IncidentReport, null=True, blank=True, on_delete=models.PROTECT, related_name="photos")
    dispatch = models.ForeignKey(Dispatch, null=True, blank=True, on_delete=models.PROTECT, related_name="photos")
    kind = models.CharField(max_length=10, choices=PhotoKind.choices)
    file = models.FileField(upload_to=incident_photo_path, max_length=200)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text=_("Bytes, as stored"))
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    client_ref = models.CharField(
        max_length=80,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The id the sender gave this photo: sent again, it is the same row"),
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.incident_id} {self.kind} photo {self.pk}"
