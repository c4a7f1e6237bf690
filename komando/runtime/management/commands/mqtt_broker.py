from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the small embedded MQTT broker the demo uses (production: a real broker such as Mosquitto)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=18830)

    def handle(self, *args, host, port, **options):
        from komando.devices.broker import run_broker

        self.stdout.write(f"embedded MQTT broker on mqtt://{host}:{port}")
        self.stdout.flush()
        try:
            run_broker(host, port)
        except KeyboardInterrupt:
            pass
