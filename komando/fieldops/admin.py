from django.contrib import admin

from komando.audit.admin_mixins import AuditedModelAdmin
from komando.fieldops.models import OrderActivityDay, UnitDuty, WasteRouteDay


class ReadOnlyAdmin(AuditedModelAdmin):
    """Field operations come from the city's applications: shown, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WasteRouteDay)
class WasteRouteDayAdmin(ReadOnlyAdmin):
    list_display = ["date", "name", "status", "truck", "kecamatan", "tps_served", "tps_total", "tonnage_t"]
    list_filter = ["status", "date", "source"]
    search_fields = ["route_ref", "name"]
    date_hierarchy = "date"


@admin.register(UnitDuty)
class UnitDutyAdmin(ReadOnlyAdmin):
    list_display = ["unit", "status", "assignment", "since", "updated_at"]
    list_filter = ["status"]
    search_fields = ["unit__name", "unit__source_ref", "assignment"]


@admin.register(OrderActivityDay)
class OrderActivityDayAdmin(ReadOnlyAdmin):
    list_display = ["date", "kind", "count", "source"]
    list_filter = ["kind", "source"]
    date_hierarchy = "date"
