"""Flood warning levels (status siaga) of a water-level gauge. Pure functions, no database.

A gauge's attributes carry its thresholds in metres: ``siaga_3_m`` (waspada) < ``siaga_2_m``
(siaga) < ``siaga_1_m`` (awas). A level at or above a threshold is at that level.
"""

from __future__ import annotations

from datetime import UTC, datetime

NORMAL = "normal"
SIAGA_3 = "siaga_3"
SIAGA_2 = "siaga_2"
SIAGA_1 = "siaga_1"
STATUSES = (NORMAL, SIAGA_3, SIAGA_2, SIAGA_1)  # from calm to worst
TONES = {NORMAL: "ok", SIAGA_3: "warn", SIAGA_2: "bad", SIAGA_1: "bad"}
THRESHOLDS = (("siaga_1_m", SIAGA_1), ("siaga_2_m", SIAGA_2), ("siaga_3_m", SIAGA_3))


def siaga_status(attributes: dict, level_m: float) -> str:
    """``"normal"``, ``"siaga_3"``, ``"siaga_2"`` or ``"siaga_1"`` for ``level_m`` at a gauge with
    these ``attributes``; each threshold counts from its value on (inclusive). A threshold that
    is missing or not a number is skipped."""
    level = float(level_m)
    for key, status in THRESHOLDS:
        threshold = attributes.get(key)
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            continue
        if level >= threshold:
            return status
    return NORMAL


def severity(status: str) -> int:
    """0 (normal) … 3 (siaga 1), to rank gauges."""
    return STATUSES.index(status) if status in STATUSES else 0


def parse_observed_at(raw) -> datetime | None:
    """The aware time of ``attributes["level_observed_at"]`` (ISO 8601), or None."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def is_newer_level(attributes: dict, observed_at: datetime) -> bool:
    """Newest wins: a level observed at ``observed_at`` replaces the stored one only when it is newer
    (the HTTP connector and the MQTT ingest both write ``level_m``/``level_observed_at``)."""
    stored = parse_observed_at(attributes.get("level_observed_at"))
    return stored is None or observed_at > stored


def with_level(attributes: dict, level_m: float, observed_at: datetime) -> dict:
    """``attributes`` with this level when it is newer than the stored one (a new dict), else unchanged."""
    if not is_newer_level(attributes, observed_at):
        return dict(attributes)
    return dict(attributes) | {"level_m": float(level_m), "level_observed_at": observed_at.astimezone(UTC).isoformat()}
