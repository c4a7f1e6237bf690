from django.apps import AppConfig


class SituationConfig(AppConfig):
    name = "komando.situation"
