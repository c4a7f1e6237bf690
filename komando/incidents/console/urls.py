from django.urls import path

from komando.incidents.console import views

app_name = "console"
urlpatterns = [
    path("", views.console_page, name="page"),
    path("api/antrian/", views.QueueView.as_view(), name="queue"),
    path("api/insiden/<int:pk>/", views.IncidentView.as_view(), name="incident"),
    *(path(f"api/insiden/<int:pk>/{name}/", views.step_view(name), name=f"step-{name}") for name in views.STEPS),
]
