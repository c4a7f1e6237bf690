from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "komando.accounts"

    def ready(self):
        from django.contrib.auth.models import User
        from django.db.models.signals import m2m_changed

        from komando.accounts.access import forget_roles

        m2m_changed.connect(forget_roles, sender=User.groups.through, dispatch_uid="komando.accounts.forget_roles")
