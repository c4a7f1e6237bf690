from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from komando.audit.admin_mixins import AuditedModelAdmin, ReadOnlyAuditedAdmin
from komando.sources.models import Source, SourceRun
from komando.sources.selectors import health_status

HEALTH_FIELDS = [
    "last_attempt_at",
    "last_success_at",
    "last_failure_at",
    "last_error_kind",
    "last_error",
    "consecutive_failures",
    "data_as_of",
    "records_last_run",
    "circuit_state",
    "circuit_opened_at",
    "circuit_retry_at",
    "circuit_trips",
]


@admin.register(Source)
class SourceAdmin(AuditedModelAdmin):
    list_display = [
        "name",
        "slug",
        "group",
        "agency",
        "access_level",
        "connector",
        "enabled",
        "health",
        "last_success_at",
        "last_error_kind",
        "consecutive_failures",
    ]
    list_filter = ["group", "access_level", "enabled", "last_error_kind"]
    search_fields = ["slug", "name", "description"]
    list_select_related = ["agency"]
    # Health is written only by the ingest runner; the cursor (where a connector resumes, possibly
    # with tokens) is neither shown nor editable nor copied into audit records.
    readonly_fields = ["health", "cursor_keys", *HEALTH_FIELDS]
    exclude = ["cursor"]
    audit_exclude = ("cursor",)
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "slug",
                    "name",
                    "description",
                    "group",
                    "agency",
                    "access_level",
                    "connector",
                    "schedule_seconds",
                    "enabled",
                ]
            },
        ),
        (_("Health"), {"fields": ["health", *HEALTH_FIELDS, "cursor_keys"]}),
    ]

    @admin.display(description=_("Status"))
    def health(self, obj):
        return health_status(obj)

    @admin.display(description=_("Cursor (keys only)"))
    def cursor_keys(self, obj):
        return ", ".join(sorted((obj.cursor or {}).keys())) or "-"


@admin.register(SourceRun)
class SourceRunAdmin(ReadOnlyAuditedAdmin):
    list_display = ["source", "started_at", "finished_at", "ok", "error_kind", "records"]
    list_filter = ["ok", "error_kind", "source"]
    list_select_related = ["source"]
