"""``/petugas/``: the field officers' app, its service worker and manifest, its JSON API, and the
access-checked view of incident photos."""

from django.urls import path

from komando.incidents.field import views

app_name = "field"
urlpatterns = [
    path("", views.app, name="app"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("api/tasks/", views.api_tasks, name="api_tasks"),
    path("api/dispatches/<int:dispatch_id>/steps/", views.api_step, name="api_step"),
    path("api/dispatches/<int:dispatch_id>/photos/", views.api_photo, name="api_photo"),
    path("api/dispatches/<int:dispatch_id>/resolve/", views.api_resolve, name="api_resolve"),
    path("foto/<int:photo_id>/", views.photo, name="photo"),
]
