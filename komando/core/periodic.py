"""One loop for every background worker: ``tick()`` every ``interval_seconds`` until stopped.

The alert worker, the SLA escalation worker, the daily report's schedule and the ingest scheduler
are each a ``PeriodicWorker``: their app keeps the work (``tick``), this keeps the loop. Each runs
as a daemon thread in ``komando serve`` (``start_in_thread``) or in the foreground of its command
(``run_forever``), and stops at the next wait after ``stop()``.

A failing tick (the database away for a moment, a bug) never ends the loop. The first failure of a
run of failures is logged with its traceback, the following ones in one line each, and the return
to health once. While it fails, the loop waits longer between tries: the interval, doubled per
failure in a row, up to ``max(interval, MAX_FAILURE_WAIT_SECONDS)`` (so a worker whose interval is
that long already keeps it); the first tick that succeeds brings the interval back.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

from django.db import close_old_connections, connection

MAX_FAILURE_WAIT_SECONDS = 30.0


class PeriodicWorker:
    """Subclasses set ``thread_name``, ``what`` and ``work`` (for the log) and ``logger``, and implement
    ``tick``."""

    thread_name = "periodic-worker"
    what = "periodic worker"  # "<what> started", "<what> stopped" in the log
    work = "periodic work"  # "<work> failed" in the log
    interval_label = "interval"  # "The <interval_label> must be positive"
    logger = logging.getLogger("komando")

    def __init__(self, interval_seconds: float):
        if interval_seconds <= 0:
            raise ValueError(f"The {self.interval_label} must be positive, got {interval_seconds}.")
        self.interval_seconds = interval_seconds
        self.stop_event = threading.Event()
        self.consecutive_failures = 0

    # --- what a subclass says ------------------------------------------------------------------
    def tick(self) -> Any:
        """One round of work in the calling thread (tests call it directly). Raise when it failed."""
        raise NotImplementedError

    def again_at_once(self, result: Any) -> bool:
        """Whether to tick again without waiting (e.g. a full batch: more is due)."""
        return False

    def started_message(self) -> str:
        return f"{self.what} started (every {self.interval_seconds:.0f} s)"

    def stopped_message(self) -> str:
        return f"{self.what} stopped"

    # --- the loop ------------------------------------------------------------------------------
    def run_forever(self) -> None:
        self.logger.info(self.started_message())
        try:
            self.loop()
        finally:
            connection.close()
            self.logger.info(self.stopped_message())

    def loop(self) -> None:
        while not self.stop_event.is_set():
            close_old_connections()  # a long-lived thread: drop a connection the database closed
            try:
                result = self.tick()
            except Exception:  # the database away for a moment: try again after a wait
                self._failed()
            else:
                self._succeeded()
                if self.again_at_once(result):
                    continue
            self.stop_event.wait(self.wait_seconds())

    def wait_seconds(self) -> float:
        """The wait before the next tick: the interval, longer while ticks fail (see the module doc)."""
        if not self.consecutive_failures:
            return self.interval_seconds
        longest = max(self.interval_seconds, MAX_FAILURE_WAIT_SECONDS)
        return min(longest, self.interval_seconds * 2 ** (self.consecutive_failures - 1))

    def _failed(self) -> None:
        self.consecutive_failures += 1
        if self.consecutive_failures == 1:
            self.logger.exception("%s failed", self.work)
        else:
            error = sys.exc_info()[1]
            self.logger.error(
                "%s failed again (%d in a row; next try in %.1f s): %s: %s",
                self.work,
                self.consecutive_failures,
                self.wait_seconds(),
                type(error).__name__,
                error,
            )

    def _succeeded(self) -> None:
        if self.consecutive_failures:
            self.logger.info("%s works again after %d failures", self.work, self.consecutive_failures)
        self.consecutive_failures = 0

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name=self.thread_name, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stop_event.set()
