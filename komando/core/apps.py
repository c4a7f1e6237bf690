from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "komando.core"
