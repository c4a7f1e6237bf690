from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from komando.operator_map.views import page_urlpatterns as operator_map_pages

urlpatterns = [
    path("", include("komando.dashboard.urls")),
    path("akun/masuk/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("akun/keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/webhooks/call-112/", include("komando.connectors.call_112.urls")),
    path("api/", include("komando.api.urls")),
    path("open311/v2/", include("komando.incidents.open311.urls")),
    path("lapor/", include("komando.incidents.public.urls")),
    path("konsol/", include("komando.incidents.console.urls")),
    path("petugas/", include("komando.incidents.field.urls")),
    path("kinerja/", include("komando.incidents.scorecard.urls")),
    path("dinding/", include("komando.wall.urls")),
    path("ruang/", include("komando.situation.urls")),
    path("pembangunan/", include("komando.development.urls")),
    path("peringatan/", include("komando.alerts.urls")),
    path("laporan-harian/", include("komando.reports.urls")),
    path("sumber/impor/", include("komando.imports.urls")),
    path("sumber/", include("komando.sources.urls")),
    path("peta/", include((operator_map_pages, "operator_map"))),
    path("admin/", admin.site.urls),
]
