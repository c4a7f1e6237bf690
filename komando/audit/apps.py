from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "komando.audit"
