from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "komando.incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from komando.incidents import catalogue, geo

        geo.connect_cache_invalidation()
        catalogue.connect_cache_invalidation()
