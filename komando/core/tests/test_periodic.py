"""The loop every worker shares: its interval, stopping, a failure logged once with its traceback,
a longer wait while it fails, and going on at once when the work says so."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from komando.core import periodic
from komando.core.periodic import MAX_FAILURE_WAIT_SECONDS, PeriodicWorker


@pytest.fixture(autouse=True)
def no_database(monkeypatch):
    """The loop's connection care (close the stale one, close at the end) is not under test here."""
    monkeypatch.setattr(periodic, "close_old_connections", lambda: None)
    monkeypatch.setattr(periodic, "connection", SimpleNamespace(close=lambda: None))


class Recorder(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


class Scripted(PeriodicWorker):
    """Ticks through ``outcomes`` (an exception is raised, anything else returned), then stops."""

    what = "scripted worker"
    work = "scripted work"
    logger = logging.getLogger("komando.tests.periodic")

    def __init__(self, outcomes, interval_seconds=2.0):
        super().__init__(interval_seconds)
        self.outcomes = list(outcomes)
        self.waits: list[float] = []
        self.stop_event.wait = self._wait  # no real waiting: record how long it would have been

    def _wait(self, seconds):
        self.waits.append(seconds)
        return self.stop_event.is_set()

    def tick(self):
        outcome = self.outcomes.pop(0)
        if not self.outcomes:
            self.stop()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def again_at_once(self, result):
        return result == "more"


@pytest.fixture
def log():
    recorder = Recorder()
    logger = logging.getLogger("komando.tests.periodic")
    logger.addHandler(recorder)
    logger.setLevel(logging.DEBUG)
    yield recorder.records
    logger.removeHandler(recorder)


@pytest.mark.parametrize("interval", [0, -1])
def test_the_interval_must_be_positive(interval):
    with pytest.raises(ValueError, match="must be positive"):
        Scripted([], interval_seconds=interval)


def test_a_failure_is_logged_once_with_its_traceback_and_the_wait_grows_until_it_works(log):
    down = ConnectionError("database away")
    worker = Scripted(["ok", down, down, down, down, down, "ok", "ok"], interval_seconds=2.0)
    worker.run_forever()
    assert worker.waits == [2.0, 2.0, 4.0, 8.0, 16.0, 30.0, 2.0, 2.0]
    errors = [r for r in log if r.levelno >= logging.ERROR]
    assert len(errors) == 5 and errors[0].exc_info and not any(r.exc_info for r in errors[1:])
    assert errors[0].getMessage() == "scripted work failed"
    assert "5 in a row" in errors[-1].getMessage() and "database away" in errors[-1].getMessage()
    messages = [r.getMessage() for r in log]
    assert messages[0] == "scripted worker started (every 2 s)" and messages[-1] == "scripted worker stopped"
    assert "scripted work works again after 5 failures" in messages
    assert worker.consecutive_failures == 0


def test_a_long_interval_is_kept_while_failing():
    worker = Scripted([RuntimeError("x"), RuntimeError("x"), "ok"], interval_seconds=MAX_FAILURE_WAIT_SECONDS * 2)
    worker.run_forever()
    assert worker.waits == [MAX_FAILURE_WAIT_SECONDS * 2] * 3


def test_the_work_can_ask_to_go_on_at_once():
    worker = Scripted(["more", "more", "done", "done"])
    worker.run_forever()
    assert worker.waits == [2.0, 2.0]


def test_it_runs_in_a_daemon_thread_until_stopped():
    class Counting(PeriodicWorker):
        thread_name = "counting"

        def __init__(self):
            super().__init__(0.01)
            self.ticks = 0

        def tick(self):
            self.ticks += 1

    worker = Counting()
    thread = worker.start_in_thread()
    assert thread.daemon and thread.name == "counting"
    while worker.ticks < 3:
        thread.join(0.01)
    worker.stop()
    thread.join(5)
    assert not thread.is_alive()
