from django.urls import path

from komando.situation import views

app_name = "situation"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("<int:pk>/", views.session_page, name="session"),
    path("<int:pk>/notulen.pdf", views.minutes_pdf, name="minutes"),
    path("api/sesi/", views.api_sessions, name="api-sessions"),
    path("api/sesi/<int:pk>/", views.api_session, name="api-session"),
    path("api/sesi/<int:pk>/peserta/", views.api_attendee, name="api-attendee"),
    path("api/sesi/<int:pk>/insiden/", views.api_link_incident, name="api-link-incident"),
    path("api/sesi/<int:pk>/catatan/", views.api_note, name="api-note"),
    path("api/sesi/<int:pk>/keputusan/", views.api_decisions, name="api-decisions"),
    path("api/sesi/<int:pk>/keputusan/<int:decision_pk>/", views.api_decision, name="api-decision"),
    path("api/sesi/<int:pk>/tindak-lanjut/", views.api_action_items, name="api-action-items"),
    path("api/sesi/<int:pk>/tindak-lanjut/<int:item_pk>/status/", views.api_action_update, name="api-action-update"),
    path("api/sesi/<int:pk>/tutup/", views.api_close, name="api-close"),
    path("api/insiden/", views.api_incident_search, name="api-incident-search"),
]
