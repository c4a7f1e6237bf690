"""Field operations as their applications report them: garbage routes of the day (DLH), Satpol PP
duty statuses and activity counts. Registries (trucks, TPS, officers, gauges, gates, pumps) are
``komando.assets.Asset`` rows; live positions and water levels come from the device ingest."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RouteStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


class WasteRouteDay(models.Model):
    """One garbage collection route on one day (WIB), updated as the day goes on; kept as history."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="waste_routes")
    route_ref = models.CharField(max_length=80, help_text=_("The route's id in the source application"))
    date = models.DateField(help_text=_("The day of the route (WIB)"))
    name = models.CharField(max_length=200)
    truck = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="waste_routes")
    kecamatan = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=20, choices=RouteStatus.choices)
    tps_total = models.PositiveIntegerField(default=0)
    tps_served = models.PositiveIntegerField(default=0)
    tonnage_t = models.FloatField(default=0, help_text=_("Tonnes collected on this route that day"))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "route_ref"]
        constraints = [models.UniqueConstraint(fields=["source", "route_ref", "date"], name="waste_route_unique_per_day")]
        verbose_name = _("garbage route of the day")
        verbose_name_plural = _("garbage routes of the day")

    def __str__(self):
        return f"{self.date} {self.name}: {self.status}"


class DutyStatus(models.TextChoices):
    ON_DUTY = "on_duty", _("On duty")
    OFF_DUTY = "off_duty", _("Off duty")
    ON_ASSIGNMENT = "on_assignment", _("On assignment")


class UnitDuty(models.Model):
    """The current duty status of one Satpol PP unit (officer or patrol car), as Satpol PP reports it."""

    unit = models.OneToOneField("assets.Asset", on_delete=models.CASCADE, related_name="duty")
    status = models.CharField(max_length=20, choices=DutyStatus.choices)
    assignment = models.CharField(max_length=200, blank=True, help_text=_("What the unit is assigned to, if any"))
    since = models.DateTimeField(null=True, blank=True, help_text=_("Since when the status holds"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__name"]
        verbose_name = _("unit duty status")
        verbose_name_plural = _("unit duty statuses")

    def __str__(self):
        return f"{self.unit}: {self.status}"


class ActivityKind(models.TextChoices):
    PENERTIBAN = "penertiban", _("Enforcement (penertiban)")
    PATROLI = "patroli", _("Patrol")
    PENGAMANAN = "pengamanan", _("Security detail (pengamanan)")


class OrderActivityDay(models.Model):
    """How many activities of one kind Satpol PP carried out on one day (WIB); updated during the day."""

    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="order_activities")
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "kind"]
        constraints = [models.UniqueConstraint(fields=["source", "date", "kind"], name="order_activity_unique_per_day")]
        verbose_name = _("public-order activities of the day")
        verbose_name_plural = _("public-order activities of the day")

    def __str__(self):
        return f"{self.date} {self.kind}: {self.count}"
