"""SLA deadlines on the wall clock and on Indonesian working days (WIB), and the LAPOR! preset."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from komando.core.clock import city_zone
from komando.incidents.sla.deadlines import deadline_for, is_breached
from komando.incidents.sla.presets import FROM_FORWARDED, FROM_REPORTED, LAPOR_PRESET, PRESETS

WIB = city_zone()  # Kota Tangerang's zone, read from its city.json
WIT = timezone(timedelta(hours=9))


def wib(*args):
    return datetime(*args, tzinfo=WIB)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_friday_1500_report_with_3_working_days_is_due_wednesday_end_of_day():
    assert deadline_for(wib(2026, 11, 27, 15, 0), amount=3, unit="working_days") == utc(2026, 12, 2, 16, 59, 59)


def test_friday_before_nyepi_and_lebaran_2026_is_due_on_the_25th():
    # Mon 16, Tue 17 count; 18 cuti Nyepi, 19 Nyepi, 20 cuti, 21-22 Idulfitri, 23-24 cuti; Wed 25.
    assert deadline_for(wib(2026, 3, 13, 15, 0), amount=3, unit="working_days") == utc(2026, 3, 25, 16, 59, 59)


def test_the_hour_of_the_report_does_not_matter_on_working_days():
    morning = deadline_for(wib(2026, 11, 27, 0, 0), amount=1, unit="working_days")
    night = deadline_for(wib(2026, 11, 27, 23, 59), amount=1, unit="working_days")
    assert morning == night == utc(2026, 11, 30, 16, 59, 59)


def test_a_report_on_idul_fitri_counts_from_the_first_working_day_after_the_break():
    assert deadline_for(wib(2026, 3, 21, 9, 0), amount=1, unit="working_days") == utc(2026, 3, 25, 16, 59, 59)


def test_zero_working_days_is_the_end_of_the_same_working_day():
    assert deadline_for(wib(2026, 11, 27, 15, 0), amount=0, unit="working_days") == utc(2026, 11, 27, 16, 59, 59)
    assert deadline_for(wib(2026, 11, 28, 15, 0), amount=0, unit="working_days") == utc(2026, 11, 30, 16, 59, 59)


def test_working_days_cross_the_year_end():
    # Wed 23 Dec 2026 + 5: 28, 29, 30, 31 Dec, then Mon 4 Jan 2027 (1 Jan is Tahun Baru).
    assert deadline_for(wib(2026, 12, 23, 10, 0), amount=5, unit="working_days") == utc(2027, 1, 4, 16, 59, 59)


def test_the_working_day_is_the_wib_date_not_the_utc_date():
    # 18:00 UTC on Thursday 26 Nov is 01:00 WIB on Friday 27 Nov: Monday is the first working day.
    assert deadline_for(utc(2026, 11, 26, 18, 0), amount=1, unit="working_days") == utc(2026, 11, 30, 16, 59, 59)
    # 16:59 UTC on the same Thursday is still Thursday 23:59 WIB: Friday is the first one.
    assert deadline_for(utc(2026, 11, 26, 16, 59), amount=1, unit="working_days") == utc(2026, 11, 27, 16, 59, 59)


def test_a_start_in_another_indonesian_zone_is_converted_to_wib():
    # 06:00 WIT (UTC+9) on Friday 27 Nov = 04:00 WIB on Friday = 21:00 UTC on Thursday.
    assert deadline_for(datetime(2026, 11, 27, 6, 0, tzinfo=WIT), amount=1, unit="working_days") == utc(2026, 11, 30, 16, 59, 59)


def test_wib_is_utc_plus_7_all_year():
    for month in range(1, 13):
        assert wib(2026, month, 1, 12, 0).utcoffset() == timedelta(hours=7)


def test_emergencies_run_on_the_wall_clock_through_holidays_and_nights():
    # 02:00 WIB on Idulfitri (Saturday 21 March 2026) + 2 hours = 04:00 WIB = 21:00 UTC the day before.
    assert deadline_for(wib(2026, 3, 21, 2, 0), amount=2, unit="hours") == utc(2026, 3, 20, 21, 0)
    assert deadline_for(wib(2026, 12, 31, 23, 30), amount=45, unit="minutes") == utc(2026, 12, 31, 17, 15)


def test_wall_clock_hours_are_elapsed_time_even_across_a_foreign_dst_change():
    # Europe/Amsterdam moves to summer time in the night of 28-29 March 2026: 24 hours of
    # elapsed time, not "the same local time tomorrow".
    start = datetime(2026, 3, 28, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))  # 11:00 UTC
    assert deadline_for(start, amount=24, unit="hours") == utc(2026, 3, 29, 11, 0)


def test_deadlines_come_back_in_utc():
    for unit in ("minutes", "hours", "working_days"):
        result = deadline_for(wib(2026, 11, 27, 15, 0), amount=1, unit=unit)
        assert result.utcoffset() == timedelta(0)
        assert result.tzinfo is UTC


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline_for(datetime(2026, 11, 27, 15, 0), amount=3, unit="working_days")


@pytest.mark.parametrize("unit", ["days", "Hours", "", "working-days", None])
def test_an_unknown_unit_is_refused(unit):
    with pytest.raises(ValueError, match="Unknown SLA unit"):
        deadline_for(wib(2026, 11, 27, 15, 0), amount=3, unit=unit)


def test_a_negative_amount_is_refused():
    with pytest.raises(ValueError, match="must not be negative"):
        deadline_for(wib(2026, 11, 27, 15, 0), amount=-1, unit="hours")


@pytest.mark.parametrize("amount", [1.5, True, "3", None])
def test_an_amount_that_is_not_a_whole_number_is_refused(amount):
    with pytest.raises(ValueError, match="whole number"):
        deadline_for(wib(2026, 11, 27, 15, 0), amount=amount, unit="hours")


def test_a_date_instead_of_a_datetime_is_refused():
    with pytest.raises(ValueError, match="must be a datetime"):
        deadline_for(date(2026, 11, 27), amount=3, unit="working_days")


def test_breach_is_strictly_after_the_deadline():
    deadline = utc(2026, 12, 2, 16, 59, 59)
    assert not is_breached(deadline, deadline)
    assert is_breached(deadline, deadline + timedelta(seconds=1))
    assert not is_breached(None, deadline)


def test_lapor_preset_is_3_5_10_working_days():
    assert [(s.key, s.amount, s.unit) for s in LAPOR_PRESET.steps] == [
        ("forward", 3, "working_days"),
        ("follow_up", 5, "working_days"),
        ("auto_close", 10, "working_days"),
    ]
    assert LAPOR_PRESET.step("forward").counts_from == FROM_REPORTED
    assert LAPOR_PRESET.step("follow_up").counts_from == FROM_FORWARDED
    assert PRESETS["sp4n-lapor"] is LAPOR_PRESET


def test_lapor_preset_deadlines_for_a_friday_afternoon_report():
    reported = wib(2026, 11, 27, 15, 0)
    assert LAPOR_PRESET.deadline("forward", reported) == utc(2026, 12, 2, 16, 59, 59)
    forwarded = wib(2026, 12, 2, 10, 0)  # 5 working days: 3, 4, 7, 8, 9 December
    assert LAPOR_PRESET.deadline("follow_up", forwarded) == utc(2026, 12, 9, 16, 59, 59)
    followed_up = wib(2026, 12, 17, 10, 0)  # 18, 21, 22, 23, 28, 29, 30, 31 Dec, 4 and 6 Jan
    assert LAPOR_PRESET.deadline("auto_close", followed_up) == utc(2027, 1, 6, 16, 59, 59)


def test_an_unknown_preset_step_names_the_known_ones():
    with pytest.raises(KeyError, match="forward, follow_up, auto_close"):
        LAPOR_PRESET.step("resolve")
