"""Reads of the public-service and workforce data: summaries for the API, tiles and a map layer.

Days are the city's days (``komando.core.clock``). Every function takes an optional ``now`` (aware) so tests and
replays can ask about a given moment; the default is the present.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from komando.assets.models import Asset, AssetKind
from komando.core.events import PUBLIC, STAFF
from komando.core.tiles import Figure, Tile
from komando.services.models import AttendanceDay, BedSnapshot, PermitApplication, PermitStatus, Ward
from komando.sources.registry import panel_source

PERMITS_SOURCE = panel_source("permits")
WORKFORCE_SOURCE = panel_source("workforce")
BEDS_SOURCE = panel_source("beds")
SLA_WINDOW_DAYS = 30


def _local_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return start, start + timedelta(days=1)


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


# --- Perizinan ------------------------------------------------------------------------------------


def permits_summary(now: datetime | None = None) -> dict:
    """Today's applied and issued permits, the share issued within the service time over the last 30
    days, and per type, per kecamatan and per day figures of the month so far (WIB)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    day_start, day_end = _local_day_bounds(today)
    month_start, _end = _local_day_bounds(today.replace(day=1))
    window_start = now - timedelta(days=SLA_WINDOW_DAYS)
    applications = PermitApplication.objects.all()
    issued_window = applications.filter(status=PermitStatus.ISSUED, issued_at__gt=window_start, issued_at__lte=now)
    sla = issued_window.aggregate(total=Count("pk"), within=Count("pk", filter=Q(within_sla=True)))
    month_applied = Q(applied_at__gte=month_start, applied_at__lt=day_end)
    month_issued = Q(status=PermitStatus.ISSUED, issued_at__gte=month_start, issued_at__lt=day_end)
    by_type = [
        {
            "code": row["permit_type__code"],
            "name": row["permit_type__name"],
            "sla_days": row["permit_type__sla_days"],
            "applied": row["applied"],
            "issued": row["issued"],
            "issued_within_sla": row["within"],
        }
        for row in applications.filter(month_applied | month_issued)
        .values("permit_type__code", "permit_type__name", "permit_type__sla_days")
        .annotate(
            applied=Count("pk", filter=month_applied),
            issued=Count("pk", filter=month_issued),
            within=Count("pk", filter=month_issued & Q(within_sla=True)),
        )
        .order_by("-applied", "permit_type__code")
    ]
    by_kecamatan = [
        {
            "code": row["region__parent__code"],
            "name": row["region__parent__name"],
            "applied": row["applied"],
            "issued": row["issued"],
        }
        for row in applications.filter(month_applied | month_issued)
        .values("region__parent__code", "region__parent__name")
        .annotate(applied=Count("pk", filter=month_applied), issued=Count("pk", filter=month_issued))
        .order_by("region__parent__code")
    ]
    days = [today - timedelta(days=offset) for offset in range(SLA_WINDOW_DAYS - 1, -1, -1)]
    first_start, _end = _local_day_bounds(days[0])
    daily = {day: {"date": day.isoformat(), "applied": 0, "issued": 0} for day in days}
    for moment in applications.filter(applied_at__gte=first_start, applied_at__lt=day_end).values_list("applied_at", flat=True):
        daily[timezone.localdate(moment)]["applied"] += 1
    for moment in applications.filter(status=PermitStatus.ISSUED, issued_at__gte=first_start, issued_at__lt=day_end).values_list(
        "issued_at", flat=True
    ):
        daily[timezone.localdate(moment)]["issued"] += 1
    latest = applications.aggregate(latest=Max("source_updated_at"))["latest"]
    return {
        "source": PERMITS_SOURCE,
        "date": today.isoformat(),
        "data_as_of": latest,
        "applied_today": applications.filter(applied_at__gte=day_start, applied_at__lt=day_end).count(),
        "issued_today": applications.filter(status=PermitStatus.ISSUED, issued_at__gte=day_start, issued_at__lt=day_end).count(),
        "in_process": applications.filter(status__in=[PermitStatus.SUBMITTED, PermitStatus.IN_PROCESS]).count(),
        "issued_30_days": sla["total"],
        "issued_within_sla_30_days": sla["within"],
        "within_sla_percent_30_days": _percent(sla["within"], sla["total"]),
        "by_type_this_month": by_type,
        "by_kecamatan_this_month": by_kecamatan,
        "daily": list(daily.values()),
    }


