"""``/lapor/``: the residents' report form and the public tracking pages."""

from django.urls import path

from komando.incidents.public import views

app_name = "incidents_public"

urlpatterns = [
    path("", views.report, name="report"),
    path("terkirim/<str:ticket>/", views.sent, name="sent"),
    path("lacak/", views.lookup, name="lookup"),
    path("lacak/<str:ticket>/", views.track, name="track"),
]
