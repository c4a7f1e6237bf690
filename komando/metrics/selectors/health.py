"""Reads of the e-Puskesmas aggregates: the health panel of one day (WIB).

Visits, diagnoses and prescriptions count people: the public sees them through ``public_count``
(1–4 → "<5"); ``exact=True`` only for viewers allowed internal data. Suppressed rows are listed by
name among themselves, so their order does not rank the hidden counts.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Max, Sum
from django.utils import timezone

from komando.assets.models import Asset, AssetKind
from komando.core.privacy import public_count
from komando.metrics.models import DiagnosisCount, PrescriptionCount, VisitCount
from komando.metrics.terminology import icd10_indonesian_name
from komando.regions.models import RegionLevel
from komando.sources.registry import panel_source

SOURCE_SLUG = panel_source("health")
TOP = 10


def _kecamatan_code(asset: Asset) -> str | None:
    region = asset.region
    if region is None:
        return None
    if region.level == RegionLevel.KELURAHAN and region.parent is not None:
        return region.parent.code
    return region.code


def _public_rows(rows: list[dict], count: str, name: str) -> list[dict]:
    """``rows`` (ranked by count, highest first) with their counts suppressed; the "<5" rows keep
    their place between the shown counts and the zeros, ordered by name among themselves."""
    public = [{**row, count: public_count(row[count])} for row in rows]

    def rank(row: dict) -> tuple[int, str]:
        value = row[count]
        if isinstance(value, str):
            return (1, str(row[name]))
        return (0, "") if value else (2, "")

    return sorted(public, key=rank)  # stable: shown counts and zeros keep their order


def public_health_panel(panel: dict) -> dict:
    """The panel as the public may see it: every count of people 1–4 becomes "<5"."""
    return {
        **panel,
        "visits_total": public_count(panel["visits_total"]),
        "by_poli": _public_rows(panel["by_poli"], "count", "poli"),
        "top_diagnoses": _public_rows(panel["top_diagnoses"], "count", "code"),
        "top_drugs": _public_rows(panel["top_drugs"], "count", "name"),
        "by_facility": _public_rows(panel["by_facility"], "visits", "name"),
    }


def health_panel(day: date | None = None, *, exact: bool = False) -> dict:
    """Visits, poli, top diagnoses and drugs of ``day`` (default: today in WIB), per the panel contract.

    Small cells are suppressed unless ``exact`` (staff)."""
    day = day or timezone.localdate()
    visits = VisitCount.objects.filter(date=day)
    by_poli = [
        {"poli": row["poli"], "count": row["count"]}
        for row in visits.values("poli").annotate(count=Sum("count")).order_by("-count", "poli")
    ]
    per_facility = dict(visits.values_list("facility").annotate(total=Sum("count")).values_list("facility", "total"))
    top_diagnoses = [
        {
            "code": row["icd10_code"],
            "name": row["name"],
            "name_id": icd10_indonesian_name(row["icd10_code"]),
            "count": row["count"],
        }
        for row in DiagnosisCount.objects.filter(date=day)
        .values("icd10_code")
        .annotate(count=Sum("count"), name=Max("icd10_name"))
        .order_by("-count", "icd10_code")[:TOP]
    ]
    top_drugs = [
        {"code": row["kfa_code"], "name": row["name"], "count": row["count"]}
        for row in PrescriptionCount.objects.filter(date=day)
        .values("kfa_code")
        .annotate(count=Sum("count"), name=Max("drug_name"))
        .order_by("-count", "kfa_code")[:TOP]
    ]
    facilities = Asset.objects.filter(kind=AssetKind.PUSKESMAS).select_related("region__parent")
    by_facility = sorted(
        (
            {
                "id": asset.pk,
                "name": asset.name,
                "lat": asset.lat,
                "lon": asset.lon,
                "kecamatan_code": _kecamatan_code(asset),
                "visits": int(per_facility.get(asset.pk, 0)),
            }
            for asset in facilities
        ),
        key=lambda row: (-row["visits"], row["name"]),
    )
    panel = {
        "source": SOURCE_SLUG,
        "date": day.isoformat(),
        "visits_total": sum(row["count"] for row in by_poli),
        "facilities_reporting": sum(1 for row in by_facility if row["visits"] > 0),
        "facilities_total": len(by_facility),
        "by_poli": by_poli,
        "top_diagnoses": top_diagnoses,
        "top_drugs": top_drugs,
        "by_facility": by_facility,
    }
    return panel if exact else public_health_panel(panel)
