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


def demo_secrets() -> dict[str, str]:
    """Credentials the simulated e-Monev demands. Made once per installation, kept outside the repo."""
    path = settings.VAR_DIR / "demo-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {"KOMANDO_EMONEV_USERNAME": "komando", "KOMANDO_EMONEV_PASSWORD": secrets.token_urlsafe(16)}
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

    def handle(self, *args, host, port, **options):
        for key, value in demo_secrets().items():
            os.environ.setdefault(key, value)
        children: list[tuple[str, subprocess.Popen]] = []
        for slug, manifest in sorted(registry.manifests().items()):
            command = [sys.executable, "-m", "komando.cli", "simulate", slug, "--port", str(manifest.simulator_port)]
            children.append((slug, subprocess.Popen(command, env=os.environ.copy())))
            self.stdout.write(f"  simulator {slug:<12} http://127.0.0.1:{manifest.simulator_port}/ "
                              f"(pid {children[-1][1].pid})")
        self.wait_for_simulators(children)

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
