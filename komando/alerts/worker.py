"""The alert worker: every ``KOMANDO_ALERTS_INTERVAL_SECONDS`` it evaluates every rule and retries
the notifications that are due. Runs as a daemon thread in ``komando serve``
(``KOMANDO_ALERTS_IN_PROCESS``, on by default) or in the foreground with
``komando evaluate_alerts --loop``."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection

logger = logging.getLogger("komando.alerts")


class AlertWorker:
    def __init__(self, interval_seconds: float | None = None):
        interval_seconds = settings.KOMANDO_ALERTS_INTERVAL_SECONDS if interval_seconds is None else interval_seconds
        if interval_seconds <= 0:
            raise ValueError(f"The alert interval must be positive, got {interval_seconds}.")
        self.interval_seconds = interval_seconds
        self.stop_event = threading.Event()
        self.runs = 0

    def tick(self):
        """One evaluation and one round of due retries, in the calling thread."""
        from komando.alerts.actions import do_evaluate_rules
        from komando.alerts.notify import deliver_due_notifications

        run = do_evaluate_rules()
        deliver_due_notifications()
        self.runs += 1
        return run

    def run_forever(self) -> None:
        logger.info("alert worker started (every %.0f s)", self.interval_seconds)
        try:
            while not self.stop_event.is_set():
                close_old_connections()
                try:
                    self.tick()
                except Exception:  # the database away for a moment: try again next tick
                    logger.exception("alert evaluation failed")
                self.stop_event.wait(self.interval_seconds)
        finally:
            connection.close()
            logger.info("alert worker stopped after %d runs", self.runs)

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="alert-worker", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stop_event.set()
