"""Template filters of the development watch: months and times (Rupiah and percentages: ``numbers``)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats, timezone

register = template.Library()
WIB = ZoneInfo("Asia/Jakarta")


@register.filter
def month_name(value):
    """``2026-03`` → ``Maret 2026`` (``March 2026``)."""
    if not value:
        return "–"
    year, month = (int(part) for part in str(value).split("-")[:2])
    return formats.date_format(date(year, month, 1), "F Y")


@register.filter
def wib(value):
    """A time (datetime or ISO text) in WIB: ``2 Apr 2026 08.30 WIB``."""
    if not value:
        return "–"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return formats.date_format(moment.astimezone(WIB), "j M Y H.i") + " WIB"
