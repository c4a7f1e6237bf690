"""REST endpoints: permits (Perizinan) and hospital beds, public; civil-servant attendance (Kinerja
ASN), internal: only for roles that may see internal sources."""

from datetime import date

from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from komando.accounts.access import can_view_internal
from komando.services.selectors import beds_summary, permits_summary, workforce_summary


class CanViewInternal(BasePermission):
    message = gettext_lazy("Your role may not see internal sources.")

    def has_permission(self, request, view):
        return can_view_internal(request.user)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# Serializers document the response shapes (OpenAPI); the selectors build the data.
class PermitTypeCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    sla_days = serializers.IntegerField(help_text="Service time, days")
    applied = serializers.IntegerField()
    issued = serializers.IntegerField()
    issued_within_sla = serializers.IntegerField()


class PermitKecamatanCountSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Kemendagri kecamatan code")
    name = serializers.CharField()
    applied = serializers.IntegerField()
    issued = serializers.IntegerField()


class PermitDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    applied = serializers.IntegerField()
    issued = serializers.IntegerField()


class PermitsSummarySerializer(serializers.Serializer):
    source = serializers.CharField(help_text="always perizinan")
    date = serializers.DateField(help_text="today (WIB)")
    data_as_of = serializers.DateTimeField(allow_null=True)
    applied_today = serializers.IntegerField()
    issued_today = serializers.IntegerField()
    in_process = serializers.IntegerField(help_text="submitted or being verified")
    issued_30_days = serializers.IntegerField()
    issued_within_sla_30_days = serializers.IntegerField()
    within_sla_percent_30_days = serializers.FloatField(allow_null=True)
    by_type_this_month = PermitTypeCountSerializer(many=True)
    by_kecamatan_this_month = PermitKecamatanCountSerializer(many=True)
    daily = PermitDaySerializer(many=True, help_text="the last 30 days (WIB), oldest first")


class AgencyAttendanceSerializer(serializers.Serializer):
    agency_code = serializers.CharField()
    agency = serializers.CharField()
    asn_count = serializers.IntegerField()
    present = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    on_leave = serializers.IntegerField()
    sick = serializers.IntegerField()
    absent = serializers.IntegerField(help_text="absent without reason")
    attendance_percent = serializers.FloatField(allow_null=True)
    performance_score = serializers.FloatField(allow_null=True, help_text="average SKP realisation, %")
    updated_at = serializers.DateTimeField()


class WorkforceSummarySerializer(serializers.Serializer):
    source = serializers.CharField(help_text="always kinerja-asn")
    date = serializers.DateField()
    data_as_of = serializers.DateTimeField(allow_null=True)
    asn_count = serializers.IntegerField()
    present = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    on_leave = serializers.IntegerField()
    sick = serializers.IntegerField()
    absent = serializers.IntegerField()
    attendance_percent = serializers.FloatField(allow_null=True)
    performance_score = serializers.FloatField(allow_null=True)
    agencies_reporting = serializers.IntegerField()
    by_agency = AgencyAttendanceSerializer(many=True, help_text="lowest attendance first")


class WardBedsSerializer(serializers.Serializer):
    ward = serializers.CharField(
        help_text="igd, icu, nicu, picu, hcu, isolasi, vip, kelas_1, kelas_2, kelas_3, perinatologi, bersalin"
    )
    label = serializers.CharField()
    total = serializers.IntegerField()
    free = serializers.IntegerField()


class HospitalWardSerializer(WardBedsSerializer):
    updated_at = serializers.DateTimeField()


class HospitalBedsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="the hospital's code in the bed service")
    name = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    kelurahan_code = serializers.CharField(allow_null=True)
    online = serializers.BooleanField()
    total = serializers.IntegerField()
    free = serializers.IntegerField()
    updated_at = serializers.DateTimeField(allow_null=True)
    wards = HospitalWardSerializer(many=True)


class BedsSummarySerializer(serializers.Serializer):
    source = serializers.CharField(help_text="always bed-rsud")
    data_as_of = serializers.DateTimeField(allow_null=True)
    free_total = serializers.IntegerField()
    beds_total = serializers.IntegerField()
    hospitals_reporting = serializers.IntegerField()
    by_ward = WardBedsSerializer(many=True)
    hospitals = HospitalBedsSerializer(many=True)


class PermitsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="permits_summary",
        tags=["services"],
        responses=PermitsSummarySerializer,
        summary="Permits (DPMPTSP): applied and issued today, within service time, per type and kecamatan",
    )
    def get(self, request):
        return Response(PermitsSummarySerializer(permits_summary()).data)


class BedsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="beds_summary",
        tags=["services"],
        responses=BedsSummarySerializer,
        summary="Free hospital beds per hospital and ward (the latest report of each ward)",
    )
    def get(self, request):
        return Response(BedsSummarySerializer(beds_summary()).data)


class WorkforceView(APIView):
    permission_classes = [CanViewInternal]

    @extend_schema(
        operation_id="workforce_summary",
        tags=["services"],
        responses={200: WorkforceSummarySerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        summary="Civil-servant attendance and performance per OPD on one day (internal)",
        parameters=[OpenApiParameter("date", str, description="YYYY-MM-DD (WIB); default today")],
    )
    def get(self, request):
        raw = request.query_params.get("date")
        day = None
        if raw:
            try:
                day = date.fromisoformat(raw)
                if len(raw) != 10:
                    raise ValueError(raw)
            except ValueError:
                return Response({"detail": _("Give the day as date=YYYY-MM-DD.")}, status=400)
        return Response(WorkforceSummarySerializer(workforce_summary(day)).data)


urlpatterns = [
    path("permits/", PermitsView.as_view(), name="api-permits"),
    path("beds/", BedsView.as_view(), name="api-beds"),
    path("workforce/", WorkforceView.as_view(), name="api-workforce"),
]
