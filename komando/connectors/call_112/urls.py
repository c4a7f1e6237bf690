"""The 112 webhook's URL, mounted by ``komando/urls.py`` at ``/api/webhooks/call-112/``."""

from django.urls import path

from komando.connectors.call_112.webhook import call_112_webhook

urlpatterns = [
    path("", call_112_webhook, name="webhook-call-112"),
]
