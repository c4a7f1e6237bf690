"""Times in the city's own zone with its label: ``{% load city_clock %}``, then
``{{ moment|city_time }}`` → ``8 Desember 2026, 00.30 WITA`` or ``{{ moment|city_time:"H.i" }}`` →
``00.30 WITA`` (Django ``date`` formats; ``j F Y, H.i`` by default). No time is written ``–``."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_datetime

from komando.core import clock

register = template.Library()


@register.filter
def city_time(value, pattern: str = "j F Y, H.i") -> str:
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, datetime):
        return "–"
    return f"{date_format(clock.local(value), pattern)} {clock.zone_label()}"


@register.simple_tag
def zone_label() -> str:
    """The city's zone label alone, e.g. for a column head: ``Tenggat (WITA)``."""
    return clock.zone_label()


@register.simple_tag
def city_zone_name() -> str:
    """The IANA name of the city's zone, e.g. ``Asia/Makassar``."""
    return clock.zone_name()
