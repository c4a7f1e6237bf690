"""The daily situation report for the mayor: what happened in the city on one calendar day (WIB).

``daily_report(day)`` returns plain JSON-safe values (strings, numbers, lists, dicts; times as ISO
8601 in WIB), so the same structure is rendered as the page, rendered as the PDF and stored as the
report's summary. Every section carries its ``source`` (where the figures come from) and ``as_of``
(how fresh they are). Sections:

1. incidents reported that day, by category and by kecamatan (``komando.incidents``; a duplicate
   merged into another incident counts in that one, as on the public scorecard);
2. SLA compliance per OPD of the incidents received that day, computed by the public scorecard's own
   ``compute_scorecard`` (``komando.incidents.scorecard``) for the day as its period — without the
   scorecard's small-number suppression: this report is internal;
3. critical incidents (priority kritis or tinggi) reported up to the end of the day and still open
   when the report is made;
4. water-level peaks per gauge during the day and the siaga level reached (history of readings in
   ``komando.devices.WaterLevelReading``; a gauge fed only by the HTTP connector keeps its latest level
   in the asset's attributes, which counts when it was observed that day);
5. development deviations: projects kritis or terlambat at the newest e-Monev month
   (``komando.development.selectors``: progress is monthly, so this is the state as of that month);
6. source outages: when each connected source was failing or stale during the day, from its run
   history (``komando.sources.SourceRun``), with the same staleness rule as the source health page;
7. alerts raised that day, from ``komando.alerts.selectors.alerts_between`` when that app provides it.

``agency_id`` scopes the report to one OPD (what an OPD officer sees): incidents, SLA, critical
incidents and development are of that OPD only; water levels and source outages are city-wide
facts (gauges are public, the source health page is open to OPD officers); alerts are those about
that OPD.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from komando.core.clock import city_zone

DAY_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
EARLIEST_DAY = date(2000, 1, 1)
CRITICAL_PRIORITIES = ("kritis", "tinggi")
DEVIATION_STATUSES = ("kritis", "terlambat")
MIN_OUTAGE_SECONDS = 60  # shorter gaps are noise of the schedule, not outages
SCHEMA_VERSION = 1


class BadDay(ValueError):
    """The day asked for cannot have a report; ``str()`` says why, in words."""


@dataclass(frozen=True)
class Window:
    day: date
    start: datetime  # midnight WIB, inclusive
    end: datetime  # next midnight WIB, exclusive
    as_of: datetime  # when the report is made
    until: datetime  # min(end, as_of): the part of the day that has happened

    @property
    def complete(self) -> bool:
        return self.as_of >= self.end


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), tzinfo=city_zone())
    return start, datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=city_zone())


def today_wib(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(city_zone()).date()


def yesterday_wib(now: datetime | None = None) -> date:
    return today_wib(now) - timedelta(days=1)


def parse_day(value: str | None, now: datetime | None = None) -> date:
    """The day of ``YYYY-MM-DD`` (WIB calendar), from 2000-01-01 up to today; empty = yesterday.
    Raises ``BadDay`` for a malformed date, a day that does not exist or a day in the future."""
    value = str(value or "").strip()
    if not value:
        return yesterday_wib(now)
    match = DAY_PATTERN.match(value)
    if not match:
        raise BadDay(_("The date must be written as YYYY-MM-DD, for example 2026-11-28."))
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise BadDay(_("That date does not exist.")) from None
    if day > today_wib(now):
        raise BadDay(_("That day has not come yet: a report can only describe a day that has begun."))
    if day < EARLIEST_DAY:
        raise BadDay(_("Daily reports start on 1 January 2000."))
    return day


def make_window(day: date, now: datetime | None = None) -> Window:
    now = now or timezone.now()
    start, end = day_bounds(day)
    return Window(day=day, start=start, end=end, as_of=now, until=min(end, now))


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(city_zone()).isoformat(timespec="seconds") if moment is not None else None


# --- 1. incidents ------------------------------------------------------------------------------


def _day_incidents(window: Window, agency_id: int | None):
    from komando.incidents.models import Incident

    rows = Incident.objects.filter(reported_at__gte=window.start, reported_at__lt=window.end, merged_into__isnull=True)
    return rows.filter(agency_id=agency_id) if agency_id is not None else rows


def incidents_section(window: Window, agency_id: int | None = None) -> dict:
    incidents = _day_incidents(window, agency_id).order_by()
    by_category = [
        {"code": row["category__code"], "name": row["category__name"], "count": row["count"]}
        for row in incidents.values("category__code", "category__name").annotate(count=Count("id"))
    ]
    by_category.sort(key=lambda row: (-row["count"], row["name"]))
    by_kecamatan = [
        {"code": row["kecamatan__code"], "name": row["kecamatan__name"], "count": row["count"]}
        for row in incidents.values("kecamatan__code", "kecamatan__name").annotate(count=Count("id"))
    ]
    by_kecamatan.sort(key=lambda row: (-row["count"], row["name"]))
    by_priority = Counter(dict(incidents.values_list("priority").annotate(count=Count("id"))))
    return {
        "source": "komando.incidents",
        "as_of": iso(window.as_of),
        "total": sum(row["count"] for row in by_category),
        "by_priority": {key: by_priority.get(key, 0) for key in ("kritis", "tinggi", "sedang", "rendah")},
        "by_category": by_category,
        "by_kecamatan": by_kecamatan,
    }


# --- 2. SLA per OPD ----------------------------------------------------------------------------


def sla_section(window: Window, agency_id: int | None = None) -> dict:
    from komando.agencies.models import Agency
    from komando.incidents.scorecard.selectors import Period, compute_scorecard

    period = Period(key=window.day.isoformat(), start=window.start, end=window.end)
    card = compute_scorecard(period, now=window.as_of)
    only_code = Agency.objects.filter(pk=agency_id).values_list("code", flat=True).first() if agency_id else None
    rows = []
    for row in card["agencies"]:
        if only_code is not None and row["code"] != only_code:
            continue
        if not (row["received"] or row["open_overdue"]):
            continue
        rows.append(_sla_row(row))
    totals = _sla_row({"code": "", "short_name": "", "name": "", **_sum_rows(rows)})
    return {"source": "komando.incidents.scorecard", "as_of": iso(window.as_of), "rows": rows, "totals": totals}


SLA_FIELDS = ("received", "rejected", "resolved", "resolved_within_sla", "sla_settled", "open", "open_overdue")


def _sum_rows(rows: list[dict]) -> dict:
    return {key: sum(row[key] for row in rows) for key in SLA_FIELDS}


def _sla_row(row: dict) -> dict:
    settled = row["sla_settled"]
    return {
        "code": row["code"],
        "short_name": row["short_name"],
        "name": row["name"],
        **{key: row[key] for key in SLA_FIELDS},
        "resolved_late": row["resolved"] - row["resolved_within_sla"],
        "within_sla_percent": round(100 * row["resolved_within_sla"] / settled, 1) if settled else None,
    }


# --- 3. critical incidents still open ----------------------------------------------------------


def critical_section(window: Window, agency_id: int | None = None) -> dict:
    from komando.incidents.lifecycle import OPEN_STATUSES
    from komando.incidents.models import Incident

    incidents = (
        Incident.objects.filter(
            priority__in=CRITICAL_PRIORITIES, status__in=OPEN_STATUSES, reported_at__lt=window.end, merged_into__isnull=True
        )
        .select_related("category", "kecamatan", "agency")
        .order_by("reported_at", "pk")
    )
    if agency_id is not None:
        incidents = incidents.filter(agency_id=agency_id)
    rows = [
        {
            "ticket": incident.ticket,
            "title": incident.title,
            "category": incident.category.name,
            "priority": incident.priority,
            "status": incident.status,
            "kecamatan": incident.kecamatan.name,
            "agency": incident.agency.short_name,
            "reported_at": iso(incident.reported_at),
            "resolve_due_at": iso(incident.resolve_due_at),
            "overdue": incident.resolve_due_at is not None and incident.resolve_due_at < window.as_of,
        }
        for incident in incidents
    ]
    rows.sort(key=lambda row: (CRITICAL_PRIORITIES.index(row["priority"]), not row["overdue"], row["reported_at"]))
    return {"source": "komando.incidents", "as_of": iso(window.as_of), "rows": rows}


# --- 4. water-level peaks ----------------------------------------------------------------------


def water_section(window: Window) -> dict:
    from komando.assets.models import Asset, AssetKind
    from komando.devices.models import WaterLevelReading
    from komando.fieldops.flood import STATUSES, THRESHOLDS, parse_observed_at, siaga_status

    gauges = list(Asset.objects.filter(kind=AssetKind.GAUGE).select_related("region").order_by("name"))
    readings = (
        WaterLevelReading.objects.filter(asset__in=gauges, observed_at__gte=window.start, observed_at__lt=window.until)
        .order_by("asset_id", "-level_m", "observed_at")
        .values_list("asset_id", "level_m", "observed_at")
    )
    peaks: dict[int, tuple[float, datetime]] = {}
    counts: Counter = Counter()
    for asset_id, level, observed_at in readings.iterator(chunk_size=5000):
        counts[asset_id] += 1
        if asset_id not in peaks:  # ordered highest first
            peaks[asset_id] = (level, observed_at)
    newest = None
    rows = []
    for gauge in gauges:
        attributes = gauge.attributes or {}
        peak = peaks.get(gauge.pk)
        stored_at = parse_observed_at(attributes.get("level_observed_at"))
        stored_level = attributes.get("level_m")
        if (
            stored_at is not None
            and window.start <= stored_at < window.until
            and isinstance(stored_level, int | float)
            and not isinstance(stored_level, bool)
            and (peak is None or stored_level > peak[0])
        ):
            peak = (float(stored_level), stored_at)
            counts[gauge.pk] = max(counts[gauge.pk], 1)
        if peak is None:
            continue
        newest = max(newest, peak[1]) if newest else peak[1]
        rows.append(
            {
                "code": gauge.source_ref,
                "name": gauge.name,
                "kecamatan": _kecamatan_name(gauge.region),
                "peak_m": round(peak[0], 2),
                "peak_at": iso(peak[1]),
                "readings": counts[gauge.pk],
                "siaga": siaga_status(attributes, peak[0]),
                "thresholds": {status: attributes.get(key) for key, status in THRESHOLDS},
            }
        )
    rows.sort(key=lambda row: (-STATUSES.index(row["siaga"]), row["name"]))
    last_reading = WaterLevelReading.objects.filter(observed_at__lt=window.until).aggregate(at=Max("observed_at"))["at"]
    return {
        "source": "komando.devices (WaterLevelReading), banjir",
        "as_of": iso(window.until),
        "newest_reading_at": iso(max(filter(None, [newest, last_reading]), default=None)),
        "gauges": len(gauges),
        "rows": rows,
    }


def _kecamatan_name(region) -> str:
    if region is None:
        return ""
    return region.parent.name if region.level == "kelurahan" and region.parent_id else region.name


# --- 5. development deviations -----------------------------------------------------------------


def development_section(window: Window, agency_id: int | None = None) -> dict:
    # The same rows /pembangunan/ shows; there is no user here (the report is also made by the
    # schedule), so the scope is passed as the agency id, as the panel sync does.
    from komando.development.selectors import projects_as_of, reporting_period, source_freshness

    fiscal_year, as_of_month = reporting_period()
    rows = [row for row in projects_as_of(fiscal_year, as_of_month, agency_id=agency_id) if row["status"] in DEVIATION_STATUSES]
    rows.sort(key=lambda row: (DEVIATION_STATUSES.index(row["status"]), row["deviation_physical"], row["name"]))
    freshness = source_freshness()
    return {
        "source": "e-Monev (komando.development)",
        "as_of": iso(freshness["data_as_of"] or freshness["last_received_at"]),
        "as_of_month": as_of_month.strftime("%Y-%m") if as_of_month else None,
        "fiscal_year": fiscal_year,
        "kritis": sum(1 for row in rows if row["status"] == "kritis"),
        "terlambat": sum(1 for row in rows if row["status"] == "terlambat"),
        "rows": [
            {
                "name": row["name"],
                "agency": row["agency"],
                "budget": row["budget"],
                "status": row["status"],
                "planned_physical": float(row["planned_physical"]),
                "realised_physical": float(row["realised_physical"]),
                "deviation_physical": float(row["deviation_physical"]),
            }
            for row in rows
        ],
    }


# --- 6. source outages -------------------------------------------------------------------------


@dataclass
class _Down:
    start: datetime
    end: datetime
    kind: str  # "failing" or "stale"
    failed_runs: int = 0
    error_kind: str = ""
    error: str = ""


def source_outages(source, window: Window, stale_after: timedelta) -> tuple[bool, list[_Down]]:
    """(has history, periods of the day ``source`` was down): failing from a failed run until the next
    successful one, stale when its last success is older than ``stale_after`` (the source health
    page's rule). Periods shorter than ``MIN_OUTAGE_SECONDS`` are dropped."""
    from komando.sources.models import SourceRun

    runs = list(
        SourceRun.objects.filter(source=source, finished_at__gte=window.start, finished_at__lt=window.until)
        .order_by("finished_at", "pk")
        .values_list("finished_at", "ok", "error_kind", "error")
    )
    before = (
        SourceRun.objects.filter(source=source, finished_at__lt=window.start)
        .order_by("-finished_at", "-pk")
        .values_list("finished_at", "ok", "error_kind", "error")
        .first()
    )
    if before is None and not runs:
        return False, []
    last_success = SourceRun.objects.filter(source=source, ok=True, finished_at__lt=window.start).aggregate(
        at=Max("finished_at")
    )["at"]
    failing = before is not None and not before[1]
    error_kind, error = (before[2], before[3]) if failing else ("", "")
    down: list[_Down] = []

    def mark(start: datetime, end: datetime, kind: str) -> None:
        if end <= start:
            return
        if down and down[-1].end >= start and down[-1].kind == kind:
            down[-1].end = max(down[-1].end, end)
        else:  # stale, then failing (or back): two periods, one after the other
            down.append(_Down(max(start, down[-1].end) if down else start, end, kind))

    cursor = window.start
    for finished_at, ok, _kind, _message in [*runs, (window.until, None, "", "")]:
        # Between ``cursor`` and this run the source is in the state the previous run left it in.
        if failing:
            mark(cursor, finished_at, "failing")
        else:
            fresh_until = last_success + stale_after if last_success is not None else cursor
            mark(max(cursor, fresh_until), finished_at, "stale")
        if ok is None:
            break
        if ok:
            failing, last_success = False, finished_at
        else:
            failing = True
        cursor = finished_at
    failures = [(at, kind, message) for at, ok, kind, message in runs if not ok]
    for period in down:
        inside = [failure for failure in failures if period.start <= failure[0] <= period.end]
        period.failed_runs = len(inside)
        if inside:
            period.error_kind, period.error = inside[-1][1], inside[-1][2]
        elif period.kind == "failing":  # failing since before the day began
            period.error_kind, period.error = error_kind, error
    return True, [period for period in down if (period.end - period.start).total_seconds() >= MIN_OUTAGE_SECONDS]


def outages_section(window: Window) -> dict:
    from komando.sources.models import Source
    from komando.sources.selectors import stale_after_seconds

    rows, without_history, watched = [], [], 0
    for source in Source.objects.select_related("agency").filter(enabled=True).order_by("name"):
        if not source.is_connected:
            continue
        watched += 1
        has_history, periods = source_outages(source, window, timedelta(seconds=stale_after_seconds(source)))
        if not has_history:
            without_history.append(source.name)
            continue
        for period in periods:
            rows.append(
                {
                    "slug": source.slug,
                    "name": source.name,
                    "agency": source.agency.short_name,
                    "kind": period.kind,
                    "start": iso(period.start),
                    "end": iso(period.end),
                    "ongoing": period.end >= window.until and not window.complete,
                    "minutes": round((period.end - period.start).total_seconds() / 60),
                    "failed_runs": period.failed_runs,
                    "error_kind": period.error_kind,
                    "error": period.error[:200],
                }
            )
    rows.sort(key=lambda row: (-row["minutes"], row["name"], row["start"]))
    return {
        "source": "komando.sources (SourceRun)",
        "as_of": iso(window.until),
        "watched": watched,
        "without_history": without_history,
        "rows": rows,
        "total_minutes": sum(row["minutes"] for row in rows),
    }


# --- 7. alerts ---------------------------------------------------------------------------------


def alerts_section(window: Window, agency_id: int | None = None) -> dict:
    """Alerts raised during the day (``komando.alerts.selectors.alerts_between``). Scoped to one OPD:
    only the alerts about that OPD."""
    from komando.alerts.selectors import alerts_between

    scope_name = None
    if agency_id is not None:
        from komando.agencies.models import Agency

        scope_name = Agency.objects.filter(pk=agency_id).values_list("short_name", flat=True).first() or ""
    rows = []
    for alert in alerts_between(window.start, window.until):
        agency = _field(alert, "agency")
        if scope_name is not None and str(agency or "") != scope_name:
            continue
        rows.append(
            {
                "title": str(_field(alert, "title", "subject", "rule_name") or ""),
                "rule": str(_field(alert, "rule_name", "rule", "kind") or ""),
                "severity": str(_field(alert, "severity") or ""),
                "agency": str(agency or ""),
                "raised_at": _time_text(_field(alert, "raised_at")),
                "acknowledged_by": str(_field(alert, "acknowledged_by") or ""),
                "acknowledged": bool(_field(alert, "acknowledged_at")),
                "cleared_at": _time_text(_field(alert, "cleared_at")),
            }
        )
    return {"available": True, "source": "komando.alerts", "as_of": iso(window.as_of), "rows": rows}


def _field(item, *names):
    for name in names:
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
        if value not in (None, ""):
            return value
    return None


def _time_text(value) -> str | None:
    """An aware time or ISO 8601 text as ISO 8601 in WIB."""
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return iso(value if value.tzinfo else value.replace(tzinfo=city_zone()))
    return None


# --- the report --------------------------------------------------------------------------------


def first_data_day() -> date | None:
    """The first WIB day with any incident, water-level reading or source run (None: no data at all)."""
    from komando.devices.models import WaterLevelReading
    from komando.incidents.models import Incident
    from komando.sources.models import SourceRun

    firsts = [
        Incident.objects.order_by("reported_at").values_list("reported_at", flat=True).first(),
        WaterLevelReading.objects.order_by("observed_at").values_list("observed_at", flat=True).first(),
        SourceRun.objects.order_by("started_at").values_list("started_at", flat=True).first(),
    ]
    firsts = [moment for moment in firsts if moment is not None]
    return min(firsts).astimezone(city_zone()).date() if firsts else None


def daily_report(day: date, *, now: datetime | None = None, agency_id: int | None = None) -> dict:
    """The report of ``day`` (WIB) as plain values (see the module's docstring)."""
    window = make_window(day, now)
    scope = None
    if agency_id is not None:
        from komando.agencies.models import Agency

        agency = Agency.objects.filter(pk=agency_id).first()
        scope = {
            "code": agency.code if agency else "",
            "short_name": agency.short_name if agency else "",
            "name": agency.name if agency else "",
        }
    first = first_data_day()
    return {
        "schema": SCHEMA_VERSION,
        "day": day.isoformat(),
        "start": iso(window.start),
        "end": iso(window.end),
        "as_of": iso(window.as_of),
        "complete": window.complete,
        "before_any_data": first is None or day < first,
        "scope": scope,
        "incidents": incidents_section(window, agency_id),
        "sla": sla_section(window, agency_id),
        "critical": critical_section(window, agency_id),
        "water": water_section(window),
        "development": development_section(window, agency_id),
        "outages": outages_section(window),
        "alerts": alerts_section(window, agency_id),
    }
