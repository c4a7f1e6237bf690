"""Pure rules of the Kurva S: deviation, status bands and the contract-critical (kontrak kritis) rule.

Deviation = realised − planned cumulative physical progress, in percentage points (negative = behind).
Kontrak kritis (SSUK, Peraturan LKPP 9/2018; Permen PUPR 14/2020):
- period I, planned 0–70 % (70 included): behind by more than 10 points;
- period II, planned above 70 % up to 100 %: behind by more than 5 points.
Dashboard bands (our choice): deviation ≥ 0 on track, −5 ≤ d < 0 waspada, −10 ≤ d < −5 terlambat,
and kritis whenever the contract-critical rule holds (so every deviation below −10 is kritis).
The third SSUK case (period II, less than 5 points behind but certain to overrun the fiscal year)
needs a forecast the e-Monev data does not carry; it is not evaluated.
"""

from decimal import ROUND_HALF_UP, Decimal

ON_TRACK = "on_track"
WASPADA = "waspada"
TERLAMBAT = "terlambat"
KRITIS = "kritis"
STATUSES = [ON_TRACK, WASPADA, TERLAMBAT, KRITIS]

PERIOD_ONE_UPPER_PLANNED = Decimal("70")
PERIOD_ONE_CRITICAL_DELAY = Decimal("10")
PERIOD_TWO_CRITICAL_DELAY = Decimal("5")
WASPADA_LOWER = Decimal("-5")
TERLAMBAT_LOWER = Decimal("-10")

_CENT = Decimal("0.01")


def _points(value) -> Decimal:
    """Percentages compared at the precision e-Monev reports them: two decimals."""
    return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


def deviation(planned, realised) -> Decimal:
    return _points(realised) - _points(planned)


def is_contract_critical(planned, realised) -> bool:
    behind = -deviation(planned, realised)
    if _points(planned) <= PERIOD_ONE_UPPER_PLANNED:
        return behind > PERIOD_ONE_CRITICAL_DELAY
    return behind > PERIOD_TWO_CRITICAL_DELAY


def progress_status(planned, realised) -> str:
    if is_contract_critical(planned, realised):
        return KRITIS
    gap = deviation(planned, realised)
    if gap >= 0:
        return ON_TRACK
    if gap >= WASPADA_LOWER:
        return WASPADA
    return TERLAMBAT


def critical_rule(planned, realised) -> dict:
    """Which period of the kontrak-kritis rule applies at ``planned`` and how far the work is from
    its limit: ``{"period": 1 | 2, "limit": points, "behind": points (≤ 0 when ahead),
    "critical": bool}``. Screens explain a status with it."""
    period_one = _points(planned) <= PERIOD_ONE_UPPER_PLANNED
    return {
        "period": 1 if period_one else 2,
        "limit": PERIOD_ONE_CRITICAL_DELAY if period_one else PERIOD_TWO_CRITICAL_DELAY,
        "behind": -deviation(planned, realised),
        "critical": is_contract_critical(planned, realised),
    }
