"""Natural hazards from outside feeds: earthquakes and weather warnings (BMKG)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Earthquake(models.Model):
    """One earthquake as a seismological agency reported it. Times in UTC."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="earthquakes")
    source_ref = models.CharField(max_length=120, help_text=_("The quake's id at the source (time and epicentre)"))
    occurred_at = models.DateTimeField(db_index=True)
    magnitude = models.DecimalField(max_digits=4, decimal_places=2)
    depth_km = models.DecimalField(max_digits=6, decimal_places=2)
    lat = models.FloatField()
    lon = models.FloatField()
    region = models.TextField(help_text=_("Where the epicentre is, as the source words it (Wilayah)"))
    tsunami_potential = models.TextField(blank=True)
    felt = models.TextField(blank=True, help_text=_("Where it was felt, MMI scale (Dirasakan)"))
    shakemap = models.CharField(max_length=120, blank=True)
    distance_km = models.FloatField(help_text=_("Distance from the city centre"))
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [models.UniqueConstraint(fields=["source", "source_ref"], name="earthquake_unique_per_source")]
        verbose_name = _("earthquake")
        verbose_name_plural = _("earthquakes")

    def __str__(self):
        return f"M{self.magnitude} {self.occurred_at:%Y-%m-%d %H:%M} UTC {self.region}"


class WeatherWarning(models.Model):
    """One CAP 1.2 weather warning (its first Indonesian info block). Times in UTC."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="weather_warnings")
    identifier = models.CharField(max_length=255, help_text=_("The CAP identifier"))
    sent = models.DateTimeField()
    effective = models.DateTimeField()
    expires = models.DateTimeField(null=True, blank=True, db_index=True)
    event = models.CharField(max_length=255)
    headline = models.TextField(blank=True)
    description = models.TextField(blank=True)
    severity = models.CharField(max_length=16)
    urgency = models.CharField(max_length=16)
    certainty = models.CharField(max_length=16)
    sender_name = models.CharField(max_length=255, blank=True)
    area_desc = models.TextField(blank=True)
    polygons = models.JSONField(null=True, blank=True, help_text=_("GeoJSON MultiPolygon, WGS84 [lon, lat]"))
    affects_city = models.BooleanField(default=False)
    web = models.URLField(max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent"]
        constraints = [models.UniqueConstraint(fields=["source", "identifier"], name="weather_warning_unique_per_source")]
        verbose_name = _("weather warning")
        verbose_name_plural = _("weather warnings")

    def __str__(self):
        return f"{self.identifier} {self.event} ({self.area_desc})"
