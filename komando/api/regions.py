"""REST endpoints: regions (kecamatan and kelurahan) as GeoJSON."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from komando.regions.selectors import MAP_LEVELS, region_by_code, region_feature, region_feature_collection

GEOJSON = "application/geo+json"


class RegionPropertiesSchema(serializers.Serializer):
    code = serializers.CharField(help_text="Kemendagri code, dotted (e.g. 36.71.01.1001)")
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=["provinsi", "kota", "kecamatan", "kelurahan"])
    parent_code = serializers.CharField(allow_null=True)
    area_km2 = serializers.FloatField(allow_null=True)
    centroid = serializers.ListField(child=serializers.FloatField(), help_text="[lon, lat], WGS84")
    geometry_source = serializers.ChoiceField(
        choices=["none", "schematic", "official"],
        help_text="schematic: computed from centroids, not an official boundary",
    )


class RegionFeatureSchema(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.CharField()
    geometry = serializers.JSONField(allow_null=True, help_text="GeoJSON Polygon or MultiPolygon, WGS84")
    properties = RegionPropertiesSchema()


class RegionFeatureCollectionSchema(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = RegionFeatureSchema(many=True)


@extend_schema(
    operation_id="regions_list",
    summary="Regions of one level as a GeoJSON FeatureCollection",
    parameters=[
        OpenApiParameter(
            "level",
            str,
            enum=[str(level) for level in MAP_LEVELS],
            default="kecamatan",
            description="kecamatan (districts) or kelurahan (villages)",
        )
    ],
    responses={200: RegionFeatureCollectionSchema, 400: None},
    tags=["regions"],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def region_list(request):
    level = request.query_params.get("level", "kecamatan")
    if level not in MAP_LEVELS:
        raise ValidationError({"level": f"must be one of: {', '.join(MAP_LEVELS)}"})
    return Response(region_feature_collection(level), content_type=GEOJSON)


@extend_schema(
    operation_id="regions_retrieve",
    summary="One region as a GeoJSON Feature",
    responses={200: RegionFeatureSchema, 404: None},
    tags=["regions"],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def region_detail(request, code):
    region = region_by_code(code)
    if region is None:
        raise NotFound(f"no region with code {code}")
    return Response(region_feature(region), content_type=GEOJSON)


urlpatterns = [
    path("regions/", region_list, name="region-list"),
    path("regions/<str:code>/", region_detail, name="region-detail"),
]
