"""The alert worker: every ``KOMANDO_ALERTS_INTERVAL_SECONDS`` it evaluates every rule and retries
the notifications that are due. Runs as a daemon thread in ``komando serve``
(``KOMANDO_ALERTS_IN_PROCESS``, on by default) or in the foreground with
``komando evaluate_alerts --loop``."""

from __future__ import annotations

import logging

from django.conf import settings

from komando.core.periodic import PeriodicWorker


class AlertWorker(PeriodicWorker):
    thread_name = "alert-worker"
    what = "alert worker"
    work = "alert evaluation"
    interval_label = "alert interval"
    logger = logging.getLogger("komando.alerts")

    def __init__(self, interval_seconds: float | None = None):
        super().__init__(settings.KOMANDO_ALERTS_INTERVAL_SECONDS if interval_seconds is None else interval_seconds)
        self.runs = 0

    def tick(self):
        """One evaluation and one round of due retries, in the calling thread."""
        from komando.alerts.actions import do_evaluate_rules
        from komando.alerts.notify import deliver_due_notifications

        run = do_evaluate_rules()
        deliver_due_notifications()
        self.runs += 1
        return run

    def stopped_message(self) -> str:
        return f"alert worker stopped after {self.runs} runs"
