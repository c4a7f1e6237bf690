"""Typed records that connectors hand to the actions of ``komando.services`` (no Django here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class PermitTypeItem:
    code: str
    name: str
    sla_days: int


@dataclass(frozen=True)
class PermitRecord:
    """One application without its applicant: no name, NIK or phone has a place here."""

    source_ref: str
    permit_type: str
    kelurahan_code: str
    status: str  # komando.services.models.PermitStatus value
    applied_at: datetime
    issued_at: datetime | None
    within_sla: bool | None
    updated_at: datetime


@dataclass(frozen=True)
class AttendanceRecord:
    agency_code: str
    date: date
    asn_count: int
    present: int
    on_time: int
    late: int
    on_leave: int
    sick: int
    absent: int
    performance_score: float | None
    updated_at: datetime


@dataclass(frozen=True)
class BedRecord:
    hospital_ref: str
    ward: str  # komando.services.models.Ward value
    total: int
    occupied: int
    free: int
    observed_at: datetime
