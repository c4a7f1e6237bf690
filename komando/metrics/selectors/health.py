"""Reads of the e-Puskesmas aggregates: the health panel of one day (WIB)."""

from __future__ import annotations

from datetime import date

from django.db.models import Max, Sum
from django.utils import timezone

from komando.assets.models import Asset, AssetKind
from komando.metrics.models import DiagnosisCount, PrescriptionCount, VisitCount
from komando.metrics.terminology import icd10_indonesian_name
from komando.regions.models import RegionLevel

SOURCE_SLUG = "epuskesmas"
TOP = 10


def _kecamatan_code(asset: Asset) -> str | None:
    region = asset.region
    if region is None:
        return None
    if region.level == RegionLevel.KELURAHAN and region.parent is not None:
        return region.parent.code
    return region.code


def health_panel(day: date | None = None) -> dict:
    """Visits, poli, top diagnoses and drugs of ``day`` (default: today in WIB), per the panel contract."""
    day = day or timezone.localdate()
    visits = VisitCount.objects.filter(date=day)
    by_poli = [
        {"poli": row["poli"], "count": row["count"]}
        for row in visits.values("poli").annotate(count=Sum("count")).order_by("-count", "poli")
    ]
    per_facility = dict(visits.values_list("facility").annotate(total=Sum("count")).values_list("facility", "total"))
    top_diagnoses = [
        {"code": row["icd10_code"], "name": row["name"], "name_id": icd10_indonesian_name(row["icd10_code"]),
         "count": row["count"]}
        for row in DiagnosisCount.objects.filter(date=day).values("icd10_code")
        .annotate(count=Sum("count"), name=Max("icd10_name")).order_by("-count", "icd10_code")[:TOP]
    ]
    top_drugs = [
        {"code": row["kfa_code"], "name": row["name"], "count": row["count"]}
        for row in PrescriptionCount.objects.filter(date=day).values("kfa_code")
        .annotate(count=Sum("count"), name=Max("drug_name")).order_by("-count", "kfa_code")[:TOP]
    ]
    facilities = Asset.objects.filter(kind=AssetKind.PUSKESMAS).select_related("region__parent")
    by_facility = sorted(
        (
            {"id": asset.pk, "name": asset.name, "lat": asset.lat, "lon": asset.lon,
             "kecamatan_code": _kecamatan_code(asset), "visits": int(per_facility.get(asset.pk, 0))}
            for asset in facilities
        ),
        key=lambda row: (-row["visits"], row["name"]),
    )
    return {
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
