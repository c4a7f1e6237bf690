from django.urls import path

from komando.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.pis, name="pis"),
]
