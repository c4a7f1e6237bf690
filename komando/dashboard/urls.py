from django.urls import path

from komando.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.pis, name="pis"),
    path("pis/state.json", views.pis_state, name="pis-state"),
]
