"""REST endpoints: population (aggregates from SIAK). Public; counts 1–4 are "<5" except for staff."""

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from komando.accounts.access import can_view_internal
from komando.api.fields import PublicCountField
from komando.metrics.selectors.population import kecamatan_population, population_panel
from komando.sources.registry import panel_source


class AgeSexSerializer(serializers.Serializer):
    age_group = serializers.CharField(help_text="Five-year group, e.g. 0-4 … 75+ (youngest first)")
    male = PublicCountField()
    female = PublicCountField()


class KecamatanTotalsSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Kemendagri code, e.g. 36.71.05")
    name = serializers.CharField()
    total = PublicCountField()
    male = PublicCountField()
    female = PublicCountField()
    area_km2 = serializers.FloatField(allow_null=True)
    density_per_km2 = serializers.IntegerField(allow_null=True)


class KelurahanTotalsSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Kemendagri code, e.g. 36.71.05.1001")
    name = serializers.CharField()
    kecamatan_code = serializers.CharField()
    total = PublicCountField()
    male = PublicCountField()
    female = PublicCountField()


class PopulationPanelSerializer(serializers.Serializer):
    source = serializers.CharField(help_text=f"Always {panel_source('population')!r}")
    as_of = serializers.DateField(allow_null=True, help_text="Date of SIAK's data; null before the first run")
    total = PublicCountField()
    male = PublicCountField()
    female = PublicCountField()
    by_kecamatan = KecamatanTotalsSerializer(many=True)
    by_kelurahan = KelurahanTotalsSerializer(many=True)
    by_age_sex = AgeSexSerializer(many=True)


class KelurahanDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    total = PublicCountField()
    male = PublicCountField()
    female = PublicCountField()
    area_km2 = serializers.FloatField(allow_null=True)
    density_per_km2 = serializers.IntegerField(allow_null=True)
    by_age_sex = AgeSexSerializer(many=True)


class KecamatanPopulationSerializer(KelurahanDetailSerializer):
    """A kecamatan has the same figures as a kelurahan, plus its kelurahan."""

    source = serializers.CharField()
    as_of = serializers.DateField(allow_null=True)
    kelurahan = KelurahanDetailSerializer(many=True)


class PopulationPanelView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="population_panel",
        summary="Population of the city per kecamatan, kelurahan and age group × sex (SIAK)",
        responses={200: PopulationPanelSerializer},
        tags=["population"],
    )
    def get(self, request):
        return Response(population_panel(exact=can_view_internal(request.user)))


class KecamatanPopulationView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="population_kecamatan",
        summary="One kecamatan's population with each kelurahan's age group × sex breakdown (SIAK)",
        responses={200: KecamatanPopulationSerializer, 404: OpenApiResponse(description="No such kecamatan")},
        tags=["population"],
    )
    def get(self, request, code: str):
        detail = kecamatan_population(code, exact=can_view_internal(request.user))
        if detail is None:
            raise NotFound(_("No kecamatan with code %(code)s.") % {"code": code})
        return Response(detail)


urlpatterns = [
    path("population/", PopulationPanelView.as_view(), name="api-population"),
    path("population/kecamatan/<str:code>/", KecamatanPopulationView.as_view(), name="api-population-kecamatan"),
]
