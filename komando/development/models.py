"""Development projects (kegiatan) per OPD from the e-Monev application. Login required to see."""

from django.db import models


class Project(models.Model):
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT)
    source_ref = models.CharField(max_length=80)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(max_length=300)
    fiscal_year = models.PositiveSmallIntegerField()
    budget = models.BigIntegerField(help_text="Pagu, Rupiah")
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.SET_NULL)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency__short_name", "name"]
        constraints = [models.UniqueConstraint(fields=["source", "source_ref"], name="project_unique_per_source")]

    def __str__(self):
        return self.name


class ProgressMonth(models.Model):
    """Cumulative planned and realised progress (percent) at the end of one month."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress")
    month = models.DateField(help_text="First day of the month")
    planned_physical = models.DecimalField(max_digits=5, decimal_places=2)
    realised_physical = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    planned_financial = models.DecimalField(max_digits=5, decimal_places=2)
    realised_financial = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["project", "month"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="progress_unique_month")]
