"""Aggregates from the source applications. No row here identifies a person."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class PopulationCount(models.Model):
    """Residents of one kelurahan of one sex and age group, as the population registry reports."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="population_counts")
    sex = models.CharField(max_length=1, choices=Sex.choices)
    age_group = models.CharField(max_length=10, help_text="e.g. 0-4, 5-9, …, 75+")
    count = models.PositiveIntegerField()
    as_of = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "sex", "age_group"], name="population_unique_cell")]


class VisitCount(models.Model):
    """Visits on one day (WIB) at one puskesmas and poli."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT)
    date = models.DateField(db_index=True)
    facility = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="visit_counts")
    poli = models.CharField(max_length=80)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "facility", "poli"], name="visit_unique_cell")]


class DiagnosisCount(models.Model):
    """Diagnoses (ICD-10) recorded on one day at one puskesmas."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT)
    date = models.DateField(db_index=True)
    facility = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="diagnosis_counts")
    icd10_code = models.CharField(max_length=10)
    icd10_name = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "facility", "icd10_code"], name="diagnosis_unique_cell")]


class PrescriptionCount(models.Model):
    """Prescription items of one drug (KFA code) on one day at one puskesmas."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT)
    date = models.DateField(db_index=True)
    facility = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="prescription_counts")
    kfa_code = models.CharField(max_length=20)
    drug_name = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "facility", "kfa_code"], name="prescription_unique_cell")]


class CongestionLevel(models.TextChoices):
    LANCAR = "lancar", _("Free flowing")
    RAMAI = "ramai", _("Busy")
    PADAT = "padat", _("Dense")
    MACET = "macet", _("Jammed")


class TrafficObservation(models.Model):
    """Traffic at one intersection camera over one interval."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT)
    camera = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="traffic")
    observed_at = models.DateTimeField(db_index=True, help_text="End of the interval")
    interval_minutes = models.PositiveSmallIntegerField()
    vehicles = models.PositiveIntegerField()
    average_speed_kmh = models.FloatField(null=True, blank=True)
    congestion = models.CharField(max_length=10, choices=CongestionLevel.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["camera", "observed_at"], name="traffic_unique_interval")]
