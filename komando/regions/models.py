from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINSI = "provinsi", _("Province")
    KOTA = "kota", _("City")
    KECAMATAN = "kecamatan", _("District (kecamatan)")
    KELURAHAN = "kelurahan", _("Village (kelurahan)")


class GeometrySource(models.TextChoices):
    NONE = "none", _("None")
    SCHEMATIC = "schematic", _("Schematic (computed from centroids)")
    OFFICIAL = "official", _("Official (imported)")


class Region(models.Model):
    """A wilayah with its Kemendagri code (dotted, e.g. 36.71.05.1001)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=120)
    level = models.CharField(max_length=12, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    area_km2 = models.FloatField(null=True, blank=True)
    centroid_lat = models.FloatField()
    centroid_lon = models.FloatField()
    geometry = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry, WGS84 [lon, lat]")
    geometry_source = models.CharField(max_length=12, choices=GeometrySource.choices, default=GeometrySource.NONE)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def code_without_dots(self) -> str:
        return self.code.replace(".", "")
