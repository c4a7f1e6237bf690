from django.contrib import admin

from komando.agencies.models import Agency
from komando.audit.admin_mixins import AuditedModelAdmin


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["short_name", "code", "name"]
    search_fields = ["code", "short_name", "name"]
