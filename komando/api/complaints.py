"""REST endpoints: complaints (LAKSA, SP4N-LAPOR!) for signed-in staff, an OPD officer seeing only
their own OPD's; 112 calls for the operations roles (the operator map's gate); a complainant's
contact only for the roles handling the complaint. (The 112 webhook is the
connector's own: komando/connectors/call_112/webhook.py.)"""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from komando.accounts.access import can_view_complaint_contact, can_view_emergency_calls, can_view_internal
from komando.complaints.models import Channel, ComplaintStatus, EmergencyKind
from komando.complaints.selectors import (
    complaint_dict,
    complaints_queryset,
    complaints_visible_to,
    recent_emergency_calls,
)

DEFAULT_LIMIT, MAX_LIMIT = 200, 1000


class CanViewInternal(BasePermission):
    message = gettext_lazy("Your role may not see internal sources.")

    def has_permission(self, request, view):
        return can_view_internal(request.user)


class CanViewEmergencyCalls(BasePermission):
    message = gettext_lazy("Your role may not see Call Center 112 calls.")

    def has_permission(self, request, view):
        return can_view_emergency_calls(request.user)


PERMISSIONS = [IsAuthenticated, CanViewInternal]


class ComplaintSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    source = serializers.CharField(help_text="Source slug: laksa or lapor")
    source_ref = serializers.CharField(help_text="Id at the source: LAKSA service_request_id, LAPOR! Tracking ID")
    category_code = serializers.CharField(help_text="Open311 service_code or LAPOR! topic id")
    category = serializers.CharField()
    status = serializers.ChoiceField(choices=ComplaintStatus.choices)
    source_status = serializers.CharField(
        help_text="In the source's words: menunggu/proses/selesai, didisposisikan/ditindaklanjuti/selesai"
    )
    status_notes = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    agency_code = serializers.CharField(allow_null=True, help_text="The OPD responsible")
    agency_name = serializers.CharField()
    address = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    kelurahan_code = serializers.CharField(allow_null=True)
    kelurahan = serializers.CharField(allow_null=True)
    kecamatan_code = serializers.CharField(allow_null=True)
    kecamatan = serializers.CharField(allow_null=True)
    media_url = serializers.CharField()
    confidential = serializers.BooleanField(help_text="LAPOR! rahasia/anonim")
    reported_at = serializers.DateTimeField()
    disposed_at = serializers.DateTimeField(allow_null=True, help_text="LAPOR!: disposed to the city")
    source_updated_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    contact_name = serializers.CharField(
        required=False, help_text="Only for operators, administrators and the OPD officer of the responsible OPD"
    )
    contact_phone = serializers.CharField(required=False, help_text="Idem")
    contact_email = serializers.CharField(required=False, help_text="Idem")


class ComplaintListSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="All complaints matching the filters")
    complaints = ComplaintSerializer(many=True, help_text="Newest first, at most `limit`")


class EmergencyCallSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    call_id = serializers.CharField()
    received_at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=EmergencyKind.choices)
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    kelurahan_code = serializers.CharField(allow_null=True)
    kecamatan_code = serializers.CharField(allow_null=True)
    note = serializers.CharField(help_text="The call taker's note; phone numbers masked. The caller's number is never stored.")


class EmergencyCallListSerializer(serializers.Serializer):
    hours = serializers.IntegerField()
    calls = EmergencyCallSerializer(many=True, help_text="Newest first")


def _int_param(request, name: str, default: int, low: int, high: int) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if low <= value <= high else None


class ComplaintListView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="complaints_list",
        tags=["complaints"],
        responses=ComplaintListSerializer,
        summary="Complaints from LAKSA and SP4N-LAPOR!, newest first",
        parameters=[
            OpenApiParameter("channel", str, enum=list(Channel.values)),
            OpenApiParameter("status", str, enum=list(ComplaintStatus.values)),
            OpenApiParameter("open", bool, description="Only waiting and in-progress complaints"),
            OpenApiParameter("limit", int, description=f"1–{MAX_LIMIT}, default {DEFAULT_LIMIT}"),
        ],
    )
    def get(self, request):
        channel = request.query_params.get("channel") or None
        status = request.query_params.get("status") or None
        if channel is not None and channel not in Channel.values:
            return Response(
                {"detail": _("channel must be one of: %(choices)s") % {"choices": ", ".join(Channel.values)}}, status=400
            )
        if status is not None and status not in ComplaintStatus.values:
            return Response(
                {"detail": _("status must be one of: %(choices)s") % {"choices": ", ".join(ComplaintStatus.values)}}, status=400
            )
        limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        if limit is None:
            return Response({"detail": _("limit must be a whole number from 1 to %(max)d") % {"max": MAX_LIMIT}}, status=400)
        open_only = (request.query_params.get("open") or "").lower() in {"1", "true", "yes"}
        complaints = complaints_queryset(channel=channel, status=status, open_only=open_only, user=request.user)
        return Response(
            {
                "count": complaints.count(),
                "complaints": [complaint_dict(c, can_view_complaint_contact(request.user, c)) for c in complaints[:limit]],
            }
        )


class ComplaintDetailView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        operation_id="complaints_retrieve", tags=["complaints"], responses=ComplaintSerializer, summary="One complaint"
    )
    def get(self, request, complaint_id: int):
        # Outside the viewer's scope answers 404 like a missing id (no enumeration of other OPDs' ids).
        complaint = get_object_or_404(
            complaints_visible_to(request.user).select_related("source", "agency", "kelurahan", "kecamatan"),
            pk=complaint_id,
        )
        return Response(complaint_dict(complaint, can_view_complaint_contact(request.user, complaint)))


class EmergencyCallListView(APIView):
    permission_classes = [IsAuthenticated, CanViewEmergencyCalls]

    @extend_schema(
        operation_id="emergency_calls_list",
        tags=["complaints"],
        responses=EmergencyCallListSerializer,
        summary="Call Center 112 calls of the last hours, newest first",
        parameters=[OpenApiParameter("hours", int, description="1–168, default 24")],
    )
    def get(self, request):
        hours = _int_param(request, "hours", 24, 1, 168)
        if hours is None:
            return Response({"detail": _("hours must be a whole number from 1 to 168")}, status=400)
        return Response({"hours": hours, "calls": recent_emergency_calls(hours=hours)})


urlpatterns = [
    path("complaints/", ComplaintListView.as_view(), name="api-complaints"),
    path("complaints/<int:complaint_id>/", ComplaintDetailView.as_view(), name="api-complaint"),
    path("emergency-calls/", EmergencyCallListView.as_view(), name="api-emergency-calls"),
]
