"""The working-day calendar: weekends, national holidays, cuti bersama, year ends, uncovered years.

Expected values are counted by hand on the SKB 3 Menteri calendars (see data/cuti_bersama.csv).
"""

import logging
from datetime import date, datetime

import holidays
import pytest

from komando.incidents.sla import calendar
from komando.incidents.sla.calendar import (
    CalendarDataError,
    add_working_days,
    covered_years,
    cuti_bersama_days,
    holiday_name,
    is_covered,
    is_working_day,
    working_days_between,
)


def test_weekdays_are_working_days_and_weekends_are_not():
    assert is_working_day(date(2026, 11, 27))  # Friday
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert not is_working_day(date(2026, 11, 29))  # Sunday
    assert is_working_day(date(2026, 11, 30))  # Monday


def test_add_working_days_skips_the_weekend():
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Fri -> Mon
    assert add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 4)  # Fri -> next Fri
    assert add_working_days(date(2026, 11, 26), 1) == date(2026, 11, 27)  # Thu -> Fri


def test_add_working_days_from_saturday_and_sunday_starts_on_monday():
    assert add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 29), 1) == date(2026, 11, 30)


def test_zero_working_days_is_the_day_itself_or_the_next_working_day():
    assert add_working_days(date(2026, 11, 27), 0) == date(2026, 11, 27)
    assert add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 30)


def test_idul_fitri_1446_and_its_cuti_bersama_are_not_working_days():
    assert not is_working_day(date(2025, 3, 31))  # Idulfitri (national holiday, Monday)
    assert not is_working_day(date(2025, 4, 1))  # Idulfitri second day (Tuesday)
    for day in (2, 3, 4, 7):  # cuti bersama Wed, Thu, Fri and the Monday after
        assert not is_working_day(date(2025, 4, day))
    assert is_working_day(date(2025, 4, 8))


def test_a_report_before_lebaran_2025_waits_until_after_the_whole_break():
    # Thu 27 March 2025: Fri 28 cuti Nyepi, Sat 29 Nyepi, 31 Mar-1 Apr Idulfitri, 2-4 and 7 Apr
    # cuti bersama: the first working day after it is Tuesday 8 April.
    assert add_working_days(date(2025, 3, 27), 1) == date(2025, 4, 8)
    assert add_working_days(date(2025, 3, 27), 3) == date(2025, 4, 10)
    assert working_days_between(date(2025, 3, 27), date(2025, 4, 8)) == 1


def test_cuti_bersama_added_by_the_amending_decree_of_august_2025():
    assert not is_working_day(date(2025, 8, 18))  # Monday, SKB 933/2025 1/2025 3/2025
    assert "Proklamasi" in holiday_name(date(2025, 8, 18))
    assert add_working_days(date(2025, 8, 15), 1) == date(2025, 8, 19)


def test_cuti_bersama_2027_around_good_friday():
    # Thu 25 March 2027 cuti bersama, Fri 26 Wafat Yesus Kristus, Sun 28 Easter.
    assert not is_working_day(date(2027, 3, 25))
    assert not is_working_day(date(2027, 3, 26))
    assert add_working_days(date(2027, 3, 24), 1) == date(2027, 3, 29)


def test_year_end_2026_skips_christmas_new_year_and_isra_mikraj_2027():
    # Wed 23 Dec 2026: 24 cuti, 25 Natal, 28/29/30 count; 31 is the 4th, 1 Jan Tahun Baru,
    # Mon 4 Jan the 5th, Tue 5 Jan Isra Mikraj, Wed 6 Jan the 6th.
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)
    assert add_working_days(date(2026, 12, 23), 5) == date(2027, 1, 4)
    assert add_working_days(date(2026, 12, 23), 6) == date(2027, 1, 6)
    assert working_days_between(date(2026, 12, 23), date(2027, 1, 6)) == 6


def test_year_end_2025_christmas_and_its_cuti_bersama():
    assert not is_working_day(date(2025, 12, 25))
    assert not is_working_day(date(2025, 12, 26))
    assert add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 29)


def test_a_report_on_a_holiday_counts_from_the_next_working_day():
    # Sat 21 March 2026 is Idulfitri; Sun 22 too; Mon 23 and Tue 24 are cuti bersama.
    assert add_working_days(date(2026, 3, 21), 1) == date(2026, 3, 25)
    assert add_working_days(date(2026, 3, 23), 1) == date(2026, 3, 25)
    assert add_working_days(date(2026, 3, 23), 0) == date(2026, 3, 25)


def test_working_days_between_counts_the_half_open_interval_and_mirrors():
    assert working_days_between(date(2026, 11, 27), date(2026, 12, 4)) == 5
    assert working_days_between(date(2026, 12, 4), date(2026, 11, 27)) == -5
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 27)) == 0
    assert working_days_between(date(2026, 11, 28), date(2026, 11, 29)) == 0


