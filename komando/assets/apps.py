from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "komando.assets"
