"""SLA deadlines: when a step of an incident is due, from when it started.

Two clocks:

- **Wall clock** (units ``"minutes"``, ``"hours"``): emergencies (fire, medical, flood) run day
  and night, weekends and holidays included. ``deadline = start + amount``.
- **Working days** (unit ``"working_days"``): service complaints follow the administrative
  clock of SP4N-LAPOR! and Permenpan-RB on complaint handling, which count *hari kerja*: Monday
  to Friday, minus national holidays and cuti bersama (``calendar``), in the city's zone (WIB in Kota Tangerang,
  UTC+7 all year: Indonesia has no daylight saving time).

What "N working days" means here, precisely:

1. The report's own day never counts, whatever the hour it came in: counting starts with the
   first working day *after* the WIB date of ``start``. (SP4N-LAPOR!: "paling lambat 3 hari
   kerja sejak laporan diterima" -- an agency is not penalised for a report that arrives at 15:00
   on a Friday or on a Sunday.)
2. The deadline is the **end of the N-th working day**, 23:59:59 WIB, not the same clock time on
   that day and not the office's closing hour. A deadline in whole days is met by acting on that
   day; LAPOR! marks a report late only once its last day has passed, and offices close at
   different hours (Friday is shorter), so the end of the day is the one reading that does not
   depend on which office. A breach is ``now > deadline``.
3. ``amount == 0`` means "within the day": the end of the report's own day when that is a working
   day, else of the next working day.

Example: a report at 15:00 WIB on Friday 13 March 2026 with 3 working days: Monday 16, Tuesday 17
count, Wednesday 18 (cuti bersama Nyepi) and Thursday 19 (Nyepi) do not, Friday 20 (cuti
bersama Idulfitri) does not, then Monday 23 and Tuesday 24 are cuti bersama too, so the third
working day is Wednesday 25 March and the deadline is 25 March 2026 23:59:59 WIB =
16:59:59 UTC.

Input and output are aware datetimes; the result is in UTC (how the database stores times).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from komando.core.clock import city_zone

from .calendar import add_working_days

END_OF_DAY = time(23, 59, 59)

MINUTES = "minutes"
HOURS = "hours"
WORKING_DAYS = "working_days"
UNITS = (MINUTES, HOURS, WORKING_DAYS)
# Wall-clock units run through nights, weekends and holidays; the others follow the office calendar.
WALL_CLOCK_UNITS = frozenset({MINUTES, HOURS})


def deadline_for(start: datetime, *, amount: int, unit: str) -> datetime:
    """The instant (aware, UTC) by which a step that began at ``start`` must be done.

    ``unit`` is ``"minutes"`` or ``"hours"`` (wall clock) or ``"working_days"`` (Indonesian
    working days in the city's zone, ending at 23:59:59 there on the last one; see the module docstring).
    Raises ``ValueError`` for a naive ``start``, an unknown unit, or an amount that is negative or
    not an integer.
    """
    if not isinstance(start, datetime):
        raise ValueError(f"The start of an SLA must be a datetime, got {start!r}.")
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"The start of an SLA must be timezone-aware, got the naive datetime {start.isoformat()}.")
    if unit not in UNITS:
        raise ValueError(f"Unknown SLA unit {unit!r}; expected one of: {', '.join(UNITS)}.")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"The SLA amount must be a whole number, got {amount!r}.")
    if amount < 0:
        raise ValueError(f"The SLA amount must not be negative, got {amount}.")

    # Add in UTC: Python adds a timedelta to an aware datetime on its own zone's wall clock, which
    # is off by an hour across a DST change of a foreign zone (WIB itself has none).
    if unit == MINUTES:
        return start.astimezone(UTC) + timedelta(minutes=amount)
    if unit == HOURS:
        return start.astimezone(UTC) + timedelta(hours=amount)
    last_day = add_working_days(start.astimezone(city_zone()).date(), amount)
    return datetime.combine(last_day, END_OF_DAY, tzinfo=city_zone()).astimezone(UTC)


def is_breached(deadline: datetime | None, now: datetime) -> bool:
    """True once ``now`` is past ``deadline`` (a missing deadline is never breached)."""
    return deadline is not None and now > deadline
