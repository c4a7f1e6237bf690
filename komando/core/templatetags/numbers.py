"""Template filters for Rupiah, percentages and percentage points in the page's language
(``komando.core.formatting``): ``{% load numbers %}``, then ``{{ budget|rupiah }}``,
``{{ budget|rupiah_compact }}``, ``{{ share|percent }}`` (two places) or ``{{ share|percent:1 }}``,
``{{ gap|points }}``, ``{{ gap|signed_points }}``. No value is written ``–``."""

from django import template

from komando.core import formatting

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
