"""Projects and progress come from e-Monev (every sync overwrites them): visible, not editable here."""

from django.contrib import admin

from komando.audit.admin_mixins import ReadOnlyAuditedAdmin
from komando.development.models import ProgressMonth, Project


class ProgressMonthInline(admin.TabularInline):
    model = ProgressMonth
    extra = 0
    can_delete = False
    readonly_fields = ["month", "planned_physical", "realised_physical", "planned_financial", "realised_financial"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAuditedAdmin):
    list_display = ["name", "agency", "fiscal_year", "budget", "region", "source_ref"]
    list_filter = ["fiscal_year", "agency"]
    search_fields = ["name", "source_ref"]
    list_select_related = ["agency", "region"]
    inlines = [ProgressMonthInline]


@admin.register(ProgressMonth)
class ProgressMonthAdmin(ReadOnlyAuditedAdmin):
    list_display = ["project", "month", "planned_physical", "realised_physical", "planned_financial", "realised_financial"]
    list_filter = ["month"]
    list_select_related = ["project"]
