from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView

from komando.api import complaints as complaints_api
from komando.api import development, fieldops, hazards, health, population, regions, sources, traffic
from komando.api import services as services_api
from komando.operator_map.views import api_urlpatterns as operator_map_api

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    *regions.urlpatterns,
    *sources.urlpatterns,
    *population.urlpatterns,
    *health.urlpatterns,
    *traffic.urlpatterns,
    *development.urlpatterns,
    *hazards.urlpatterns,
    *operator_map_api,
    *fieldops.urlpatterns,
    *complaints_api.urlpatterns,
    *services_api.urlpatterns,
]
