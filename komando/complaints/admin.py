from django.contrib import admin

from komando.accounts.access import can_view_complaint_contact
from komando.audit.admin_mixins import AuditedModelAdmin, ReadOnlyAuditedAdmin
from komando.complaints.models import PERSONAL_FIELDS, Complaint, EmergencyCall, LaporFollowUp


class LaporFollowUpInline(admin.TabularInline):
    model = LaporFollowUp
    extra = 0
    can_delete = False
    fields = ["sent_at", "status", "text", "sent_by", "ok", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(AuditedModelAdmin):
    """Complaints come from their channels: only the complainant's contact may be edited here (by the
    roles that may see it); the contact is kept out of the audit records (personal data)."""

    list_display = ["source_ref", "channel", "category", "status", "agency", "kecamatan", "reported_at"]
    list_filter = ["channel", "status", "agency"]
    search_fields = ["source_ref", "category", "title", "description", "address"]
    date_hierarchy = "reported_at"
    audit_exclude = PERSONAL_FIELDS
    inlines = [LaporFollowUpInline]

    def get_fields(self, request, obj=None):
        fields = [f.name for f in Complaint._meta.fields if f.name != "id"]
        if obj is None or not can_view_complaint_contact(request.user, obj):
            fields = [name for name in fields if name not in PERSONAL_FIELDS]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Complaint._meta.fields if f.name not in PERSONAL_FIELDS]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmergencyCall)
class EmergencyCallAdmin(ReadOnlyAuditedAdmin):
    list_display = ["call_id", "received_at", "kind", "kelurahan", "kecamatan"]
    list_filter = ["kind"]
    search_fields = ["call_id", "note"]
    date_hierarchy = "received_at"


@admin.register(LaporFollowUp)
class LaporFollowUpAdmin(ReadOnlyAuditedAdmin):
    list_display = ["complaint", "status", "sent_at", "sent_by", "ok"]
    list_filter = ["status", "ok"]
