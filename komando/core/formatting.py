"""Numbers as every page writes them: Indonesian by default (Rp 1.234.567.890, 37,75%), English
when the page is in English (Rp 1,234,567,890, 37.75%). Pure functions, language given or taken
from the active translation; templates use them through ``{% load numbers %}``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

MINUS = "−"
# Compact Rupiah: (threshold, Indonesian suffix, English suffix).
COMPACT_STEPS = [
    (Decimal(10) ** 12, "T", "tn"),
    (Decimal(10) ** 9, "M", "bn"),
    (Decimal(10) ** 6, "jt", "m"),
]


def _missing(value) -> bool:
    """No value: None, or the empty string a template gives for a missing attribute."""
    return value is None or value == ""


def _indonesian(language: str | None) -> bool:
    return (language or get_language() or "id").startswith("id")


def _group(digits: str, separator: str) -> str:
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return separator.join(groups)


def number(value, decimals: int = 0, language: str | None = None) -> str:
    """``value`` with thousands grouped and ``decimals`` places, in the page's convention."""
    indonesian = _indonesian(language)
    quantum = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    amount = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = MINUS if amount < 0 else ""
    whole, _, fraction = f"{abs(amount):f}".partition(".")
    text = _group(whole, "." if indonesian else ",")
    if decimals:
        text += ("," if indonesian else ".") + fraction
    return sign + text


def rupiah(value, language: str | None = None) -> str:
    """Whole Rupiah: ``Rp 1.234.567.890``; negative amounts ``−Rp 1.234``."""
    if _missing(value):
        return "–"
    text = number(value, 0, language)
    return (MINUS + "Rp " + text[1:]) if text.startswith(MINUS) else "Rp " + text


def rupiah_compact(value, language: str | None = None) -> str:
    """Rupiah for tight places: ``Rp 1,2 M`` (miliar), ``Rp 350 jt`` (juta), ``Rp 2,5 T`` (triliun);
    in English ``Rp 1.2 bn``, ``Rp 350 m``, ``Rp 2.5 tn``. Below a million, in full."""
    if _missing(value):
        return "–"
    amount = Decimal(value)
    indonesian = _indonesian(language)
    for threshold, suffix_id, suffix_en in COMPACT_STEPS:
        if abs(amount) >= threshold:
            scaled = (amount / threshold).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            decimals = 0 if scaled == scaled.to_integral_value() or abs(scaled) >= 100 else 1
            text = number(scaled, decimals, language)
            sign = MINUS if text.startswith(MINUS) else ""
            return f"{sign}Rp {text.lstrip(MINUS)} {suffix_id if indonesian else suffix_en}"
    return rupiah(value, language)


def percent(value, decimals: int = 2, language: str | None = None) -> str:
    """``37,75%`` (Indonesian) or ``37.75%``; ``–`` for no value."""
    if _missing(value):
        return "–"
    return number(value, decimals, language) + "%"


def points(value, decimals: int = 2, language: str | None = None, signed: bool = False) -> str:
    """Percentage points: ``−12,00`` (``signed`` puts ``+`` before a positive value)."""
    if _missing(value):
        return "–"
    text = number(value, decimals, language)
    if signed and Decimal(str(value)) > 0:
        text = "+" + text
    return text
