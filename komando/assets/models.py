from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetKind(models.TextChoices):
    PUSKESMAS = "puskesmas", _("Community health centre")
    CAMERA = "camera", _("Traffic camera")
    HOSPITAL = "hospital", _("Hospital")
    TPS = "tps", _("Waste collection point (TPS)")
    SLUICE_GATE = "sluice_gate", _("Sluice gate")
    PUMP = "pump", _("Flood pump")
    GAUGE = "gauge", _("Water-level gauge")
    TRUCK = "truck", _("Garbage truck")
    OFFICER = "officer", _("Satpol PP officer")
    PATROL = "patrol", _("Patrol vehicle")


class Asset(models.Model):
    """A thing with a place, as its source application knows it."""

    kind = models.CharField(max_length=20, choices=AssetKind.choices, db_index=True)
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="assets")
    source_ref = models.CharField(max_length=80, help_text="The id the source application uses")
    name = models.CharField(max_length=200)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.SET_NULL)
    online = models.BooleanField(default=True)
    attributes = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["source", "source_ref"], name="asset_unique_per_source")]

    def __str__(self):
        return self.name
