import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Publish the simulated fleet (trucks, Satpol PP units, water gauges) to an MQTT broker."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="broker URL (default: KOMANDO_MQTT_URL)")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between reports")

    def handle(self, *args, url, interval, **options):
        from komando.devices.simulation import run_fleet

        url = url or settings.KOMANDO_MQTT_URL
        if not url:
            raise CommandError("no broker: pass --url mqtt://host:port or set KOMANDO_MQTT_URL")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write(f"fleet simulator → {url} every {interval:.0f} s")
        self.stdout.flush()
        try:
            run_fleet(url, settings.KOMANDO_CITY_DIR, settings.KOMANDO_MQTT_TOPIC_PREFIX, interval, stop)
        except KeyboardInterrupt:
            pass
