"""The city this installation serves, read once from its data folder (``KOMANDO_CITY_DIR``).

Every module that needs a fact of the city (its name, Kemendagri code, map centre, time zone, the
Open311 jurisdiction) asks here; nothing else reads ``city.json``. A second city is a second data
folder: see the README, "Adding a city".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CITY_FILE = "city.json"


class CityDataInvalid(ValueError):
    """The city's ``city.json`` is missing or lacks a required field."""


@dataclass(frozen=True)
class City:
    code: str
    name: str
    timezone: str
    center_lat: float
    center_lon: float
    province: str = ""
    open311_jurisdiction_id: str = ""
    facts: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def center(self) -> dict[str, float]:
        return {"lat": self.center_lat, "lon": self.center_lon}

    def summary(self) -> dict[str, Any]:
        """What a screen embeds in its JSON state: code, name, map centre and time zone."""
        return {"code": self.code, "name": self.name, "center": self.center, "timezone": self.timezone}

    def get(self, key: str, default: Any = None) -> Any:
        """Any other fact of ``city.json`` (population totals and their reference, for example)."""
        return self.facts.get(key, default)


def read_city(city_dir: Path | str) -> City:
    """The city described by ``city_dir/city.json`` (no cache: simulators and tools read other folders)."""
    path = Path(city_dir) / CITY_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CityDataInvalid(f"{path} is missing") from None
    except json.JSONDecodeError as error:
        raise CityDataInvalid(f"{path} is not valid JSON: {error}") from None
    missing = [key for key in ("code", "name", "timezone", "center") if not data.get(key)]
    if missing:
        raise CityDataInvalid(f"{path} lacks {', '.join(missing)}")
    try:
        lat, lon = float(data["center"]["lat"]), float(data["center"]["lon"])
    except (TypeError, KeyError, ValueError):
        raise CityDataInvalid(f'{path}: center must be {{"lat": …, "lon": …}}') from None
    try:
        ZoneInfo(str(data["timezone"]))
    except (ValueError, ZoneInfoNotFoundError):
        raise CityDataInvalid(f"{path}: timezone {data['timezone']!r} is not an IANA zone such as Asia/Makassar") from None
    return City(
        code=str(data["code"]),
        name=str(data["name"]),
        timezone=str(data["timezone"]),
        center_lat=lat,
        center_lon=lon,
        province=str(data.get("province", "")),
        open311_jurisdiction_id=str(data.get("open311_jurisdiction_id", "")),
        facts=data,
    )


@cache
def _city_at(city_dir: str) -> City:
    return read_city(city_dir)


def current_city() -> City:
    """The city of this installation (``settings.KOMANDO_CITY_DIR``), read once per folder."""
    from django.conf import settings

    return _city_at(str(settings.KOMANDO_CITY_DIR))


def city_data_dir() -> Path:
    """The folder of the city's data files (regions, agencies, sources, playbooks, simulators)."""
    from django.conf import settings

    return Path(settings.KOMANDO_CITY_DIR)
