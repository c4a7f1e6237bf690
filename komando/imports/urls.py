from django.urls import path, re_path

from komando.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_page, name="page"),
    re_path(r"^templat/(?P<slug>[-a-z0-9]+)\.(?P<extension>csv|xlsx)$", views.blank_template, name="blank"),
]
