"""Complaints (LAKSA, SP4N-LAPOR!) and 112 emergency calls: the raw channels incidents are built from.

Public vs personal fields (UU PDP 27/2022): everything on ``Complaint`` may be shown to staff who may
see internal sources, except ``PERSONAL_FIELDS`` (the complainant's contact), which only the roles
passing ``komando.accounts.access.can_view_complaint_contact`` may see. The connectors never fill
them (LAKSA and LAPOR! do not send reporter identity to Komando, and what they send is dropped).
``EmergencyCall`` has no personal field at all: the caller's number is dropped at the webhook.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PERSONAL_FIELDS = ("contact_name", "contact_phone", "contact_email")


class Channel(models.TextChoices):
    LAKSA = "laksa", _("LAKSA")
    LAPOR = "lapor", _("SP4N-LAPOR!")
    OTHER = "other", _("Other channel")


class ComplaintStatus(models.TextChoices):
    """One scale for every channel; the channel's own word is kept in ``source_status``."""

    WAITING = "waiting", _("Waiting")  # LAKSA menunggu; LAPOR! didisposisikan (awaiting the city)
    IN_PROGRESS = "in_progress", _("In progress")  # LAKSA proses; LAPOR! ditindaklanjuti
    RESOLVED = "resolved", _("Resolved")  # LAKSA selesai; LAPOR! selesai


OPEN_STATUSES = (ComplaintStatus.WAITING, ComplaintStatus.IN_PROGRESS)


class Complaint(models.Model):
    channel = models.CharField(max_length=12, choices=Channel.choices)
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="complaints")
    source_ref = models.CharField(
        max_length=64, help_text="The complaint's id at its source (LAKSA service_request_id, LAPOR! Tracking ID)"
    )
    category_code = models.CharField(max_length=40, blank=True, help_text="Open311 service_code or LAPOR! topic id")
    category = models.CharField(max_length=160, blank=True)
    status = models.CharField(max_length=12, choices=ComplaintStatus.choices, db_index=True)
    source_status = models.CharField(max_length=40, blank=True, help_text="The status in the source's own words")
    status_notes = models.TextField(blank=True)
    title = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        help_text="The OPD responsible",
    )
    agency_name = models.CharField(max_length=200, blank=True, help_text="The OPD as the source names it")
    address = models.CharField(max_length=300, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    kelurahan = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kecamatan = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    media_url = models.URLField(max_length=500, blank=True)
    confidential = models.BooleanField(default=False, help_text="LAPOR! rahasia/anonim: no reporter identity")
    reported_at = models.DateTimeField(help_text="When the complainant reported it (UTC)")
    disposed_at = models.DateTimeField(null=True, blank=True, help_text="LAPOR!: when it was disposed to the city")
    source_updated_at = models.DateTimeField(help_text="Last change at the source (UTC)")
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Personal: the complainant's contact. Never filled by the connectors; see PERSONAL_FIELDS.
    contact_name = models.CharField(max_length=120, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reported_at"]
        constraints = [models.UniqueConstraint(fields=["source", "source_ref"], name="complaint_unique_per_source")]
        indexes = [models.Index(fields=["channel", "status"]), models.Index(fields=["-source_updated_at"])]

    def __str__(self):
        return f"{self.get_channel_display()} {self.source_ref}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EmergencyKind(models.TextChoices):
    MEDICAL = "medis", _("Medical")
    FIRE = "kebakaran", _("Fire")
    ACCIDENT = "kecelakaan", _("Traffic accident")
    CRIME = "kriminalitas", _("Crime")
    DISASTER = "bencana", _("Disaster")
    PRANK = "iseng", _("Prank call")
    OTHER = "lainnya", _("Other")


class EmergencyCall(models.Model):
    """One call to Call Center 112, pushed by the 112 system. The caller's number is never stored."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="emergency_calls")
    call_id = models.CharField(max_length=64)
    received_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=16, choices=EmergencyKind.choices)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    kelurahan = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kecamatan = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True, help_text="The call taker's note, phone numbers masked")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["source", "call_id"], name="emergency_call_unique_per_source")]

    def __str__(self):
        return f"112 {self.call_id}"


class LaporFollowUp(models.Model):
    """A follow-up (tindak lanjut) Komando sent to SP4N-LAPOR! for a disposed report."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="lapor_follow_ups")
    status = models.CharField(max_length=40, help_text="LAPOR! status sent (ditindaklanjuti, selesai)")
    text = models.TextField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField()
    ok = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.complaint} → {self.status}"
