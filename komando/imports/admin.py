"""Imported data comes from uploaded files: visible in the admin, not editable there."""

from django.contrib import admin

from komando.audit.admin_mixins import ReadOnlyAuditedAdmin
from komando.imports.models import ImportBatch, RevenueRealisation


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAuditedAdmin):
    list_display = ["uploaded_at", "template", "file_name", "status", "rows", "created", "updated", "error_count", "uploaded_by"]
    list_filter = ["status", "template"]
    search_fields = ["file_name", "sha256"]


@admin.register(RevenueRealisation)
class RevenueRealisationAdmin(ReadOnlyAuditedAdmin):
    list_display = ["year", "month", "type_code", "type_name", "annual_target", "realised_this_month", "realised_cumulative"]
    list_filter = ["year", "type_code"]
