"""Admin: categories are reference data (edited here, audited); incidents, their timelines and SOP
versions change only through the actions, so they are shown read-only, and timeline rows are never
deleted. Reporters' contacts are shown only to the roles that may see them."""

from django.contrib import admin

from komando.accounts.access import can_view_complaint_contact
from komando.audit.admin_mixins import AuditedModelAdmin, ReadOnlyAuditedAdmin
from komando.incidents.models import (
    Category,
    ChecklistEntry,
    Dispatch,
    DispatchStatusChange,
    Handoff,
    Incident,
    IncidentReport,
    Playbook,
    PlaybookVersion,
    TimelineEntry,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TimelineInline(ReadOnlyInline):
    model = TimelineEntry
    fields = ["at", "kind", "from_status", "to_status", "actor_label", "comment", "public"]
    ordering = ["at", "id"]


class ReportInline(ReadOnlyInline):
    model = IncidentReport
    fk_name = "incident"
    fields = ["channel", "source_ref", "reported_at", "description", "ticket_incident"]


class HandoffInline(ReadOnlyInline):
    model = Handoff
    fields = [
        "target",
        "to_agency",
        "to_kelurahan",
        "to_party",
        "reason",
        "requested_at",
        "acknowledged_at",
        "acknowledgement_note",
        "withdrawn_at",
    ]


class ChecklistInline(ReadOnlyInline):
    model = ChecklistEntry
    fields = ["step_key", "done_by", "done_at", "note"]


class DispatchInline(ReadOnlyInline):
    model = Dispatch
    fields = ["unit", "status", "dispatched_at", "updated_at"]


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "parent", "default_priority", "emergency", "active"]
    list_filter = ["emergency", "active", "default_priority"]
    search_fields = ["code", "name", "keywords"]

    def get_readonly_fields(self, request, obj=None):
        # The code is what Open311 clients send; the emergency flag decides which clock its SOP may use.
        return ["code", "emergency"] if obj is not None else []


class PlaybookVersionInline(ReadOnlyInline):
    model = PlaybookVersion
    fields = ["number", "agency", "regulation", "change_note", "created_by", "created_at"]


@admin.register(Playbook)
class PlaybookAdmin(ReadOnlyAuditedAdmin):
    list_display = ["category", "created_at"]
    inlines = [PlaybookVersionInline]


@admin.register(PlaybookVersion)
class PlaybookVersionAdmin(ReadOnlyAuditedAdmin):
    list_display = ["playbook", "number", "agency", "regulation", "created_at"]
    list_filter = ["agency"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAuditedAdmin):
    list_display = [
        "ticket",
        "category",
        "priority",
        "status",
        "agency",
        "kecamatan",
        "reported_at",
        "resolve_due_at",
        "escalation_level",
    ]
    list_filter = ["status", "priority", "agency", "category"]
    search_fields = ["ticket", "title", "description"]
    date_hierarchy = "reported_at"
    inlines = [ReportInline, TimelineInline, ChecklistInline, HandoffInline, DispatchInline]


@admin.register(IncidentReport)
class IncidentReportAdmin(ReadOnlyAuditedAdmin):
    list_display = ["channel", "source_ref", "incident", "reported_at"]
    list_filter = ["channel"]
    search_fields = ["source_ref", "description"]

    def get_fields(self, request, obj=None):
        fields = [f.name for f in IncidentReport._meta.fields if f.name != "id"]
        if obj is None or not can_view_complaint_contact(request.user, obj.incident):
            fields = [name for name in fields if name not in IncidentReport.PERSONAL_FIELDS]
        return fields


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAuditedAdmin):
    list_display = ["incident", "at", "kind", "from_status", "to_status", "actor_label", "public"]
    list_filter = ["kind", "public"]


@admin.register(DispatchStatusChange)
class DispatchStatusChangeAdmin(ReadOnlyAuditedAdmin):
    list_display = ["dispatch", "status", "at", "lat", "lon"]
