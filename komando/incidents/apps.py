from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "komando.incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from komando.incidents import geo

        geo.connect_cache_invalidation()
