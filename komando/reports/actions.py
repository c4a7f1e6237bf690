"""The only writer of daily reports.

``do_generate_daily_report(day, by=None)`` computes the day's report (``selectors.daily_report``),
renders its PDF and stores both as a new version of that day's report. Regenerating never overwrites:
version 1 stays as it was sent, version 2 is the regenerated one, and the page shows the newest. A
person's regeneration is audited; the schedule's (``by=None``) is not (audit is for people). Staff screens
hear ``reports.generated`` (day, version) after the commit: an open page of that day offers the new version.

``only_if_missing=True`` is the schedule's form: when the day already has any version it does nothing
and returns that one. Two processes racing for the same day cannot both store version 1: the
``(day, version)`` constraint refuses the second insert, which then returns the first one's row.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation

from komando.audit.actions import record_audit
from komando.core.clock import local
from komando.core.events import STAFF, LiveEvent, send_event_on_commit
from komando.reports.models import DailyReport
from komando.reports.pdf import PDF_LANGUAGE, render_pdf
from komando.reports.selectors import BadDay, daily_report, iso, today_wib

logger = logging.getLogger("komando.reports")


def latest_for_day(day: date) -> DailyReport | None:
    return DailyReport.objects.filter(day=day).order_by("-version").first()


def do_generate_daily_report(
    day: date, by=None, *, only_if_missing: bool = False, channel: str = "ui", now: datetime | None = None
) -> tuple[DailyReport, bool]:
    """(the report, whether it was made now). Raises ``BadDay`` for a day in the future."""
    now = now or timezone.now()
    if day > today_wib(now):
        raise BadDay("That day has not come yet: a report can only describe a day that has begun.")
    if only_if_missing:
        existing = latest_for_day(day)
        if existing is not None:
            return existing, False
    with translation.override(PDF_LANGUAGE):  # words from other apps (alert titles) as the PDF speaks
        summary = daily_report(day, now=now)
    for _attempt in range(3):
        version = (DailyReport.objects.filter(day=day).aggregate(last=Max("version"))["last"] or 0) + 1
        if only_if_missing and version > 1:
            made_meanwhile = latest_for_day(day)
            assert made_meanwhile is not None  # version > 1: a report of the day exists
            return made_meanwhile, False
        pdf = render_pdf(summary, generated_at=local(now).isoformat(timespec="seconds"), version=version)
        try:
            with transaction.atomic():
                report = DailyReport.objects.create(
                    day=day,
                    version=version,
                    generated_at=now,
                    generated_by=by if getattr(by, "is_authenticated", False) else None,
                    summary=summary,
                    pdf=pdf,
                    pdf_bytes=len(pdf),
                )
                send_event_on_commit(
                    LiveEvent(
                        "reports.generated",
                        {
                            "day": day.isoformat(),
                            "version": version,
                            "generated_at": iso(now),
                            "by": getattr(by, "username", "") if report.generated_by_id else "",
                        },
                        audience=STAFF,
                    )
                )
                if report.generated_by_id is not None:
                    record_audit(
                        actor=by,
                        channel=channel,
                        action="reports.generate_daily_report",
                        instance=report,
                        after={"day": day.isoformat(), "version": version, "pdf_bytes": len(pdf)},
                    )
        except IntegrityError:  # another process stored this version first
            continue
        logger.info("daily report %s v%d generated (%s, %d bytes)", day, version, getattr(by, "username", "schedule"), len(pdf))
        return report, True
    raise RuntimeError(f"could not store a new version of the daily report of {day}")
