"""The situation room's record in the admin: view only. No add, change or delete permission exists
for anyone (superusers included); the record changes only by appending through the actions."""

from django.contrib import admin

from komando.audit.admin_mixins import ReadOnlyAuditedAdmin
from komando.situation.models import (
    ActionItem,
    ActionItemUpdate,
    Attendee,
    Decision,
    IncidentLink,
    Session,
    SessionClosure,
    TimelineEntry,
)


class ViewOnlyAdmin(ReadOnlyAuditedAdmin):
    actions = None  # not even the "delete selected" action

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


@admin.register(Session)
class SessionAdmin(ViewOnlyAdmin):
    list_display = ["title", "chair", "opened_at"]
    search_fields = ["title"]


@admin.register(Decision)
class DecisionAdmin(ViewOnlyAdmin):
    list_display = ["session", "text", "decided_by", "assigned_agency", "deadline", "recorded_at", "corrects"]
    list_filter = ["session"]


@admin.register(ActionItem)
class ActionItemAdmin(ViewOnlyAdmin):
    list_display = ["session", "text", "assigned_agency", "assigned_user", "deadline", "created_at"]


@admin.register(ActionItemUpdate)
class ActionItemUpdateAdmin(ViewOnlyAdmin):
    list_display = ["action_item", "status", "by", "at"]


for model in (SessionClosure, Attendee, IncidentLink, TimelineEntry):
    admin.site.register(model, ViewOnlyAdmin)
