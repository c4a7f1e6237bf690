from django.urls import path

from komando.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alerts_page, name="page"),
    path("api/", views.alerts_json, name="json"),
    path("<int:alert_id>/tanggapi/", views.acknowledge, name="acknowledge"),
    path("cap.xml", views.cap_index, name="cap_index"),
    path("cap/<int:alert_id>.xml", views.cap_alert, name="cap_alert"),
]
