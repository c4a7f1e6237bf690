from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "komando.audit"

    def ready(self):
        from komando.audit import receivers  # noqa: F401  (connects the sign-in/sign-out receivers)
