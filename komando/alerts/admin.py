from django.contrib import admin

from komando.alerts.actions import do_save_rule
from komando.alerts.models import Alert, AlertRule, Notification


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "severity", "audience", "public", "enabled")
    list_filter = ("kind", "severity", "enabled", "audience")
    search_fields = ("name", "slug")

    def save_model(self, request, obj, form, change):
        do_save_rule(request.user, obj, channel="admin", created=not change)

    def has_delete_permission(self, request, obj=None):
        return False  # alerts point at their rule; disable a rule instead


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Read-only: alerts are raised and cleared by the evaluator and acknowledged on /peringatan/."""

    list_display = ("rule", "subject", "severity", "raised_at", "cleared_at", "acknowledged_by")
    list_filter = ("severity", "rule")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("alert", "event", "channel", "target", "status", "attempts", "sent_at")
    list_filter = ("status", "channel")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
