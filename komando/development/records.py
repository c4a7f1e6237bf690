"""Typed data a development source hands to ``do_sync_development`` (no database, no I/O)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class MonthProgressRecord:
    month: date  # first day of the month
    planned_physical: Decimal
    realised_physical: Decimal | None
    planned_financial: Decimal
    realised_financial: Decimal | None


@dataclass(frozen=True)
class ProjectRecord:
    source_ref: str
    agency_code: str
    name: str
    fiscal_year: int
    budget: int
    kelurahan_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    months: list[MonthProgressRecord] = field(default_factory=list)
