"""Indonesian working days: Monday to Friday, minus national holidays and cuti bersama.

Two sources, each for what it does best:

- **National holidays** (hari libur nasional) come from the maintained ``holidays`` package
  (country ``"ID"``, category ``public``), which follows the Keppres on holidays and the yearly
  SKB 3 Menteri, with the Islamic dates of confirmed years.
- **Cuti bersama** come from ``data/cuti_bersama.csv`` (date, name, decree): the SKB 3 Menteri dates
  for 2025, 2026 and 2027. The ``holidays`` package knows cuti bersama too (category
  ``government``), but a city must be able to follow an amending decree the day it is signed (as
  on 7 August 2025, when 18 August 2025 was added), without waiting for a package release. So
  for every year that has rows in the file, **the file is the whole list** of that year's cuti
  bersama (a day removed by a later decree is a deleted row); the package's list is not consulted
  for that year. A test checks that file and package agree today.

Years the file does not cover (before 2025, or 2028 before its decree is typed in) do not raise:
an SLA clock must keep running on 2 January of a new year. For such a year the calendar falls back
to the package alone (its national holidays, including estimated Islamic dates, plus its own cuti
bersama list if it has one) and logs one warning per year, so operators know to add the new SKB.
Missing cuti bersama can only make a deadline earlier, never later: the fallback errs on the
resident's side. ``is_covered(year)`` tells callers (and the system check they may add) which years
are backed by the file.

Working days are calendar dates; callers convert instants to WIB first (see ``deadlines``).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays

logger = logging.getLogger("komando.incidents.sla")

CUTI_BERSAMA_FILE = Path(__file__).resolve().parent / "data" / "cuti_bersama.csv"
COUNTRY = "ID"
# Monday=0 ... Friday=4: Indonesian civil servants work five days a week (Perpres 21/2023).
WORKING_WEEKDAYS = frozenset(range(5))


@dataclass(frozen=True)
class CutiBersama:
    day: date
    name: str
    decree: str


class CalendarDataError(ValueError):
    """The cuti bersama file is malformed."""


def _parse_cuti_bersama(text: str, *, source: str = "cuti_bersama.csv") -> dict[date, CutiBersama]:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    if reader.fieldnames != ["date", "name", "decree"]:
        raise CalendarDataError(f"{source}: the header must be 'date,name,decree', got {reader.fieldnames!r}")
    rows: dict[date, CutiBersama] = {}
    for number, row in enumerate(reader, start=1):
        try:
            day = date.fromisoformat((row["date"] or "").strip())
        except ValueError:
            raise CalendarDataError(f"{source}: row {number}: {row['date']!r} is not a date (YYYY-MM-DD)") from None
        name = (row["name"] or "").strip()
        decree = (row["decree"] or "").strip()
        if not name or not decree:
            raise CalendarDataError(f"{source}: row {number} ({day}): name and decree are required")
        if day in rows:
            raise CalendarDataError(f"{source}: row {number}: {day} is listed twice")
        rows[day] = CutiBersama(day=day, name=name, decree=decree)
    return rows


@lru_cache(maxsize=1)
def cuti_bersama_days() -> dict[date, CutiBersama]:
    """Every cuti bersama of the data file, by date."""
    return _parse_cuti_bersama(CUTI_BERSAMA_FILE.read_text(encoding="utf-8"))


def covered_years() -> frozenset[int]:
    """Years whose cuti bersama the data file lists in full."""
    return frozenset(day.year for day in cuti_bersama_days())


def is_covered(year: int) -> bool:
    return year in covered_years()


@lru_cache(maxsize=64)
def _days_off(year: int) -> dict[date, str]:
    """Non-working weekdays and weekend holidays of ``year``: date -> name."""
    national = holidays.country_holidays(COUNTRY, years=year, categories=("public",), language="id")
    days: dict[date, str] = dict(national.items())
    if is_covered(year):
        for day, entry in cuti_bersama_days().items():
            if day.year == year:
                days.setdefault(day, entry.name)
    else:
        logger.warning(
            "No cuti bersama data for %s in %s: working days of %s use the holidays package only "
            "(national holidays and its own cuti bersama, if any). Add the year's SKB 3 Menteri dates.",
            year,
            CUTI_BERSAMA_FILE.name,
            year,
        )
        government = holidays.country_holidays(COUNTRY, years=year, categories=("government",), language="id")
        for day, name in government.items():
            days.setdefault(day, name)
    return days


def holiday_name(day: date) -> str | None:
    """The national holiday or cuti bersama on ``day`` (None on an ordinary day or weekend)."""
    return _days_off(_as_date(day).year).get(_as_date(day))


def is_working_day(day: date) -> bool:
    """Monday to Friday and neither a national holiday nor cuti bersama."""
    day = _as_date(day)
    return day.weekday() in WORKING_WEEKDAYS and day not in _days_off(day.year)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself never counts).

    ``n == 0`` gives ``start`` when it is a working day, else the next working day (the report's
    own day, rolled forward). A report on a Saturday and one on the Friday before both have Monday
    as their first working day (when Monday is one).
    """
    start = _as_date(start)
    n = _as_count(n)
    day = start
    if n == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    while n:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def working_days_between(a: date, b: date) -> int:
    """Working days ``d`` with ``a < d <= b`` (negative, mirrored, when ``b < a``).

    The inverse of ``add_working_days``: for a working day ``b`` after ``a``,
    ``add_working_days(a, working_days_between(a, b)) == b``.
    """
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def _as_date(value: date) -> date:
    # A datetime is a date subclass: taking its .date() silently would use whatever zone it is in.
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise ValueError(f"Expected a calendar date (datetime.date), got {value!r}; convert instants to WIB dates first.")
    return value


def _as_count(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"The number of working days must be an integer, got {n!r}.")
    if n < 0:
        raise ValueError(f"The number of working days must not be negative, got {n}.")
    return n