def permits_tile(now: datetime | None = None) -> Tile | None:
    if not PermitApplication.objects.exists():
        return None
    summary = permits_summary(now)
    within = summary["within_sla_percent_30_days"]
    tone = "" if within is None else ("ok" if within >= 90 else "warn" if within >= 75 else "bad")
    return Tile(
        key="permits",
        source=PERMITS_SOURCE,
        title=_("Permits"),
        figures=[
            Figure(_("Issued today"), summary["issued_today"]),
            Figure(_("Applied today"), summary["applied_today"]),
            Figure(_("Within service time (30 days)"), within, unit="%", tone=tone),
            Figure(_("In process"), summary["in_process"]),
        ],
        rows=[Figure(row["name"], row["applied"], unit=_("applied")) for row in summary["by_type_this_month"][:6]],
        rows_title=_("Most applied this month"),
        data_as_of=summary["data_as_of"],
        audience=PUBLIC,
    )


# --- Kinerja ASN ----------------------------------------------------------------------------------


def workforce_summary(day: date | None = None) -> dict:
    """Attendance and performance per OPD on ``day`` (default today, WIB), lowest attendance first."""
    day = day or timezone.localdate()
    rows = list(AttendanceDay.objects.filter(date=day).select_related("agency"))
    agencies = sorted(
        (
            {
                "agency_code": row.agency.code,
                "agency": row.agency.short_name,
                "asn_count": row.asn_count,
                "present": row.present,
                "on_time": row.on_time,
                "late": row.late,
                "on_leave": row.on_leave,
                "sick": row.sick,
                "absent": row.absent,
                "attendance_percent": _percent(row.present, row.asn_count),
                "performance_score": row.performance_score,
                "updated_at": row.source_updated_at,
            }
            for row in rows
        ),
        key=lambda item: (item["attendance_percent"] if item["attendance_percent"] is not None else 101.0, item["agency_code"]),
    )
    totals = {
        name: sum(item[name] for item in agencies)
        for name in ("asn_count", "present", "on_time", "late", "on_leave", "sick", "absent")
    }
    scores = [(row.performance_score, row.asn_count) for row in rows if row.performance_score is not None]
    weight = sum(count for _score, count in scores)
    return {
        "source": WORKFORCE_SOURCE,
        "date": day.isoformat(),
        "data_as_of": max((row.source_updated_at for row in rows), default=None),
        **totals,
        "attendance_percent": _percent(totals["present"], totals["asn_count"]),
        "performance_score": round(sum(s * c for s, c in scores) / weight, 1) if weight else None,
        "agencies_reporting": len(rows),
        "by_agency": agencies,
    }


def latest_workforce_day(now: datetime | None = None) -> date | None:
    """Today, or the last working day with a recap before it (weekends have none)."""
    today = timezone.localdate(now or timezone.now())
    return AttendanceDay.objects.filter(date__lte=today).aggregate(day=Max("date"))["day"]


def workforce_tile(now: datetime | None = None) -> Tile | None:
    day = latest_workforce_day(now)
    if day is None:
        return None
    summary = workforce_summary(day)
    today = timezone.localdate(now or timezone.now())
    return Tile(
        key="workforce",
        source=WORKFORCE_SOURCE,
        title=_("Civil servants today") if day == today else _("Civil servants on %(date)s") % {"date": day.strftime("%d-%m-%Y")},
        figures=[
            Figure(_("Attendance"), summary["attendance_percent"], unit="%"),
            Figure(_("Late"), summary["late"]),
            Figure(_("On leave"), summary["on_leave"]),
            Figure(_("Performance (SKP)"), summary["performance_score"], unit="%"),
        ],
        rows=[Figure(item["agency"], item["attendance_percent"], unit="%") for item in summary["by_agency"][:5]],
        rows_title=_("Lowest attendance"),
        data_as_of=summary["data_as_of"],
        audience=STAFF,
    )


# --- Hospital beds --------------------------------------------------------------------------------

LOW_FREE = {"icu": (5, 2), "igd": (10, 4)}  # ward → (warn at or below, bad at or below), city-wide free beds


def latest_beds() -> list[BedSnapshot]:
    """The latest snapshot of every ward of every hospital (wards silent for a week before the newest
    report are left out: their figures no longer say anything)."""
    newest = BedSnapshot.objects.aggregate(at=Max("observed_at"))["at"]
    if newest is None:
        return []
    latest = (
        BedSnapshot.objects.filter(observed_at__gte=newest - timedelta(days=7))
        .values("hospital_id", "ward")
        .annotate(at=Max("observed_at"))
    )
    condition = Q()
    for row in latest:
        condition |= Q(hospital_id=row["hospital_id"], ward=row["ward"], observed_at=row["at"])
    return list(BedSnapshot.objects.filter(condition).select_related("hospital"))


