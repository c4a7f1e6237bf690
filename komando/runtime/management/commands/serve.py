from django.conf import settings
from django.core.management.base import BaseCommand

from komando.core.env import env_bool


class Command(BaseCommand):
    help = "Serve Komando over ASGI (HTTP + WebSocket) with daphne; by default also runs the ingest in-process."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-ingest", action="store_true", help="do not run connectors in this process (run `komando ingest` elsewhere)"
        )

    def handle(self, *args, host, port, no_ingest, **options):
        from daphne.cli import CommandLineInterface

        scheduler = None
        if not no_ingest and env_bool("KOMANDO_INGEST_IN_PROCESS", True):
            from komando.sources.runner import IngestScheduler

            scheduler = IngestScheduler()
            scheduler.start_in_thread()
        escalation = None
        if not no_ingest and env_bool("KOMANDO_ESCALATION_IN_PROCESS", True):
            from komando.incidents.sla.escalation import EscalationWorker

            escalation = EscalationWorker()
            escalation.start_in_thread()
        daily_report = None
        if not no_ingest and env_bool("KOMANDO_DAILY_REPORT_IN_PROCESS", True):
            from komando.reports.schedule import DailyReportScheduler

            daily_report = DailyReportScheduler()
            daily_report.start_in_thread()
        alerts = None
        if not no_ingest and env_bool("KOMANDO_ALERTS_IN_PROCESS", True):
            from komando.alerts.worker import AlertWorker

            alerts = AlertWorker()
            alerts.start_in_thread()
        mqtt_ingest = None
        if not no_ingest and settings.KOMANDO_MQTT_URL and env_bool("KOMANDO_INGEST_IN_PROCESS", True):
            from komando.devices.mqtt import ingest_from_settings

            mqtt_ingest = ingest_from_settings()
            mqtt_ingest.start()
            self.stdout.write(f"MQTT ingest ← {mqtt_ingest.broker.display()}")
        self.stdout.write(f"Komando at http://{host}:{port}/")
        try:
            CommandLineInterface().run(["-b", host, "-p", str(port), "komando.asgi:application"])
        finally:
            if scheduler is not None:
                scheduler.stop()
            if mqtt_ingest is not None:
                mqtt_ingest.stop()
            if escalation is not None:
                escalation.stop()
            if daily_report is not None:
                daily_report.stop()
            if alerts is not None:
                alerts.stop()
