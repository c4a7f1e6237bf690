"""REST endpoints: the city's applications (sources) and the health of their connectors."""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from komando.sources.access import can_view_source_health
from komando.sources.selectors import all_source_health

SourceHealthSchema = inline_serializer(
    name="SourceHealth",
    many=True,
    fields={
        "slug": serializers.CharField(),
        "name": serializers.CharField(),
        "group": serializers.ChoiceField(choices=["e-government", "public-service", "external"]),
        "agency": serializers.CharField(help_text="short name of the owning OPD"),
        "access_level": serializers.ChoiceField(choices=["public", "internal", "restricted"]),
        "connected": serializers.BooleanField(help_text="false: listed, not connected yet"),
        "enabled": serializers.BooleanField(),
        "status": serializers.ChoiceField(choices=["not_connected", "paused", "waiting", "ok", "stale", "failing"]),
        "schedule_seconds": serializers.FloatField(help_text="effective interval between runs"),
        "stale_after_seconds": serializers.FloatField(),
        "last_attempt_at": serializers.DateTimeField(allow_null=True),
        "last_success_at": serializers.DateTimeField(allow_null=True),
        "last_failure_at": serializers.DateTimeField(allow_null=True),
        "lag_seconds": serializers.FloatField(allow_null=True, help_text="seconds since the last success"),
        "data_as_of": serializers.DateTimeField(allow_null=True),
        "last_error": serializers.CharField(
            allow_blank=True, help_text="The internal error text: only for staff, empty for the public"
        ),
        "last_error_kind": serializers.CharField(allow_blank=True),
        "consecutive_failures": serializers.IntegerField(),
        "records_last_run": serializers.IntegerField(),
        "circuit_state": serializers.ChoiceField(
            choices=["closed", "open", "half_open"],
            help_text="open: attempts stopped after repeated failures until the next probe; half_open: probing",
        ),
        "circuit_opened_at": serializers.DateTimeField(allow_null=True),
        "circuit_retry_at": serializers.DateTimeField(allow_null=True, help_text="when the next probe is allowed"),
        "circuit_trips": serializers.IntegerField(help_text="times the circuit opened since the last success"),
    },
)


@extend_schema(
    operation_id="sources_list",
    summary="The city's applications with the health of their connectors",
    responses={200: SourceHealthSchema},
    tags=["sources"],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def source_list(request):
    # The public sees each source's status and error kind, never the internal error text.
    return Response(all_source_health(with_error_text=can_view_source_health(request.user)))


urlpatterns = [path("sources/", source_list, name="source-list")]
