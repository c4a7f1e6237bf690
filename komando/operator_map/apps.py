from django.apps import AppConfig


class OperatorMapConfig(AppConfig):
    name = "komando.operator_map"
