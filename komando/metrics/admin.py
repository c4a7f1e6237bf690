"""Aggregates come from the source applications: visible in the admin, not editable there."""

from django.contrib import admin

from komando.audit.admin_mixins import ReadOnlyAuditedAdmin
from komando.metrics.models import (
    DiagnosisCount,
    PopulationCount,
    PrescriptionCount,
    TrafficObservation,
    VisitCount,
)


@admin.register(PopulationCount)
class PopulationCountAdmin(ReadOnlyAuditedAdmin):
    list_display = ["region", "sex", "age_group", "count", "as_of"]
    list_filter = ["sex", "age_group"]
    list_select_related = ["region"]
    search_fields = ["region__code", "region__name"]


@admin.register(VisitCount)
class VisitCountAdmin(ReadOnlyAuditedAdmin):
    list_display = ["date", "facility", "poli", "count"]
    list_filter = ["date", "poli"]
    list_select_related = ["facility"]
    date_hierarchy = "date"


@admin.register(DiagnosisCount)
class DiagnosisCountAdmin(ReadOnlyAuditedAdmin):
    list_display = ["date", "facility", "icd10_code", "icd10_name", "count"]
    list_filter = ["date"]
    list_select_related = ["facility"]
    search_fields = ["icd10_code", "icd10_name"]
    date_hierarchy = "date"


@admin.register(PrescriptionCount)
class PrescriptionCountAdmin(ReadOnlyAuditedAdmin):
    list_display = ["date", "facility", "kfa_code", "drug_name", "count"]
    list_filter = ["date"]
    list_select_related = ["facility"]
    search_fields = ["kfa_code", "drug_name"]
    date_hierarchy = "date"


@admin.register(TrafficObservation)
class TrafficObservationAdmin(ReadOnlyAuditedAdmin):
    list_display = ["observed_at", "camera", "vehicles", "average_speed_kmh", "congestion"]
    list_filter = ["congestion"]
    list_select_related = ["camera"]
    date_hierarchy = "observed_at"
