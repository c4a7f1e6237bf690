from django.urls import path

from komando.sources import views

app_name = "sources"

urlpatterns = [
    path("", views.health_page, name="health"),
    path("<slug:slug>/jeda/", views.pause_source, name="pause"),
    path("<slug:slug>/lanjutkan/", views.resume_source, name="resume"),
    path("<slug:slug>/kredensial/", views.set_credentials, name="credentials"),
]
