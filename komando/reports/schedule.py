"""The daily report's schedule: every day at ``KOMANDO_DAILY_REPORT_AT`` (WIB, default 06:00) the report
of the day before is generated — once. The check is the database, not memory: a tick finds yesterday's
report missing only while no version of it exists, so a restart (or a second server) never makes a
second one, and a server that was down at 06:00 catches up on its first tick after.

Runs in-process in ``komando serve`` (``DailyReportScheduler().start_in_thread()``, switch
``KOMANDO_DAILY_REPORT_IN_PROCESS``), or from cron as ``komando generate_daily_report --if-missing``.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, time

from django.conf import settings
from django.utils import timezone

from komando.core.clock import city_zone
from komando.core.env import env_str
from komando.core.periodic import PeriodicWorker
from komando.reports.selectors import yesterday_wib

logger = logging.getLogger("komando.reports")
DEFAULT_INTERVAL_SECONDS = 30.0
AT_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_at(value: str) -> time:
    """``"06:00"`` → 06:00. Raises ``ValueError`` with the setting's name for anything else."""
    match = AT_PATTERN.match(str(value or "").strip())
    if not match:
        raise ValueError(f"KOMANDO_DAILY_REPORT_AT must be a time of day HH:MM (WIB), got {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def configured_at() -> str:
    """The time of day: the setting if a deployment sets one, else the environment (default 06:00)."""
    return getattr(settings, "KOMANDO_DAILY_REPORT_AT", None) or env_str("KOMANDO_DAILY_REPORT_AT", "06:00")


class DailyReportScheduler(PeriodicWorker):
    thread_name = "daily-report-scheduler"
    what = "daily report scheduler"
    work = "daily report tick"
    interval_label = "daily report check interval"
    logger = logger

    def __init__(self, at: str | None = None, interval_seconds: float = DEFAULT_INTERVAL_SECONDS):
        self.at = parse_at(at if at is not None else configured_at())
        super().__init__(interval_seconds)
        self.generated = 0

    def due_day(self, now: datetime):
        """The day whose report is due at ``now`` (yesterday, from the set time on), else None."""
        local = now.astimezone(city_zone())
        return yesterday_wib(now) if local.time() >= self.at else None

    def tick(self, now: datetime | None = None):
        """One check in the calling thread (tests call it directly): the report made, or None."""
        from komando.reports.actions import do_generate_daily_report

        now = now or timezone.now()
        day = self.due_day(now)
        if day is None:
            return None
        report, created = do_generate_daily_report(day, None, only_if_missing=True, now=now)
        if created:
            self.generated += 1
            return report
        return None

    def started_message(self) -> str:
        return f"daily report scheduler started (every day at {self.at.strftime('%H:%M')} WIB)"

    def stopped_message(self) -> str:
        return f"daily report scheduler stopped after {self.generated} reports"
