from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "komando.imports"
    label = "imports"
    verbose_name = _("File import")

    def ready(self):
        # The revenue tile follows the PIS's own tiles (the dashboard registers those when it is ready,
        # before this app in INSTALLED_APPS): imports sits above the screens, so it registers itself.
        from komando.core.tiles import register_tile
        from komando.imports.selectors import revenue_tile

        register_tile("revenue", revenue_tile)
