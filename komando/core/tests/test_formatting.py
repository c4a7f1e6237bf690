"""Rupiah and percentages as every page writes them, Indonesian and English."""

import pytest

from komando.core.formatting import percent, points, rupiah, rupiah_compact


@pytest.mark.parametrize(
    ("value", "indonesian", "english"),
    [
        (1_234_567_890, "Rp 1.234.567.890", "Rp 1,234,567,890"),
        (0, "Rp 0", "Rp 0"),
        (999, "Rp 999", "Rp 999"),
        (-90_000_000, "−Rp 90.000.000", "−Rp 90,000,000"),
        (None, "–", "–"),
    ],
)
def test_rupiah_in_full(value, indonesian, english):
    assert rupiah(value, "id") == indonesian and rupiah(value, "en") == english


@pytest.mark.parametrize(
    ("value", "indonesian", "english"),
    [
        (1_234_567_890, "Rp 1,2 M", "Rp 1.2 bn"),
        (16_000_000_000, "Rp 16 M", "Rp 16 bn"),
        (412_345_000_000, "Rp 412 M", "Rp 412 bn"),  # three digits need no decimal
        (350_000_000, "Rp 350 jt", "Rp 350 m"),
        (1_500_000_000_000, "Rp 1,5 T", "Rp 1.5 tn"),
        (-678_400_000, "−Rp 678 jt", "−Rp 678 m"),
        (999_999, "Rp 999.999", "Rp 999,999"),  # under a million: in full
        (1_960_000_000, "Rp 2 M", "Rp 2 bn"),  # 1,96 rounds half up to 2,0 → "2"
    ],
)
def test_rupiah_compact(value, indonesian, english):
    assert rupiah_compact(value, "id") == indonesian and rupiah_compact(value, "en") == english


def test_percent_and_points():
    assert percent(37.75, language="id") == "37,75%" and percent(37.75, language="en") == "37.75%"
    assert percent(100, language="id") == "100,00%" and percent(0.005, language="id") == "0,01%"  # half up
    assert percent(None) == "–" and percent("") == "–"
    assert points(-12, language="id", signed=True) == "−12,00"
    assert points(2.5, language="en", signed=True) == "+2.50"
    assert points(0, language="id", signed=True) == "0,00"


def test_the_numbers_template_library_writes_them_in_the_page_language():
    from django.template import Context, Template
    from django.utils import translation

    page = Template(
        "{% load numbers %}{{ budget|rupiah }} · {{ budget|rupiah_compact }} · {{ share|percent }} · "
        "{{ share|percent:1 }} · {{ gap|points }} · {{ gap|signed_points }} · {{ missing|percent }}"
    )
    context = Context({"budget": 1_250_000_000, "share": 37.75, "gap": 2.5, "missing": None})
    with translation.override("id"):
        assert page.render(context) == "Rp 1.250.000.000 · Rp 1,3 M · 37,75% · 37,8% · 2,50 · +2,50 · –"
    with translation.override("en"):
        assert page.render(context) == "Rp 1,250,000,000 · Rp 1.3 bn · 37.75% · 37.8% · 2.50 · +2.50 · –"
