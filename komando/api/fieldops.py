"""REST endpoints: field operations. Garbage collection (DLH) and flood warning (PUPR/BPBD) are
public; public order (Satpol PP, an internal source) needs a signed-in staff role."""

from django.urls import path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from komando.accounts.access import can_view_internal
from komando.fieldops.flood import STATUSES as SIAGA_STATUSES
from komando.fieldops.models import ActivityKind, DutyStatus, RouteStatus
from komando.fieldops.selectors import (
    PUMP_STATUSES,
    SLUICE_STATUSES,
    TPS_STATUSES,
    flood_panel,
    public_order_panel,
    waste_panel,
)
from komando.sources.registry import panel_source


class CanViewInternal(BasePermission):
    message = gettext_lazy("Your role may not see internal data.")

    def has_permission(self, request, view):
        return can_view_internal(request.user)


# Serializers document the response shapes (OpenAPI); the selectors build the data.
class WasteSummarySerializer(serializers.Serializer):
    routes_total = serializers.IntegerField()
    routes_done = serializers.IntegerField()
    routes_in_progress = serializers.IntegerField()
    routes_missed = serializers.IntegerField()
    routes_scheduled = serializers.IntegerField()
    tonnage_t = serializers.FloatField(help_text="Tonnes collected today")
    tps_total = serializers.IntegerField()
    tps_full = serializers.IntegerField()


class WasteRouteSerializer(serializers.Serializer):
    route_ref = serializers.CharField(help_text="The route's id at DLH")
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=RouteStatus.values)
    truck = serializers.CharField(allow_null=True)
    kecamatan_code = serializers.CharField(allow_null=True)
    tps_total = serializers.IntegerField()
    tps_served = serializers.IntegerField()
    tonnage_t = serializers.FloatField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class TpsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source_ref = serializers.CharField()
    name = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    kecamatan_code = serializers.CharField(allow_null=True)
    capacity_m3 = serializers.FloatField(allow_null=True)
    fill_pct = serializers.FloatField(allow_null=True)
    full = serializers.BooleanField()
    status = serializers.ChoiceField(choices=TPS_STATUSES)
    last_emptied_at = serializers.DateTimeField(allow_null=True)
    route_ref = serializers.CharField(allow_null=True)


class TruckSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source_ref = serializers.CharField(help_text="The truck's device id")
    name = serializers.CharField()
    online = serializers.BooleanField(help_text="False while in repair")
    plate = serializers.CharField(allow_null=True)
    route = serializers.CharField(allow_null=True)
    capacity_m3 = serializers.FloatField(allow_null=True)


class WastePanelSerializer(serializers.Serializer):
    source = serializers.CharField(help_text=f"Always {panel_source('waste')!r}")
    date = serializers.DateField(help_text="Today (WIB)")
    summary = WasteSummarySerializer()
    routes = WasteRouteSerializer(many=True)
    tps = TpsSerializer(many=True)
    trucks = TruckSerializer(many=True)


class DutySummarySerializer(serializers.Serializer):
    units = serializers.IntegerField()
    on_duty = serializers.IntegerField()
    on_assignment = serializers.IntegerField()
    off_duty = serializers.IntegerField()
    unknown = serializers.IntegerField(help_text="Units without a reported status")


class ActivityCountSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.values)
    count = serializers.IntegerField()


class UnitDutySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source_ref = serializers.CharField(help_text="The unit's device id")
    name = serializers.CharField(help_text="Call sign")
    kind = serializers.ChoiceField(choices=["officer", "patrol"])
    regu = serializers.CharField(allow_null=True)
    kecamatan_code = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=DutyStatus.values, allow_null=True)
    assignment = serializers.CharField(allow_blank=True)
    since = serializers.DateTimeField(allow_null=True)


class PublicOrderPanelSerializer(serializers.Serializer):
    source = serializers.CharField(help_text=f"Always {panel_source('public_order')!r}")
    date = serializers.DateField(help_text="Today (WIB)")
    summary = DutySummarySerializer()
    activities = ActivityCountSerializer(many=True)
    units = UnitDutySerializer(many=True)


class FloodSummarySerializer(serializers.Serializer):
    gauges = serializers.IntegerField()
    gauges_at_siaga = serializers.IntegerField()
    pumps_running = serializers.IntegerField()
    pumps_standby = serializers.IntegerField()
    pumps_broken = serializers.IntegerField()
    sluice_gates_open = serializers.IntegerField()


class GaugeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source_ref = serializers.CharField(help_text="The gauge's device id")
    name = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    kecamatan_code = serializers.CharField(allow_null=True)
    river = serializers.CharField(allow_null=True)
    normal_m = serializers.FloatField(allow_null=True)
    siaga_3_m = serializers.FloatField(allow_null=True)
    siaga_2_m = serializers.FloatField(allow_null=True)
    siaga_1_m = serializers.FloatField(allow_null=True)
    level_m = serializers.FloatField(allow_null=True, help_text="Latest level (application or device, newest)")
    observed_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=SIAGA_STATUSES, allow_null=True)


class SluiceGateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source_ref = serializers.CharField()
    name = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    river = serializers.CharField(allow_null=True)
    opening_pct = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(choices=SLUICE_STATUSES, allow_null=True)


class PumpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source_ref = serializers.CharField()
    name = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    capacity_m3s = serializers.FloatField(allow_null=True, help_text="m³/s")
    status = serializers.ChoiceField(choices=PUMP_STATUSES, allow_null=True)


class FloodPanelSerializer(serializers.Serializer):
    source = serializers.CharField(help_text=f"Always {panel_source('flood')!r}")
    summary = FloodSummarySerializer()
    gauges = GaugeSerializer(many=True, help_text="Worst first")
    sluice_gates = SluiceGateSerializer(many=True)
    pumps = PumpSerializer(many=True)


class WastePanelView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="waste_retrieve",
        summary="Garbage collection today (DLH): routes done/missed, TPS fill status, trucks",
        responses={200: WastePanelSerializer},
        tags=["field operations"],
    )
    def get(self, request):
        return Response(waste_panel())


class PublicOrderPanelView(APIView):
    permission_classes = [IsAuthenticated, CanViewInternal]

    @extend_schema(
        operation_id="public_order_retrieve",
        summary="Satpol PP today: duty status per unit and activities (staff only)",
        responses={200: PublicOrderPanelSerializer},
        tags=["field operations"],
    )
    def get(self, request):
        return Response(public_order_panel())


class FloodPanelView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="flood_retrieve",
        summary="Flood warning: gauges with level and siaga status, sluice gates, pumps",
        responses={200: FloodPanelSerializer},
        tags=["field operations"],
    )
    def get(self, request):
        return Response(flood_panel())


urlpatterns = [
    path("waste/", WastePanelView.as_view(), name="api-waste"),
    path("public-order/", PublicOrderPanelView.as_view(), name="api-public-order"),
    path("flood/", FloodPanelView.as_view(), name="api-flood"),
]
