"""``/kinerja/``: the public OPD and kecamatan scorecard, as a page and as JSON."""

from django.urls import path

from komando.incidents.scorecard import views

app_name = "scorecard"
urlpatterns = [
    path("", views.scorecard_page, name="page"),
    path("data.json", views.scorecard_json, name="data"),
]
