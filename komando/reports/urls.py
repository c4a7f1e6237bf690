"""``/laporan-harian/``: the latest daily report (yesterday, WIB), one day's report, its PDF and regeneration.
Days are matched loosely so that a malformed date gets a clear 400 page rather than a bare 404."""

from django.urls import path, re_path

from komando.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_page, name="latest"),
    re_path(r"^(?P<day>[^/]+)\.pdf$", views.report_pdf, name="pdf"),
    re_path(r"^(?P<day>[^/]+)/buat-ulang/$", views.regenerate, name="regenerate"),
    re_path(r"^(?P<day>[^/]+)/$", views.report_page, name="day"),
]
