"""REST endpoint: earthquakes and weather warnings from BMKG. Public."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from komando.hazards.selectors import hazards_panel
from komando.sources.registry import panel_source


class EarthquakeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source_ref = serializers.CharField(help_text="The quake's id at BMKG: UTC time and epicentre 'lat,lon'")
    occurred_at = serializers.DateTimeField(help_text="Origin time (UTC)")
    magnitude = serializers.FloatField()
    depth_km = serializers.FloatField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    region = serializers.CharField(help_text="Where the epicentre is, in BMKG's words (Wilayah)")
    tsunami_potential = serializers.CharField(help_text="BMKG's Potensi; may be empty")
    felt = serializers.CharField(help_text="Where it was felt, MMI scale (Dirasakan); may be empty")
    shakemap = serializers.CharField(help_text="Shakemap file name at BMKG (DataMKG/TEWS/<name>); may be empty")
    distance_km = serializers.FloatField(help_text="Distance of the epicentre from the city centre")


class MultiPolygonField(serializers.JSONField):
    pass


class WeatherWarningSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    identifier = serializers.CharField(help_text="CAP identifier")
    event = serializers.CharField()
    headline = serializers.CharField()
    description = serializers.CharField(help_text="Names the kecamatan concerned")
    severity = serializers.ChoiceField(choices=["Extreme", "Severe", "Moderate", "Minor", "Unknown"])
    urgency = serializers.ChoiceField(choices=["Immediate", "Expected", "Future", "Past", "Unknown"])
    certainty = serializers.CharField()
    sender_name = serializers.CharField()
    area_desc = serializers.CharField(help_text="Area named by the warning (a province for BMKG)")
    sent = serializers.DateTimeField()
    effective = serializers.DateTimeField()
    expires = serializers.DateTimeField(allow_null=True)
    affects_city = serializers.BooleanField(
        help_text="The warning's polygons overlap the city's kecamatan, or it names the city or one of them"
    )
    web = serializers.CharField(help_text="Infographic URL; may be empty")
    polygons = MultiPolygonField(allow_null=True, help_text="GeoJSON MultiPolygon, [lon, lat]")


class HazardsPanelSerializer(serializers.Serializer):
    source = serializers.CharField(help_text=f"Always {panel_source('hazards')!r}")
    latest_earthquake = EarthquakeSerializer(allow_null=True)
    recent_earthquakes = EarthquakeSerializer(many=True, help_text="At most 15, newest first")
    active_warnings = WeatherWarningSerializer(many=True, help_text="Not expired; those over the city first")


class HazardsPanelView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="hazards_retrieve",
        summary="Latest earthquakes and the weather warnings in force (BMKG)",
        responses={200: HazardsPanelSerializer},
        tags=["hazards"],
    )
    def get(self, request):
        return Response(hazards_panel())


urlpatterns = [
    path("hazards/", HazardsPanelView.as_view(), name="api-hazards"),
]