def beds_summary() -> dict:
    """Free beds per hospital and ward (the latest report of each ward) and city totals per ward."""
    snapshots = latest_beds()
    order = {ward: index for index, ward in enumerate(Ward.values)}
    hospitals: dict[int, dict] = {}
    for asset in Asset.objects.filter(kind=AssetKind.HOSPITAL, source__slug=BEDS_SOURCE).select_related("region"):
        hospitals[asset.pk] = {
            "id": asset.pk,
            "code": asset.source_ref,
            "name": asset.name,
            "lat": asset.lat,
            "lon": asset.lon,
            "kelurahan_code": asset.region.code if asset.region else None,
            "online": asset.online,
            "total": 0,
            "free": 0,
            "updated_at": None,
            "wards": [],
        }
    wards: dict[str, dict] = {}
    for snapshot in sorted(snapshots, key=lambda s: (s.hospital_id, order.get(s.ward, 99))):
        hospital = hospitals.get(snapshot.hospital_id)
        if hospital is None:
            continue
        hospital["wards"].append(
            {
                "ward": snapshot.ward,
                "label": str(Ward(snapshot.ward).label),
                "total": snapshot.total,
                "free": snapshot.free,
                "updated_at": snapshot.observed_at,
            }
        )
        hospital["total"] += snapshot.total
        hospital["free"] += snapshot.free
        if hospital["updated_at"] is None or snapshot.observed_at > hospital["updated_at"]:
            hospital["updated_at"] = snapshot.observed_at
        city = wards.setdefault(
            snapshot.ward, {"ward": snapshot.ward, "label": str(Ward(snapshot.ward).label), "total": 0, "free": 0}
        )
        city["total"] += snapshot.total
        city["free"] += snapshot.free
    listed = sorted(hospitals.values(), key=lambda h: h["name"])
    return {
        "source": BEDS_SOURCE,
        "data_as_of": max((s.observed_at for s in snapshots), default=None),
        "free_total": sum(h["free"] for h in listed),
        "beds_total": sum(h["total"] for h in listed),
        "hospitals_reporting": sum(1 for h in listed if h["wards"]),
        "by_ward": sorted(wards.values(), key=lambda w: order.get(w["ward"], 99)),
        "hospitals": listed,
    }


def _low_tone(ward: str, free: int) -> str:
    warn, bad = LOW_FREE[ward]
    if free <= bad:
        return "bad"
    if free <= warn:
        return "warn"
    return "ok"


def beds_tile() -> Tile | None:
    summary = beds_summary()
    if not summary["hospitals_reporting"]:
        return None
    by_ward = {row["ward"]: row for row in summary["by_ward"]}
    icu = by_ward.get("icu", {}).get("free", 0)
    igd = by_ward.get("igd", {}).get("free", 0)
    return Tile(
        key="beds",
        source=BEDS_SOURCE,
        title=_("Hospital beds"),
        figures=[
            Figure(_("Free beds"), summary["free_total"]),
            Figure(_("Free ICU"), icu, tone=_low_tone("icu", icu)),
            Figure(_("Free IGD"), igd, tone=_low_tone("igd", igd)),
            Figure(_("Hospitals reporting"), summary["hospitals_reporting"]),
        ],
        rows=[Figure(row["label"], f"{row['free']}/{row['total']}") for row in summary["by_ward"][:6]],
        rows_title=_("Free / total per ward"),
        data_as_of=summary["data_as_of"],
        audience=PUBLIC,
        note=_("Few ICU or IGD beds free") if "bad" in (_low_tone("icu", icu), _low_tone("igd", igd)) else "",
    )


def hospitals_layer() -> dict:
    """Map layer for /peta/: every hospital with its free beds (latest reports), GeoJSON [lon, lat]."""
    features = []
    for hospital in beds_summary()["hospitals"]:
        if hospital["lat"] is None or hospital["lon"] is None:
            continue
        by_ward = {w["ward"]: w["free"] for w in hospital["wards"]}
        if not hospital["wards"]:
            status, tone = "no_data", ""
        elif hospital["free"] == 0:
            status, tone = "full", "bad"
        elif by_ward.get("icu") == 0 or by_ward.get("igd") == 0:
            status, tone = "limited", "warn"
        else:
            status, tone = "available", "ok"
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [hospital["lon"], hospital["lat"]]},
                "properties": {
                    "id": hospital["id"],
                    "name": hospital["name"],
                    "kind": AssetKind.HOSPITAL.value,
                    "status": status,
                    "tone": tone,
                    "source": BEDS_SOURCE,
                    "observed_at": hospital["updated_at"].isoformat() if hospital["updated_at"] else None,
                    "free": hospital["free"],
                    "total": hospital["total"],
                    "free_icu": by_ward.get("icu"),
                    "free_igd": by_ward.get("igd"),
                    "wards": [
                        {"ward": w["ward"], "label": w["label"], "free": w["free"], "total": w["total"]}
                        for w in hospital["wards"]
                    ],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
