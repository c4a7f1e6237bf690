"""The city's ``channel_categories.json``: how each channel's own codes become incident categories
and priorities. Read from the city's data folder (``KOMANDO_CITY_DIR``), checked, and kept until the
file changes. A malformed file raises ``MappingError`` with the place of the fault."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from komando.fieldops.flood import SIAGA_1, SIAGA_2, SIAGA_3
from komando.incidents.choices import Priority
from komando.metrics.models import CongestionLevel

FILE_NAME = "channel_categories.json"
SIAGA_LEVELS = (SIAGA_3, SIAGA_2, SIAGA_1)


class MappingError(ValueError):
    """The mapping file is missing or malformed (a deployment fault, not bad input from a feed)."""


@dataclass(frozen=True)
class Target:
    """An incident category and, optionally, a priority (None: the category's default)."""

    category: str
    priority: str | None = None


@dataclass(frozen=True)
class ComplaintMapping:
    fallback: str
    categories: dict[str, str]
    codes_are_categories: bool = False
    skip_resolved: bool = True
    max_age_hours: float | None = None  # older complaints (since they reached the city) open no incident

    def category_for(self, code: str, known_categories) -> tuple[str, bool]:
        """(incident category code, True when it is the fallback) for a source's category code."""
        code = str(code or "").strip()
        if code in self.categories:
            return self.categories[code], False
        if self.codes_are_categories and code and code in known_categories:
            return code, False
        return self.fallback, True


@dataclass(frozen=True)
class CallMapping:
    fallback: Target
    kinds: dict[str, Target | None]

    def target_for(self, kind: str) -> tuple[Target | None, bool]:
        """(target or None for no incident, True when it is the fallback)."""
        if kind in self.kinds:
            return self.kinds[kind], False
        return self.fallback, True


@dataclass(frozen=True)
class GaugeMapping:
    opens_at: str
    category: str
    priority: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TrafficMapping:
    opens_at: frozenset[str]
    continues_at: frozenset[str]
    max_gap_minutes: int
    category: str
    priority: str | None = None


@dataclass(frozen=True)
class ChannelMapping:
    laksa: ComplaintMapping
    lapor: ComplaintMapping
    call_112: CallMapping
    gauges: GaugeMapping
    atcs: TrafficMapping


def _require(condition: bool, where: str, what: str) -> None:
    if not condition:
        raise MappingError(f"{FILE_NAME}: {where}: {what}")


def _code(value, where: str) -> str:
    _require(isinstance(value, str) and value.strip() != "", where, "must be a category code (text)")
    return value.strip()


def _priority(value, where: str) -> str | None:
    _require(
        value is None or value in Priority.values, where, f"must be one of {', '.join(Priority.values)} or null, not {value!r}"
    )
    return value


def _section(data: dict, name: str) -> dict:
    section = data.get(name)
    _require(isinstance(section, dict), name, "the section is missing or not an object")
    return section


def _complaints(data: dict, name: str) -> ComplaintMapping:
    section = _section(data, name)
    categories = section.get("categories", {})
    _require(isinstance(categories, dict), f"{name}.categories", "must map source codes to category codes")
    return ComplaintMapping(
        fallback=_code(section.get("fallback"), f"{name}.fallback"),
        categories={str(key).strip(): _code(value, f"{name}.categories.{key}") for key, value in categories.items()},
        codes_are_categories=bool(section.get("codes_are_categories", False)),
        skip_resolved=bool(section.get("skip_resolved", True)),
        max_age_hours=_hours(section.get("max_age_hours"), f"{name}.max_age_hours"),
    )


def _hours(value, where: str) -> float | None:
    _require(
        value is None or (isinstance(value, int | float) and not isinstance(value, bool) and value > 0),
        where,
        "must be a positive number of hours or null",
    )
    return None if value is None else float(value)


def _target(value, where: str) -> Target | None:
    if value is None:
        return None
    _require(isinstance(value, dict), where, 'must be {"category": …, "priority": …} or null')
    return Target(
        category=_code(value.get("category"), f"{where}.category"), priority=_priority(value.get("priority"), f"{where}.priority")
    )


def _calls(data: dict) -> CallMapping:
    section = _section(data, "call_112")
    kinds = section.get("kinds", {})
    _require(isinstance(kinds, dict), "call_112.kinds", "must map call kinds to targets")
    fallback = _target(section.get("fallback"), "call_112.fallback")
    _require(fallback is not None, "call_112.fallback", "is required")
    return CallMapping(fallback=fallback, kinds={str(k): _target(v, f"call_112.kinds.{k}") for k, v in kinds.items()})


def _gauges(data: dict) -> GaugeMapping:
    section = _section(_section(data, "sensor"), "gauges")
    opens_at = section.get("opens_at")
    _require(opens_at in SIAGA_LEVELS, "sensor.gauges.opens_at", f"must be one of {', '.join(SIAGA_LEVELS)}")
    priority = section.get("priority") or {}
    _require(
        isinstance(priority, dict) and set(priority) <= set(SIAGA_LEVELS),
        "sensor.gauges.priority",
        f"must map {', '.join(SIAGA_LEVELS)} to priorities",
    )
    return GaugeMapping(
        opens_at=opens_at,
        category=_code(section.get("category"), "sensor.gauges.category"),
        priority={k: _priority(v, f"sensor.gauges.priority.{k}") for k, v in priority.items()},
    )


def _traffic(data: dict) -> TrafficMapping:
    section = _section(data, "atcs")
    levels = set(CongestionLevel.values)
    opens_at, continues_at = section.get("opens_at"), section.get("continues_at", [])
    for name, value in (("opens_at", opens_at), ("continues_at", continues_at)):
        _require(
            isinstance(value, list) and set(value) <= levels,
            f"atcs.{name}",
            f"must be a list of congestion levels ({', '.join(levels)})",
        )
    _require(bool(opens_at), "atcs.opens_at", "needs at least one congestion level")
    gap = section.get("max_gap_minutes", 30)
    _require(
        isinstance(gap, int) and not isinstance(gap, bool) and gap > 0,
        "atcs.max_gap_minutes",
        "must be a positive number of minutes",
    )
    return TrafficMapping(
        opens_at=frozenset(opens_at),
        continues_at=frozenset(continues_at) - set(opens_at),
        max_gap_minutes=gap,
        category=_code(section.get("category"), "atcs.category"),
        priority=_priority(section.get("priority"), "atcs.priority"),
    )


def parse_mapping(data) -> ChannelMapping:
    _require(isinstance(data, dict), "top level", "must be an object")
    return ChannelMapping(
        laksa=_complaints(data, "laksa"),
        lapor=_complaints(data, "lapor"),
        call_112=_calls(data),
        gauges=_gauges(data),
        atcs=_traffic(data),
    )


def mapping_path(city_dir=None) -> Path:
    return Path(city_dir or settings.KOMANDO_CITY_DIR) / FILE_NAME


_cache: dict[Path, tuple[int, ChannelMapping]] = {}
_lock = threading.Lock()


def load_mapping(city_dir=None) -> ChannelMapping:
    """The city's mapping, read again when the file changed."""
    path = mapping_path(city_dir)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as error:
        raise MappingError(f"{FILE_NAME} is missing in {path.parent} ({error})") from None
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise MappingError(f"{FILE_NAME} cannot be read: {error}") from None
    mapping = parse_mapping(data)
    with _lock:
        _cache[path] = (stamp, mapping)
    return mapping


def mapped_category_codes(mapping: ChannelMapping) -> set[str]:
    """Every incident category code the mapping names (for checks against the city's categories)."""
    codes = {
        mapping.laksa.fallback,
        mapping.lapor.fallback,
        mapping.call_112.fallback.category,
        mapping.gauges.category,
        mapping.atcs.category,
    }
    codes |= set(mapping.laksa.categories.values()) | set(mapping.lapor.categories.values())
    codes |= {target.category for target in mapping.call_112.kinds.values() if target is not None}
    return codes
