"""REST endpoints: e-Puskesmas health aggregates (visits, poli, top diagnoses and drugs) per day.

Public; counts of people 1–4 are "<5" except for signed-in staff."""

from datetime import date

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from komando.accounts.access import can_view_internal
from komando.api.fields import PublicCountField
from komando.metrics.selectors.health import health_panel


def _coded(name: str, **extra) -> serializers.Serializer:
    return inline_serializer(
        name=name,
        many=True,
        fields={
            "code": serializers.CharField(),
            "name": serializers.CharField(),
            **extra,
            "count": PublicCountField(),
        },
    )


HealthPanelSchema = inline_serializer(
    name="HealthPanel",
    fields={
        "source": serializers.CharField(help_text="always epuskesmas"),
        "date": serializers.DateField(help_text="the day (WIB)"),
        "visits_total": PublicCountField(),
        "facilities_reporting": serializers.IntegerField(help_text="puskesmas with at least one visit"),
        "facilities_total": serializers.IntegerField(),
        "by_poli": inline_serializer(
            name="HealthPoli", many=True, fields={"poli": serializers.CharField(), "count": PublicCountField()}
        ),
        "top_diagnoses": _coded(
            "HealthDiagnosis",
            name_id=serializers.CharField(allow_null=True, help_text="Indonesian name (the coding's display is WHO English)"),
        ),
        "top_drugs": _coded("HealthDrug"),
        "by_facility": inline_serializer(
            name="HealthFacility",
            many=True,
            fields={
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "lat": serializers.FloatField(allow_null=True),
                "lon": serializers.FloatField(allow_null=True),
                "kecamatan_code": serializers.CharField(allow_null=True, help_text="dotted Kemendagri code"),
                "visits": PublicCountField(),
            },
        ),
    },
)
ErrorSchema = inline_serializer(name="HealthDateError", fields={"detail": serializers.CharField()})


@extend_schema(
    operation_id="health_today",
    summary="e-Puskesmas today (WIB): visits, poli, top-10 ICD-10 diagnoses and drugs (KFA)",
    responses={200: HealthPanelSchema},
    tags=["health"],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def health_today(request):
    return Response(health_panel(exact=can_view_internal(request.user)))


@extend_schema(
    operation_id="health_by_date",
    summary="e-Puskesmas aggregates of one day (WIB)",
    parameters=[OpenApiParameter("date", str, required=True, description="YYYY-MM-DD (WIB)")],
    responses={200: HealthPanelSchema, 400: ErrorSchema},
    tags=["health"],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def health_by_date(request):
    raw = request.query_params.get("date", "")
    try:
        day = date.fromisoformat(raw)
        if len(raw) != 10:
            raise ValueError(raw)
    except ValueError:
        return Response({"detail": _("Give the day as date=YYYY-MM-DD.")}, status=400)
    return Response(health_panel(day, exact=can_view_internal(request.user)))


urlpatterns = [
    path("health/today/", health_today, name="health-today"),
    path("health/", health_by_date, name="health-by-date"),
]
