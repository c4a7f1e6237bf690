from django.contrib import admin

from komando.audit.admin_mixins import AuditedModelAdmin
from komando.regions.models import Region


@admin.register(Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "level", "parent", "area_km2", "geometry_source"]
    list_filter = ["level", "geometry_source"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    # Boundaries are replaced with `komando import-boundaries`, not typed in; they stay out of the form.
    readonly_fields = ["geometry_source"]
    exclude = ["geometry"]
    audit_exclude = ("geometry",)
