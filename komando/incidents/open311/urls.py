"""``/open311/v2/``: the GeoReport v2 resources, each as ``.xml`` or ``.json``; anything else under
the prefix is a GeoReport 404."""

from django.urls import path, re_path

from komando.incidents.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>[^/.]+)$"

urlpatterns = [
    path("", views.not_found, name="root"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<service_code>[^/]+?)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.service_requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+?)" + FMT, views.service_request, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.token, name="token"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
