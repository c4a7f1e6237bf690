"""``komando evaluate_alerts``: evaluate every alert rule once (and retry due notifications), or in a loop."""

from __future__ import annotations

import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Evaluate the alert rules: raise alerts for new episodes, clear ended ones, deliver notifications."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running (until SIGINT/SIGTERM)")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between runs with --loop (default KOMANDO_ALERTS_INTERVAL_SECONDS)",
        )

    def handle(self, *args, loop: bool, interval: float | None, **options):
        from komando.alerts.notify import wait_for_deliveries
        from komando.alerts.worker import AlertWorker

        interval = settings.KOMANDO_ALERTS_INTERVAL_SECONDS if interval is None else interval
        if interval <= 0:
            raise CommandError("--interval must be positive")
        worker = AlertWorker(interval_seconds=interval)
        if not loop:
            run = worker.tick()
            wait_for_deliveries()
            self.stdout.write(
                f"Alerts: {len(run.raised)} raised, {len(run.cleared)} cleared"
                + (f"; rules failed: {', '.join(run.failed_rules)}" if run.failed_rules else "")
                + "."
            )
            if run.failed_rules:
                raise CommandError("Some rules could not be evaluated (see the log).")
            return

        def on_signal(signum, frame):
            self.stdout.write(f"{signal.strsignal(signum)}, finishing…")
            worker.stop()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        worker.run_forever()
