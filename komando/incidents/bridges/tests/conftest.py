"""Fixtures of the bridge tests: the incident fixtures (categories and SOPs as the city loads them),
the bridges' log, a copy of the city's data folder to change the mapping in, and past moments for
simulators (the intake refuses reports from the future)."""

from __future__ import annotations

import json
import logging
import os
import shutil

import pytest

from komando.incidents.tests.conftest import (  # noqa: F401 - fixtures shared with the incident tests
    _english_messages,
    incident_data,
    reference_data,
)


class Clock:
    """A simulator's idea of now, moved by the test."""

    def __init__(self, moment):
        self.now = moment.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float = 0, hours: float = 0, days: float = 0) -> None:
        self.now += minutes * 60 + hours * 3600 + days * 86400

    def set(self, moment) -> None:
        self.now = moment.timestamp()


class BridgeLog(list):
    def messages(self, level=logging.DEBUG) -> list[str]:
        return [record.getMessage() for record in self if record.levelno >= level]


@pytest.fixture
def bridge_log():
    """Records the bridges log (the ``komando`` loggers do not propagate to pytest's handler)."""
    records = BridgeLog()

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Collect(level=logging.DEBUG)
    logger = logging.getLogger("komando.incidents.bridges")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture
def city_copy(tmp_path, settings):
    """A copy of the city's data folder, in use for the test; ``edit(change)`` changes its mapping."""
    city = tmp_path / "city"
    shutil.copytree(settings.KOMANDO_CITY_DIR, city)
    settings.KOMANDO_CITY_DIR = city

    def edit(change) -> None:
        path = city / "channel_categories.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data), encoding="utf-8")
        # Make sure the new file is seen as changed even within the file system's time resolution.

        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    return edit
