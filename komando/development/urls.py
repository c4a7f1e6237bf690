from django.urls import path

from komando.development import views

app_name = "development"
urlpatterns = [
    path("", views.overview, name="watch"),
    path("opd/<slug:code>/", views.agency_page, name="agency"),
    path("proyek/<int:project_id>/", views.project_page, name="project"),
]
