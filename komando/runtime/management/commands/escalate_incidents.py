"""``komando escalate_incidents``: escalate the incidents past their SLA deadlines, once or in a loop."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand, CommandError

from komando.incidents.sla.escalation import DEFAULT_BATCH, DEFAULT_INTERVAL_SECONDS, EscalationWorker, escalate_due_incidents


class Command(BaseCommand):
    help = "Escalate open incidents whose SLA deadline has passed one rung up their SOP's escalation ladder."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running (until SIGINT/SIGTERM) instead of one run")
        parser.add_argument(
            "--interval",
            type=float,
            default=DEFAULT_INTERVAL_SECONDS,
            help="seconds between runs with --loop (default %(default)s)",
        )
        parser.add_argument(
            "--limit", type=int, default=DEFAULT_BATCH, help="incidents handled per run at most (default %(default)s)"
        )

    def handle(self, *args, loop: bool, interval: float, limit: int, **options):
        if interval <= 0:
            raise CommandError("--interval must be positive")
        if limit <= 0:
            raise CommandError("--limit must be positive")
        if not loop:
            run = escalate_due_incidents(limit=limit)
            self.stdout.write(
                f"Escalated {len(run.escalated)} incident(s); {len(run.skipped)} taken by another worker, "
                f"{len(run.failed)} failed."
            )
            if run.failed:
                raise CommandError(f"Escalating incident(s) {', '.join(map(str, run.failed))} failed (see the log).")
            return
        worker = EscalationWorker(interval_seconds=interval, limit=limit)

        def on_signal(signum, frame):
            self.stdout.write(f"{signal.strsignal(signum)}, finishing…")
            worker.stop()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.stdout.write(f"Escalating incidents every {interval:g} s.")
        worker.run_forever()
        self.stdout.write(f"Stopped after {worker.runs} run(s), {worker.escalated} escalation(s).")
