from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "komando.services"
    verbose_name = _("Public services and workforce")
