"""`make demo`: every simulated source application, the connectors and the web server, one Ctrl-C."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from komando.sources import registry
from komando.sources.models import Source


def demo_secrets() -> dict[str, str]:
    """Credentials the simulated applications demand (e-Monev's login, LAPOR!'s KEYTOKEN, the 112
    webhook's signing secret). Made once per installation and kept outside the repository; a key
    added by a newer version is generated and merged into the existing file."""
    path = settings.VAR_DIR / "demo-secrets.json"
    values = json.loads(path.read_text()) if path.exists() else {}
    wanted = {
        "KOMANDO_EMONEV_USERNAME": lambda: "komando",
        "KOMANDO_EMONEV_PASSWORD": lambda: secrets.token_urlsafe(16),
        "KOMANDO_LAPOR_KEYTOKEN": lambda: secrets.token_urlsafe(16),
        "KOMANDO_CALL_112_WEBHOOK_SECRET": lambda: secrets.token_urlsafe(32),
    }
    missing = {key: make() for key, make in wanted.items() if key not in values}
    if missing:
        values.update(missing)
        path.write_text(json.dumps(values))
        path.chmod(0o600)
    return values


class Command(BaseCommand):
    help = "Start the simulators of all connected applications, then serve Komando with in-process ingest."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))

    def wait_for_simulators(self, children, timeout: float = 60.0) -> None:
        """Start the connectors only once the simulators answer, so the first runs succeed."""
        ports = {slug: registry.manifests()[slug].simulator_port for slug, _ in children}
        deadline = time.monotonic() + timeout
        waiting = dict(children)
        while waiting and time.monotonic() < deadline:
            for slug, child in list(waiting.items()):
                if child.poll() is not None:
                    self.stderr.write(f"simulator {slug} exited with {child.returncode} (port {ports[slug]} taken?)")
                    del waiting[slug]
                    continue
                try:
                    socket.create_connection(("127.0.0.1", ports[slug]), timeout=0.5).close()
                    del waiting[slug]
                except OSError:
                    pass
            time.sleep(0.2)
        for slug in waiting:
            self.stderr.write(f"simulator {slug} is not answering yet; its source will show as failing until it does")

    def start_devices(self) -> list[tuple[str, subprocess.Popen]]:
        """The field devices: an embedded MQTT broker (unless KOMANDO_MQTT_URL names a real one) and
        the simulated fleet publishing to it; `serve` then runs the MQTT ingest in-process."""
        started = []
        if not settings.KOMANDO_MQTT_URL:
            broker_port = int(os.environ.get("KOMANDO_DEMO_MQTT_PORT", 18830))
            command = [sys.executable, "-m", "komando.cli", "mqtt-broker", "--port", str(broker_port)]
            started.append(("mqtt-broker", subprocess.Popen(command, env=os.environ.copy())))
            settings.KOMANDO_MQTT_URL = os.environ["KOMANDO_MQTT_URL"] = f"mqtt://127.0.0.1:{broker_port}"
            settings.KOMANDO_MQTT_PROTOCOL = os.environ["KOMANDO_MQTT_PROTOCOL"] = "3.1.1"  # amqtt has no MQTT 5
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", broker_port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.2)
            self.stdout.write(f"  embedded MQTT broker  {settings.KOMANDO_MQTT_URL} (pid {started[-1][1].pid})")
        command = [sys.executable, "-m", "komando.cli", "simulate-devices", "--url", settings.KOMANDO_MQTT_URL]
        started.append(("fleet", subprocess.Popen(command, env=os.environ.copy())))
        self.stdout.write(f"  fleet simulator       trucks, Satpol PP units, water gauges (pid {started[-1][1].pid})")
        return started

    def handle(self, *args, host, port, **options):
        for key, value in demo_secrets().items():
            os.environ.setdefault(key, value)
        # The simulated 112 system pushes its calls to this server's webhook.
        os.environ.setdefault("KOMANDO_CALL_112_TARGET_URL", f"http://127.0.0.1:{port}/api/webhooks/call-112/")
        from django.utils import timezone

        from komando.imports.demo import import_demo_revenue

        self.stdout.write(f"  Bapenda's monthly revenue file: {import_demo_revenue(timezone.localdate())}")
        children: list[tuple[str, subprocess.Popen]] = []
        city_connectors = set(Source.objects.exclude(connector="").values_list("connector", flat=True))
        for slug, manifest in sorted(registry.manifests().items()):
            if slug not in city_connectors:
                continue  # a connector this city's sources.csv does not use
            command = [sys.executable, "-m", "komando.cli", "simulate", slug, "--port", str(manifest.simulator_port)]
            children.append((slug, subprocess.Popen(command, env=os.environ.copy())))
            self.stdout.write(f"  simulator {slug:<12} http://127.0.0.1:{manifest.simulator_port}/ (pid {children[-1][1].pid})")
        self.wait_for_simulators(children)
        children.extend(self.start_devices())
        from komando.runtime.demo_officer import bind_demo_field_officer_when_units_appear

        bind_demo_field_officer_when_units_appear(log=self.stdout.write)  # /petugas/ needs a unit

        def stop_children(*_):
            for _, child in children:
                if child.poll() is None:
                    child.terminate()
            for _, child in children:
                try:
                    child.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    child.kill()

        signal.signal(signal.SIGTERM, lambda *a: (stop_children(), sys.exit(0)))
        self.stdout.write(f"\nKomando PIS: http://{host}:{port}/   (Ctrl-C stops everything)\n")
        try:
            call_command("serve", host=host, port=port)
        except KeyboardInterrupt:
            pass
        finally:
            stop_children()
