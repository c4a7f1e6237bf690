"""Data from the source applications: visible in the admin, not editable there."""

from django.contrib import admin

from komando.audit.admin_mixins import ReadOnlyAuditedAdmin
from komando.services.models import AttendanceDay, BedSnapshot, PermitApplication, PermitType


@admin.register(PermitType)
class PermitTypeAdmin(ReadOnlyAuditedAdmin):
    list_display = ["code", "name", "sla_days"]
    search_fields = ["code", "name"]


@admin.register(PermitApplication)
class PermitApplicationAdmin(ReadOnlyAuditedAdmin):
    list_display = ["source_ref", "permit_type", "region", "status", "applied_at", "issued_at", "within_sla"]
    list_filter = ["status", "permit_type", "within_sla"]
    list_select_related = ["permit_type", "region"]
    search_fields = ["source_ref"]
    date_hierarchy = "applied_at"


@admin.register(AttendanceDay)
class AttendanceDayAdmin(ReadOnlyAuditedAdmin):
    list_display = [
        "date",
        "agency",
        "asn_count",
        "present",
        "on_time",
        "late",
        "on_leave",
        "sick",
        "absent",
        "performance_score",
    ]
    list_filter = ["agency"]
    list_select_related = ["agency"]
    date_hierarchy = "date"


@admin.register(BedSnapshot)
class BedSnapshotAdmin(ReadOnlyAuditedAdmin):
    list_display = ["observed_at", "hospital", "ward", "total", "occupied", "free"]
    list_filter = ["ward", "hospital"]
    list_select_related = ["hospital"]
    date_hierarchy = "observed_at"
