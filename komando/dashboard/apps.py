from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "komando.dashboard"

    def ready(self):
        from komando.dashboard.tiles import register_pis_tiles

        register_pis_tiles()
