from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "komando.alerts"

    def ready(self):
        # The development watch pages show the open alerts of kritis projects; development is a
        # lower layer, so the alerts app tells it where they come from.
        from komando.alerts.selectors import open_kritis_project_alerts
        from komando.development.selectors import register_kritis_alerts

        register_kritis_alerts(open_kritis_project_alerts)
