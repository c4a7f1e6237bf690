"""Template filters of the development watch: months and times (Rupiah and percentages: ``numbers``)."""

from datetime import UTC, date, datetime

from django import template
from django.utils import formats, timezone

from komando.core.clock import city_zone, zone_label

register = template.Library()


@register.filter
def month_name(value):
    """``2026-03`` → ``Maret 2026`` (``March 2026``)."""
    if not value:
        return "–"
    year, month = (int(part) for part in str(value).split("-")[:2])
    return formats.date_format(date(year, month, 1), "F Y")


@register.filter
def wib(value):
    """A time (datetime or ISO text) in the city's zone with its label: ``2 Apr 2026 08.30 WIB``."""
    if not value:
        return "–"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return formats.date_format(moment.astimezone(city_zone()), "j M Y H.i") + " " + zone_label()
