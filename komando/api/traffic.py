"""REST endpoints: intersection cameras and traffic state (ATCS), and the snapshot proxy. Public."""

import httpx
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from komando.metrics.selectors.traffic import camera_snapshot_upstream, traffic_panel
from komando.sources.registry import panel_source

SNAPSHOT_TIMEOUT_SECONDS = 3.0
CONGESTION = ["lancar", "ramai", "padat", "macet"]


class CongestionSummarySerializer(serializers.Serializer):
    lancar = serializers.IntegerField()
    ramai = serializers.IntegerField()
    padat = serializers.IntegerField()
    macet = serializers.IntegerField()
    offline = serializers.IntegerField()


class CameraStateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source_ref = serializers.CharField(help_text="The camera's id in ATCS")
    name = serializers.CharField(help_text="Intersection")
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    kecamatan_code = serializers.CharField(allow_null=True)
    online = serializers.BooleanField()
    snapshot_url = serializers.CharField(help_text="Komando's proxy: /api/cameras/<id>/snapshot.jpg")
    observed_at = serializers.DateTimeField(allow_null=True, help_text="End of the latest interval")
    interval_minutes = serializers.IntegerField(allow_null=True)
    vehicles = serializers.IntegerField(allow_null=True)
    average_speed_kmh = serializers.FloatField(allow_null=True)
    congestion = serializers.ChoiceField(choices=CONGESTION, allow_null=True)


class TrafficPanelSerializer(serializers.Serializer):
    source = serializers.CharField(help_text=f"Always {panel_source('traffic')!r}")
    observed_at = serializers.DateTimeField(allow_null=True)
    summary = CongestionSummarySerializer()
    cameras = CameraStateSerializer(many=True)


class TrafficPanelView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="cameras_list",
        summary="Intersection cameras with their latest traffic state (ATCS)",
        responses={200: TrafficPanelSerializer},
        tags=["traffic"],
    )
    def get(self, request):
        return Response(traffic_panel())


class JPEGRenderer(BaseRenderer):
    media_type = "image/jpeg"
    format = "jpg"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CameraSnapshotView(APIView):
    """Fetches the camera's current picture from its source and passes it on, never cached."""

    permission_classes = [AllowAny]
    renderer_classes = [JPEGRenderer, JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # An <img> asks for image/avif, image/webp, */*; a script may ask for JSON: answer both.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="camera_snapshot",
        summary="The camera's current snapshot (JPEG), proxied from its source",
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="JPEG picture, Cache-Control: no-store"),
            (404, "application/json"): OpenApiResponse(description="No such camera"),
            (502, "application/json"): OpenApiResponse(description="The camera's source did not deliver a picture"),
        },
        tags=["traffic"],
    )
    def get(self, request, camera_id: int):
        upstream = camera_snapshot_upstream(camera_id)
        if upstream is None:
            return self._error(404, _("No camera with id %(id)s.") % {"id": camera_id})
        try:
            answer = httpx.get(upstream, timeout=SNAPSHOT_TIMEOUT_SECONDS)
        except httpx.TimeoutException:
            return self._error(
                502,
                _("The camera did not send a picture within %(seconds)s seconds.") % {"seconds": f"{SNAPSHOT_TIMEOUT_SECONDS:g}"},
            )
        except httpx.HTTPError:
            return self._error(502, _("The camera's source cannot be reached."))
        content_type = answer.headers.get("content-type", "").split(";")[0].strip()
        if answer.status_code != 200 or content_type != "image/jpeg":
            return self._error(
                502, _("The camera's source answered HTTP %(status)s without a picture.") % {"status": answer.status_code}
            )
        response = HttpResponse(answer.content, content_type="image/jpeg")
        response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _error(status: int, message: str) -> JsonResponse:
        response = JsonResponse({"detail": message}, status=status)
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [
    path("cameras/", TrafficPanelView.as_view(), name="api-cameras"),
    path("cameras/<int:camera_id>/snapshot.jpg", CameraSnapshotView.as_view(), name="api-camera-snapshot"),
]
