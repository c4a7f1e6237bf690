import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Subscribe to the field devices over MQTT (KOMANDO_MQTT_URL) and store what they publish."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="broker URL, e.g. mqtt://127.0.0.1:1883 (default: KOMANDO_MQTT_URL)")
        parser.add_argument("--client-id", default="", help="MQTT client id = persistent session name")

    def handle(self, *args, url, client_id, **options):
        from komando.devices.mqtt import ingest_from_settings

        url = url or settings.KOMANDO_MQTT_URL
        if not url:
            raise CommandError("no broker: set KOMANDO_MQTT_URL or pass --url mqtt://host:port")
        settings.KOMANDO_MQTT_URL = url
        ingest = ingest_from_settings(**({"client_id": client_id} if client_id else {}))
        signal.signal(signal.SIGTERM, lambda *_: ingest._stop.set())
        self.stdout.write(f"MQTT ingest {ingest.client_id} → {ingest.broker.display()}", ending="\n")
        self.stdout.flush()
        try:
            ingest.run_forever()
        except KeyboardInterrupt:
            pass
