import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from komando.sources import registry
from komando.sources.simulation import serve


class Command(BaseCommand):
    help = "Serve the simulator of one source application (its real API, with realistic city data)."

    def add_arguments(self, parser):
        parser.add_argument("connector", help="connector slug, e.g. epuskesmas")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=None)

    def handle(self, *args, connector, host, port, **options):
        manifests = registry.manifests()
        if connector not in manifests:
            raise CommandError(f"unknown connector {connector!r}; known: {', '.join(sorted(manifests))}")
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
        app = registry.simulator_builder(connector)(settings.KOMANDO_CITY_DIR)
        port = port or manifests[connector].simulator_port
        self.stdout.write(f"{connector} simulator on http://{host}:{port}")
        try:
            serve(app, host, port)
        except KeyboardInterrupt:
            pass
