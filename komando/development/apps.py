from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "komando.development"
