from django.contrib import admin
from django.db import models

from komando.audit.admin_mixins import AuditedModelAdmin
from komando.hazards.models import Earthquake, WeatherWarning


class ReadOnlyAdmin(AuditedModelAdmin):
    """Hazards come from outside feeds: shown, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Earthquake)
class EarthquakeAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "magnitude", "depth_km", "region", "distance_km", "source"]
    list_filter = ["source"]
    search_fields = ["region", "felt", "source_ref"]
    date_hierarchy = "occurred_at"


@admin.register(WeatherWarning)
class WeatherWarningAdmin(ReadOnlyAdmin):
    list_display = ["sent", "event", "area_desc", "severity", "affects_city", "expires", "source"]
    list_filter = ["affects_city", "severity", "source"]
    search_fields = ["identifier", "headline", "description", "area_desc"]
    date_hierarchy = "sent"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
