"""Public-service and workforce data from three of the city's applications.

- Perizinan (DPMPTSP): permit applications, without any applicant identity (no name, NIK or phone:
  the connector drops them at the edge), so that counts per day, type and kecamatan can be taken.
- Kinerja ASN (BKPSDM): attendance and e-Kinerja performance per OPD per day, aggregates only.
- Bed availability (RSUD and the hospitals the city tracks): one snapshot per hospital, ward and
  moment the hospital reported, kept as history.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PermitType(models.Model):
    """A kind of permit DPMPTSP issues, with its service time (SLA) in days."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT)
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    sla_days = models.PositiveIntegerField(help_text=_("Service time promised to the applicant, in days"))

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["source", "code"], name="permit_type_unique_per_source")]

    def __str__(self):
        return f"{self.code} {self.name}"


class PermitStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_PROCESS = "in_process", _("In process")
    ISSUED = "issued", _("Issued")
    REJECTED = "rejected", _("Rejected")


class PermitApplication(models.Model):
    """One permit application as DPMPTSP tracks it; no applicant identity is ever stored."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT)
    source_ref = models.CharField(max_length=80, help_text=_("The application number in the permit system"))
    permit_type = models.ForeignKey(PermitType, on_delete=models.PROTECT, related_name="applications")
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="permit_applications",
        help_text=_("Kelurahan of the building or business"),
    )
    status = models.CharField(max_length=12, choices=PermitStatus.choices, db_index=True)
    applied_at = models.DateTimeField(db_index=True)
    issued_at = models.DateTimeField(null=True, blank=True, db_index=True)
    within_sla = models.BooleanField(null=True, help_text=_("Issued within the service time (empty until issued)"))
    source_updated_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-applied_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_ref"], name="permit_application_unique_per_source"),
        ]

    def __str__(self):
        return self.source_ref


class AttendanceDay(models.Model):
    """Attendance and performance of one OPD's civil servants (ASN) on one day (aggregates only)."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="attendance_days")
    date = models.DateField(db_index=True)
    asn_count = models.PositiveIntegerField()
    present = models.PositiveIntegerField()
    on_time = models.PositiveIntegerField()
    late = models.PositiveIntegerField()
    on_leave = models.PositiveIntegerField(help_text=_("On leave (cuti)"))
    sick = models.PositiveIntegerField()
    absent = models.PositiveIntegerField(help_text=_("Absent without reason"))
    performance_score = models.FloatField(null=True, blank=True, help_text=_("Average SKP realisation in e-Kinerja, %"))
    source_updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "agency"]
        constraints = [models.UniqueConstraint(fields=["agency", "date"], name="attendance_unique_agency_day")]

    def __str__(self):
        return f"{self.agency_id} {self.date}"


class Ward(models.TextChoices):
    IGD = "igd", _("Emergency (IGD)")
    ICU = "icu", _("ICU")
    NICU = "nicu", _("NICU")
    PICU = "picu", _("PICU")
    HCU = "hcu", _("HCU")
    ISOLATION = "isolasi", _("Isolation")
    VIP = "vip", _("VIP")
    CLASS_1 = "kelas_1", _("Class I")
    CLASS_2 = "kelas_2", _("Class II")
    CLASS_3 = "kelas_3", _("Class III")
    PERINATOLOGY = "perinatologi", _("Perinatology")
    MATERNITY = "bersalin", _("Maternity")


class BedSnapshot(models.Model):
    """Beds of one ward of one hospital as the hospital reported them at ``observed_at``."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT)
    hospital = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="bed_snapshots")
    ward = models.CharField(max_length=16, choices=Ward.choices)
    total = models.PositiveIntegerField()
    occupied = models.PositiveIntegerField()
    free = models.PositiveIntegerField()
    observed_at = models.DateTimeField(db_index=True, help_text=_("When the hospital updated the figures"))

    class Meta:
        ordering = ["-observed_at"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "ward", "observed_at"], name="bed_snapshot_unique"),
        ]
        indexes = [models.Index(fields=["hospital", "ward", "-observed_at"], name="bed_latest_idx")]

    def __str__(self):
        return f"{self.hospital_id} {self.ward} {self.observed_at:%Y-%m-%d %H:%M}"
