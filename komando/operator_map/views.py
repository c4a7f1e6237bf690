from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language, gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from komando.accounts.access import can_view_operations
from komando.operator_map.layers import available_layers, layer_geojson, layer_meta
from komando.operator_map.selectors import operator_map_state


def map_labels() -> dict[str, str]:
    """Every string the map's script writes, translated here."""
    return {
        "truck": gettext("Garbage truck"),
        "officer": gettext("Satpol PP officer"),
        "patrol": gettext("Patrol car"),
        "gauge": gettext("Water-level gauge"),
        "camera": gettext("Traffic camera"),
        "normal": gettext("normal"),
        "siaga_3": gettext("Siaga 3 (alert)"),
        "siaga_2": gettext("Siaga 2 (warning)"),
        "siaga_1": gettext("Siaga 1 (danger)"),
        "unknown": gettext("no reading"),
        "ago_seconds": gettext("{n} s ago"),
        "ago_minutes": gettext("{n} min ago"),
        "ago_hours": gettext("{n} h ago"),
        "never": gettext("no report yet"),
        "speed": gettext("{n} km/h"),
        "battery": gettext("battery {n}%"),
        "level": gettext("{n} m"),
        "units_reporting": gettext("{n} of {m} units reporting"),
        "silent": gettext("silent for over 2 minutes"),
        "live": gettext("Connected"),
        "connecting": gettext("Connecting…"),
        "offline": gettext("Connection lost, reconnecting…"),
        "broker_connected": gettext("MQTT ingest connected"),
        "broker_disconnected": gettext("MQTT ingest not connected"),
        "rejected_today": gettext("{n} rejected messages today"),
        "source": gettext("Source: {name}"),
        "thresholds": gettext("Siaga 3 / 2 / 1: {a} / {b} / {c} m"),
    }


@login_required
def operator_map(request):
    if not can_view_operations(request.user):
        raise PermissionDenied
    language = get_language() or "id"
    return render(
        request,
        "operator_map/peta.html",
        {
            "state": operator_map_state(),
            "labels": map_labels(),
            "number_locale": "id-ID" if language.startswith("id") else "en-GB",
        },
    )


class CanViewOperations(BasePermission):
    def has_permission(self, request, view):
        return can_view_operations(request.user)


class LayerListView(APIView):
    permission_classes = [CanViewOperations]

    @extend_schema(
        operation_id="map_layers_list",
        tags=["operator map"],
        responses={200: OpenApiTypes.OBJECT},
        summary="The operator map's layers (key, title, source)",
    )
    def get(self, request):
        return Response({"layers": [layer_meta(layer) for layer in available_layers()]})


class LayerView(APIView):
    permission_classes = [CanViewOperations]

    @extend_schema(
        operation_id="map_layer_geojson",
        tags=["operator map"],
        responses={200: OpenApiTypes.OBJECT},
        summary="One layer as a GeoJSON FeatureCollection ([lon, lat])",
    )
    def get(self, request, key):
        layer = next((layer for layer in available_layers() if layer.key == key), None)
        if layer is None:
            raise NotFound(f"no map layer {key!r}")
        return Response(layer_geojson(layer), content_type="application/geo+json")


page_urlpatterns = [path("", operator_map, name="operator-map")]
api_urlpatterns = [
    path("map/layers/", LayerListView.as_view(), name="map-layer-list"),
    path("map/layers/<slug:key>/", LayerView.as_view(), name="map-layer"),
]
