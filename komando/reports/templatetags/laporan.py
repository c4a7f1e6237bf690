"""Filters of the daily report templates: the report's ISO times in the city's zone, its day in words, metres,
durations and words (Rupiah, percentages and points: ``numbers``)."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext

from komando.core.clock import city_zone, zone_label
from komando.reports import labels

register = template.Library()


def _moment(value) -> datetime | None:
    if not value:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.astimezone(city_zone())


@register.filter
def wib(value) -> str:
    """``28-11-2026 23:59 WIB`` (or ``—``)."""
    moment = _moment(value)
    return f"{moment:%d-%m-%Y %H:%M} {zone_label()}" if moment else "—"


@register.filter
def wib_time(value) -> str:
    """``23:59`` (or ``—``)."""
    moment = _moment(value)
    return f"{moment:%H:%M}" if moment else "—"


@register.filter
def day_words(value) -> str:
    """``Sabtu, 28 November 2026`` in the active language."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return date_format(day, "l, j F Y")


@register.filter
def metres(value) -> str:
    return "—" if value is None else f"{number_format(value, 2)} m"


@register.filter
def duration(minutes) -> str:
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if hours:
        return gettext("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}
    return gettext("%(minutes)d min") % {"minutes": rest}


@register.filter
def word(code, kind) -> str:
    return labels.label(kind, code)
