"""Template filters of the development watch: Rupiah and percentages in the page's language."""

from datetime import date

from django import template
from django.utils import formats

from komando.development import formatting

register = template.Library()


@register.filter
def rupiah(value):
    return formatting.rupiah(value)


@register.filter
def rupiah_compact(value):
    return formatting.rupiah_compact(value)


@register.filter
def percent(value, decimals=2):
    return formatting.percent(value, int(decimals))


@register.filter
def points(value):
    return formatting.points(value)


@register.filter
def signed_points(value):
    return formatting.points(value, signed=True)


@register.filter
def month_name(value):
    """``2026-03`` → ``Maret 2026`` (``March 2026``)."""
    if not value:
        return "–"
    year, month = (int(part) for part in str(value).split("-")[:2])
    return formats.date_format(date(year, month, 1), "F Y")
