from datetime import UTC, date, datetime

import pytest

from komando.core import clock
from komando.core.city import City


def city_in(zone: str) -> City:
    return City(code="99.01", name="Kota Contoh", timezone=zone, center_lat=0.0, center_lon=0.0)


@pytest.mark.parametrize(
    ("zone", "label", "offset"),
    [("Asia/Jakarta", "WIB", "+07:00"), ("Asia/Makassar", "WITA", "+08:00"), ("Asia/Jayapura", "WIT", "+09:00")],
)
def test_zone_label_offset_and_midnight(monkeypatch, zone, label, offset):
    monkeypatch.setattr(clock, "current_city", lambda: city_in(zone))
    assert clock.zone_label() == label
    start, end = clock.day_bounds(date(2026, 12, 7))
    assert start.isoformat() == f"2026-12-07T00:00:00{offset}"
    assert (end - start).total_seconds() == 86400


def test_today_is_cut_at_the_citys_own_midnight(monkeypatch):
    # 16:30 UTC is 23:30 WIB on the 7th but 00:30 WITA on the 8th.
    moment = datetime(2026, 12, 7, 16, 30, tzinfo=UTC)
    monkeypatch.setattr(clock, "current_city", lambda: city_in("Asia/Jakarta"))
    assert clock.city_today(moment) == date(2026, 12, 7)
    monkeypatch.setattr(clock, "current_city", lambda: city_in("Asia/Makassar"))
    assert clock.city_today(moment) == date(2026, 12, 8)


def test_a_zone_without_an_indonesian_label_is_written_as_its_offset(monkeypatch):
    monkeypatch.setattr(clock, "current_city", lambda: city_in("Asia/Singapore"))
    assert clock.zone_label() == "UTC+08:00"
