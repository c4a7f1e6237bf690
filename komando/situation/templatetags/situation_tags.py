from datetime import datetime

from django import template
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_datetime

from komando.core import clock

register = template.Library()


@register.filter
def wib(value, pattern="j M Y, H.i"):
    """A time (datetime or ISO text) in the city's zone, e.g. "29 Nov 2026, 09.30 WITA"; "" for none."""
    if not value:
        return ""
    if not isinstance(value, datetime):
        value = parse_datetime(str(value))
        if value is None:
            return ""
    return f"{format_date(clock.local(value), pattern)} {clock.zone_label()}"
