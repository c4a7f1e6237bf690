from django.urls import path

from komando.incidents.console import views

app_name = "console"
urlpatterns = [
    path("", views.console_page, name="page"),
    path("api/antrian/", views.api_queue, name="queue"),
    path("api/insiden/<int:pk>/", views.api_incident, name="incident"),
    path("api/insiden/<int:pk>/<slug:step>/", views.api_step, name="step"),
]
