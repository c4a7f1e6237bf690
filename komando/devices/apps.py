from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "komando.devices"
    verbose_name = "Field devices (MQTT)"
