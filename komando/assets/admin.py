from django.contrib import admin

from komando.assets.models import Asset
from komando.audit.admin_mixins import AuditedModelAdmin


@admin.register(Asset)
class AssetAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "source", "source_ref", "region", "online", "updated_at"]
    list_filter = ["kind", "online", "source"]
    search_fields = ["name", "source_ref"]
    list_select_related = ["source", "region"]
    autocomplete_fields = ["region"]
    readonly_fields = ["source", "source_ref", "updated_at"]
