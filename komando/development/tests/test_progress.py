"""The Kurva S rules at their edges (STANDARDS §f: kontrak kritis, dashboard bands)."""

import pytest

from komando.development.progress import (
    KRITIS,
    ON_TRACK,
    TERLAMBAT,
    WASPADA,
    critical_rule,
    deviation,
    is_contract_critical,
    progress_status,
)


@pytest.mark.parametrize(
    ("planned", "realised", "critical"),
    [
        # Period I (planned 0–70 %, 70 included): critical when behind by MORE than 10 points.
        (70, 60, False),  # exactly −10 at 70 % planned
        (70, 59.99, True),  # −10.01 at 70 % planned
        (40, 30, False),
        (40, 29.99, True),
        (10, 0, False),
        (10.01, 0, True),
        (0, 0, False),
        # Period II (planned above 70 %): critical when behind by MORE than 5 points.
        (70.01, 65.01, False),  # exactly −5 just inside period II
        (70.01, 65.0, True),  # −5.01
        (85, 80, False),
        (85, 79.99, True),
        (100, 95, False),
        (100, 94.99, True),
        # Ahead is never critical.
        (50, 80, False),
        (100, 100, False),
    ],
)
def test_contract_critical_rule_at_thresholds(planned, realised, critical):
    assert is_contract_critical(planned, realised) is critical


@pytest.mark.parametrize(
    ("planned", "realised", "status"),
    [
        (50, 50, ON_TRACK),  # deviation 0
        (50, 62, ON_TRACK),
        (50, 49.99, WASPADA),  # just behind
        (50, 45, WASPADA),  # exactly −5
        (50, 44.99, TERLAMBAT),  # −5.01
        (50, 40, TERLAMBAT),  # exactly −10 in period I
        (50, 39.99, KRITIS),  # −10.01 in period I
        (70, 60, TERLAMBAT),  # exactly −10 at 70 % planned: period I, not critical
        (70, 59.99, KRITIS),
        (80, 75, WASPADA),  # exactly −5 in period II: not critical
        (80, 74.99, KRITIS),  # −5.01 in period II is kritis, not terlambat
        (80, 71, KRITIS),
        (100, 85, KRITIS),
    ],
)
def test_status_bands_at_edges(planned, realised, status):
    assert progress_status(planned, realised) == status


def test_deviation_is_rounded_to_reported_precision():
    assert str(deviation(33.333, 30.001)) == "-3.33"
    assert progress_status(0.1 + 0.2, 0.3) == ON_TRACK  # no float noise


@pytest.mark.parametrize(
    ("planned", "realised", "period", "limit", "behind", "critical"),
    [
        # Planned exactly 70 is still period I (limit 10); just above 70 is period II (limit 5).
        (70, 60, 1, 10, "10.00", False),
        (70, 59.99, 1, 10, "10.01", True),
        (70.01, 60.01, 2, 5, "10.00", True),  # the same 10 points behind is kritis one step later
        (70.01, 65.01, 2, 5, "5.00", False),
        (70.01, 65.00, 2, 5, "5.01", True),
        (85, 90, 2, 5, "-5.00", False),  # realised above planned in period II: ahead, never kritis
        (30, 45.5, 1, 10, "-15.50", False),  # ahead in period I
        (0, 0, 1, 10, "0.00", False),
    ],
)
def test_critical_rule_names_the_period_and_how_far_behind(planned, realised, period, limit, behind, critical):
    rule = critical_rule(planned, realised)
    assert rule["period"] == period and rule["limit"] == limit
    assert str(rule["behind"]) == behind
    assert rule["critical"] is critical is is_contract_critical(planned, realised)


@pytest.mark.parametrize(
    ("planned", "realised", "status"),
    [
        (85, 90, ON_TRACK),  # realised above planned in period II
        (70.01, 70.01, ON_TRACK),
        (70.01, 65.01, WASPADA),  # exactly −5 just inside period II
        (70.01, 65.0, KRITIS),  # −5.01 just inside period II
        (70.01, 60.01, KRITIS),  # −10 just inside period II: kritis, not terlambat
        (10.01, 0, KRITIS),  # nothing done while 10.01 was planned
        (10, 0, TERLAMBAT),  # exactly −10 at 10 % planned
    ],
)
def test_status_bands_around_the_period_boundary(planned, realised, status):
    assert progress_status(planned, realised) == status