def test_working_days_between_is_the_inverse_of_add_working_days():
    start = date(2026, 3, 10)
    for n in range(0, 25):
        end = add_working_days(start, n)
        if n:
            assert working_days_between(start, end) == n


def test_holiday_names_come_in_indonesian():
    assert holiday_name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"
    assert holiday_name(date(2026, 11, 27)) is None


def test_the_data_file_covers_2025_to_2027_with_the_decreed_number_of_days():
    assert covered_years() == frozenset({2025, 2026, 2027})
    per_year = {year: sum(1 for d in cuti_bersama_days() if d.year == year) for year in (2025, 2026, 2027)}
    assert per_year == {2025: 11, 2026: 8, 2027: 8}  # 2025: 10 + 18 August (amendment)
    assert all(entry.decree.startswith("SKB ") for entry in cuti_bersama_days().values())


def test_the_data_file_agrees_with_the_holidays_package():
    # If this fails after a deliberate city override (or a package upgrade), the file wins;
    # update this test with the decree that explains the difference.
    for year in (2025, 2026, 2027):
        package = set(holidays.country_holidays("ID", years=year, categories=("government",)))
        ours = {d for d in cuti_bersama_days() if d.year == year}
        assert ours == package, year


def test_no_cuti_bersama_falls_on_a_weekend():
    assert all(day.weekday() < 5 for day in cuti_bersama_days())


def test_an_uncovered_year_falls_back_to_the_package_and_warns(caplog):
    calendar._days_off.cache_clear()
    with caplog.at_level(logging.WARNING, logger="komando.incidents.sla"):
        assert not is_covered(2028)
        assert not is_working_day(date(2028, 8, 17))  # Independence Day, a Thursday
        assert is_working_day(date(2028, 8, 16))
        assert not is_working_day(date(2028, 8, 17))  # asked again: warned once only
    warnings = [r for r in caplog.records if "2028" in r.getMessage()]
    assert len(warnings) == 1
    assert "cuti_bersama.csv" in warnings[0].getMessage()


def test_an_earlier_year_uses_the_packages_cuti_bersama():
    calendar._days_off.cache_clear()
    assert not is_covered(2024)
    assert not is_working_day(date(2024, 4, 8))  # cuti bersama Idulfitri 1445 (package)
    assert is_working_day(date(2024, 4, 16))


@pytest.mark.parametrize("value", [datetime(2026, 11, 27, 15, 0), "2026-11-27", None])
def test_calendar_functions_refuse_anything_but_a_date(value):
    with pytest.raises(ValueError, match="calendar date"):
        is_working_day(value)
    with pytest.raises(ValueError, match="calendar date"):
        add_working_days(value, 1)


@pytest.mark.parametrize("n", [-1, 1.5, True, "3"])
def test_add_working_days_refuses_a_bad_count(n):
    with pytest.raises(ValueError, match="working days"):
        add_working_days(date(2026, 11, 27), n)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("day,name,decree\n", "header"),
        ("date,name,decree\n2026-02-30,X,SKB 1\n", "not a date"),
        ("date,name,decree\n2026-02-16,X,\n", "required"),
        ("date,name,decree\n2026-02-16,X,SKB 1\n2026-02-16,Y,SKB 1\n", "twice"),
    ],
)
def test_a_malformed_data_file_is_refused_with_the_row(text, message):
    with pytest.raises(CalendarDataError, match=message):
        calendar._parse_cuti_bersama(text)


def test_comment_lines_in_the_data_file_are_ignored():
    rows = calendar._parse_cuti_bersama("# source\ndate,name,decree\n# note\n2026-02-16,Imlek,SKB 1\n")
    assert list(rows) == [date(2026, 2, 16)]


def test_every_day_of_2025_to_2027_matches_the_decreed_calendar():
    # Day by day: a working day is a weekday that is neither a national holiday nor cuti bersama.
    for year in (2025, 2026, 2027):
        national = holidays.country_holidays("ID", years=year, categories=("public",))
        cuti = {d for d in cuti_bersama_days() if d.year == year}
        day = date(year, 1, 1)
        while day.year == year:
            expected = day.weekday() < 5 and day not in national and day not in cuti
            assert is_working_day(day) is expected, day
            day = date.fromordinal(day.toordinal() + 1)


def test_working_days_in_2026():
    # 261 weekdays; weekday national holidays: 1 Jan, 16 Jan, 17 Feb, 19 Mar, 3 Apr, 1 May, 14 May,
    # 27 May, 1 Jun, 16 Jun, 17 Aug, 25 Aug, 25 Dec (13); cuti bersama 8 (all weekdays): 240.
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 240
