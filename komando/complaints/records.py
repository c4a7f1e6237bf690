"""Typed records the connectors hand to the complaint actions. No Django here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

# Indonesian phone numbers as people write them: 0812-3456-7890, +62 812 3456 7890, 62812…, (021) 5512345.
PHONE_PATTERN = re.compile(r"(?<!\w)(?:\+?62|0)[\s\-.()]*\d(?:[\s\-.()]*\d){6,12}(?!\w)")
PHONE_MASK = "[nomor disembunyikan]"


def mask_phone_numbers(text: str) -> str:
    """``text`` with anything that looks like a phone number replaced (a note may quote the caller)."""
    return PHONE_PATTERN.sub(PHONE_MASK, text or "")


@dataclass(frozen=True)
class ComplaintRecord:
    source_ref: str
    status: str  # komando.complaints.models.ComplaintStatus value
    reported_at: datetime
    source_updated_at: datetime
    category_code: str = ""
    category: str = ""
    source_status: str = ""
    status_notes: str = ""
    title: str = ""
    description: str = ""
    agency_code: str = ""  # an Agency code when the source names the OPD by code
    agency_name: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    region_code: str = ""  # kelurahan or kecamatan code; empty: from lat/lon
    media_url: str = ""
    confidential: bool = False
    disposed_at: datetime | None = None


@dataclass(frozen=True)
class EmergencyCallRecord:
    call_id: str
    received_at: datetime
    kind: str  # komando.complaints.models.EmergencyKind value
    lat: float | None = None
    lon: float | None = None
    region_code: str = ""
    note: str = ""
