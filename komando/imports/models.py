"""Files uploaded by administrators for applications without an API, and the aggregates they carry.
No row here identifies a person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    IMPORTED = "imported", _("Imported")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Already imported")


class ImportBatch(models.Model):
    """One uploaded file: what it was, who sent it, and what became of it."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="import_batches")
    template = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=10, choices=BatchStatus.choices)
    rows = models.PositiveIntegerField(default=0, help_text="Data rows in the file")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, problem}], the first ones")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["template", "sha256", "status"])]

    def __str__(self):
        return f"{self.file_name} ({self.template}, {self.status})"


class RevenueRealisation(models.Model):
    """Regional revenue of one type in one month: the year's target and what was collected."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    type_code = models.CharField(max_length=40)
    type_name = models.CharField(max_length=120)
    annual_target = models.BigIntegerField(help_text="Rupiah")
    realised_this_month = models.BigIntegerField(help_text="Rupiah")
    realised_cumulative = models.BigIntegerField(help_text="Rupiah, January up to this month")
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, related_name="+", help_text="The import that last wrote this row"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year", "month", "type_code"]
        constraints = [models.UniqueConstraint(fields=["source", "year", "month", "type_code"], name="revenue_unique_cell")]

    def __str__(self):
        return f"{self.year}-{self.month:02d} {self.type_code}"
