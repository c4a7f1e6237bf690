from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_datetime

register = template.Library()


@register.filter
def wib(value, pattern="j M Y, H.i"):
    """A time (datetime or ISO text) in WIB, e.g. "29 Nov 2026, 09.30 WIB"; "" for none."""
    if not value:
        return ""
    if not isinstance(value, datetime):
        value = parse_datetime(str(value))
        if value is None:
            return ""
    return f"{format_date(timezone.localtime(value), pattern)} WIB"
