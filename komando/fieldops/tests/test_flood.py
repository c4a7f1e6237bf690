"""siaga_status at the edges, and the newest-level rule."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from komando.fieldops.flood import is_newer_level, severity, siaga_status, with_level

GAUGE = {"normal_m": 2.2, "siaga_3_m": 3.5, "siaga_2_m": 4.5, "siaga_1_m": 5.5}
WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("level", "status"),
    [
        (0.0, "normal"),
        (2.2, "normal"),
        (3.49, "normal"),
        (3.4999999, "normal"),
        (3.5, "siaga_3"),  # the threshold itself is at that level
        (3.51, "siaga_3"),
        (4.49, "siaga_3"),
        (4.5, "siaga_2"),
        (5.4999, "siaga_2"),
        (5.5, "siaga_1"),
        (9.0, "siaga_1"),
    ],
)
def test_siaga_status_is_inclusive_at_each_threshold(level, status):
    assert siaga_status(GAUGE, level) == status


def test_siaga_status_takes_integers_and_skips_unknown_thresholds():
    assert siaga_status({"siaga_3_m": 2, "siaga_2_m": 3, "siaga_1_m": 4}, 3) == "siaga_2"
    assert siaga_status({}, 10.0) == "normal"
    assert siaga_status({"siaga_3_m": 1.8, "siaga_2_m": None, "siaga_1_m": "3"}, 2.5) == "siaga_3"
    assert siaga_status({"siaga_3_m": True}, 2.0) == "normal"  # a flag is not a threshold


def test_severity_ranks_statuses():
    assert [severity(s) for s in ("normal", "siaga_3", "siaga_2", "siaga_1", "unknown")] == [0, 1, 2, 3, 0]


def test_newest_level_wins_across_time_zones():
    stored = with_level({"siaga_3_m": 3.5}, 3.1, datetime(2026, 11, 28, 8, 0, tzinfo=UTC))
    assert stored["level_observed_at"] == "2026-11-28T08:00:00+00:00"
    # 15:00 WIB is 08:00 UTC: the same moment is not newer.
    same = datetime(2026, 11, 28, 15, 0, tzinfo=WIB)
    assert not is_newer_level(stored, same)
    assert with_level(stored, 9.9, same) == stored
    # 15:00:01 WIB is newer, though as text "+07:00" would sort differently.
    newer = same + timedelta(seconds=1)
    assert is_newer_level(stored, newer)
    assert with_level(stored, 3.2, newer)["level_m"] == 3.2
    assert with_level(stored, 1.0, same - timedelta(hours=1))["level_m"] == 3.1
    assert stored["siaga_3_m"] == 3.5
    assert is_newer_level({}, same) and is_newer_level({"level_observed_at": "not a time"}, same)
