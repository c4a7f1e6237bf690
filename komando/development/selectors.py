"""Development progress (e-Monev) as the PIS, the API and the live bus show it. Scoped by OPD."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from komando.accounts.access import can_view_development, development_agency_scope
from komando.agencies.models import Agency
from komando.development.models import ProgressMonth, Project
from komando.development.progress import KRITIS, STATUSES, critical_rule, deviation, progress_status
from komando.sources.models import Source
from komando.sources.registry import panel_source

PANEL_SOURCE = panel_source("development")
ZERO = Decimal("0")


def _as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def reporting_period() -> tuple[int, object]:
    """(fiscal year, as-of month): the newest fiscal year, and its newest month with a realisation.
    The same for every viewer, so scoped and unscoped panels describe the same moment."""
    fiscal_year = Project.objects.aggregate(year=Max("fiscal_year"))["year"] or timezone.localdate().year
    as_of = ProgressMonth.objects.filter(project__fiscal_year=fiscal_year, realised_physical__isnull=False).aggregate(
        month=Max("month")
    )["month"]
    return fiscal_year, as_of


def _scoped_projects(agency_id: int | None):
    projects = Project.objects.select_related("agency", "region")
    if agency_id is not None:
        projects = projects.filter(agency_id=agency_id)
    return projects


def _project_rows(projects, fiscal_year: int, as_of) -> list[dict]:
    """One row per project with its cumulative progress at ``as_of`` (realisation carried forward
    from the project's last report; none yet counts as zero)."""
    projects = list(projects.filter(fiscal_year=fiscal_year))
    latest: dict[int, dict] = defaultdict(dict)
    if as_of is not None:
        months = ProgressMonth.objects.filter(project__in=[p.id for p in projects], month__lte=as_of).order_by(
            "project_id", "month"
        )
        for row in months:
            figures = latest[row.project_id]
            figures["planned_physical"] = row.planned_physical
            figures["planned_financial"] = row.planned_financial
            if row.realised_physical is not None:
                figures["realised_physical"] = row.realised_physical
            if row.realised_financial is not None:
                figures["realised_financial"] = row.realised_financial
    rows = []
    for project in projects:
        figures = latest.get(project.id, {})
        planned = figures.get("planned_physical", ZERO)
        realised = figures.get("realised_physical", ZERO)
        rows.append(
            {
                "id": project.id,
                "source_ref": project.source_ref,
                "name": project.name,
                "agency_id": project.agency_id,
                "agency_code": project.agency.code,
                "agency": project.agency.short_name,
                "fiscal_year": project.fiscal_year,
                "budget": project.budget,
                "kelurahan_code": project.region.code if project.region else None,
                "lat": project.lat,
                "lon": project.lon,
                "planned_physical": planned,
                "realised_physical": realised,
                "planned_financial": figures.get("planned_financial", ZERO),
                "realised_financial": figures.get("realised_financial", ZERO),
                "deviation_physical": deviation(planned, realised),
                "status": progress_status(planned, realised),
            }
        )
    return rows


def projects_as_of(
    fiscal_year: int, as_of, *, agency_id: int | None = None, agency_codes: Iterable[str] | None = None
) -> list[dict]:
    """One row per project of ``fiscal_year`` with its cumulative progress at month ``as_of`` (usually
    ``reporting_period()``): every OPD's, one OPD's (``agency_id``) or those of some OPDs
    (``agency_codes``). No access check: for callers without a user (alert rules, the daily report);
    pages go through the ``development_*`` selectors, which scope by the viewer."""
    projects = _scoped_projects(agency_id)
    if agency_codes is not None:
        projects = projects.filter(agency__code__in=list(agency_codes))
    return _project_rows(projects, fiscal_year, as_of)


def _weighted(rows: list[dict], key: str) -> Decimal:
    total_budget = sum(row["budget"] for row in rows)
    if total_budget:
        return sum(Decimal(row["budget"]) * row[key] for row in rows) / total_budget
    return sum(row[key] for row in rows) / len(rows)


def _agency_rows(project_rows: list[dict]) -> list[dict]:
    by_agency: dict[int, list[dict]] = defaultdict(list)
    for row in project_rows:
        by_agency[row["agency_id"]].append(row)
    result = []
    for rows in by_agency.values():
        planned = _weighted(rows, "planned_physical")
        realised = _weighted(rows, "realised_physical")
        result.append(
            {
                "agency_code": rows[0]["agency_code"],
                "agency": rows[0]["agency"],
                "budget": sum(row["budget"] for row in rows),
                "projects": len(rows),
                "planned_physical": _as_float(planned),
                "realised_physical": _as_float(realised),
                "planned_financial": _as_float(_weighted(rows, "planned_financial")),
                "realised_financial": _as_float(_weighted(rows, "realised_financial")),
                "deviation_physical": _as_float(deviation(planned, realised)),
                "status": progress_status(_as_float(planned), _as_float(realised)),
                "kritis_projects": sum(1 for row in rows if row["status"] == KRITIS),
            }
        )
    result.sort(key=lambda row: row["agency"].casefold())
    return result


def development_panel_for_scope(agency_id: int | None) -> dict:
    """The panel for one OPD (``agency_id``) or for every OPD (None). No access check: callers
    decide who may see it (``development_panel`` for users, the sync action for the live bus)."""
    fiscal_year, as_of = reporting_period()
    rows = projects_as_of(fiscal_year, as_of, agency_id=agency_id)
    by_agency = _agency_rows(rows)
    return {
        "source": PANEL_SOURCE,
        "fiscal_year": fiscal_year,
        "as_of_month": as_of.strftime("%Y-%m") if as_of else None,
        "budget_total": sum(row["budget"] for row in by_agency),
        "by_agency": by_agency,
    }


def _require_viewer(user):
    if not can_view_development(user):
        raise PermissionDenied("development data needs a role that may see it")
    return development_agency_scope(user)


def development_panel(user) -> dict:
    """The development panel ``user`` may see: every OPD, or only their own (OPD officers)."""
    return development_panel_for_scope(_require_viewer(user))


def _public_project_row(row: dict) -> dict:
    shown = {key: value for key, value in row.items() if key != "agency_id"}
    for key in ("planned_physical", "realised_physical", "planned_financial", "realised_financial", "deviation_physical"):
        shown[key] = _as_float(shown[key])
    return shown


def development_projects(user, *, agency_code: str | None = None, status: str | None = None) -> dict:
    """The projects ``user`` may see with their progress at the panel's month, worst first."""
    scope = _require_viewer(user)
    fiscal_year, as_of = reporting_period()
    projects = _scoped_projects(scope)
    if agency_code:
        projects = projects.filter(agency__code=agency_code)
    rows = _project_rows(projects, fiscal_year, as_of)
    if status:
        rows = [row for row in rows if row["status"] == status]
    rows.sort(key=lambda row: (row["deviation_physical"], row["agency"], row["name"]))
    return {
        "source": PANEL_SOURCE,
        "fiscal_year": fiscal_year,
        "as_of_month": as_of.strftime("%Y-%m") if as_of else None,
        "projects": [_public_project_row(row) for row in rows],
    }


def project_curve(user, project_id: int) -> dict:
    """The monthly Kurva S of one project the user may see (404 otherwise, not telling it exists)."""
    scope = _require_viewer(user)
    project = _scoped_projects(scope).filter(pk=project_id).first()
    if project is None:
        raise Http404("no such project")
    months = []
    for row in project.progress.order_by("month"):
        realised = row.realised_physical
        months.append(
            {
                "month": row.month.strftime("%Y-%m"),
                "planned_physical": _as_float(row.planned_physical),
                "realised_physical": _as_float(realised),
                "planned_financial": _as_float(row.planned_financial),
                "realised_financial": _as_float(row.realised_financial),
                "deviation_physical": _as_float(deviation(row.planned_physical, realised)) if realised is not None else None,
                "status": progress_status(row.planned_physical, realised) if realised is not None else None,
            }
        )
    return {
        "source": PANEL_SOURCE,
        "id": project.id,
        "source_ref": project.source_ref,
        "name": project.name,
        "agency_code": project.agency.code,
        "agency": project.agency.short_name,
        "fiscal_year": project.fiscal_year,
        "budget": project.budget,
        "kelurahan_code": project.region.code if project.region else None,
        "lat": project.lat,
        "lon": project.lon,
        "months": months,
    }


# ---------- the development watch (/pembangunan/) ----------
# Every aggregate over projects is weighted by budget (pagu): an OPD's or the city's progress is
# Σ(pagu × progress) ÷ Σ pagu, so a Rp 10 bn road counts ten times a Rp 1 bn renovation.


def rupiah_share(budget: int, percent) -> int:
    """``percent`` % of ``budget``, in whole Rupiah (half up)."""
    return int((Decimal(budget) * Decimal(percent) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _absorption(rows: list[dict]) -> dict:
    """Budget absorption of a group of projects: planned and realised financial progress (weighted
    by pagu) and the same in Rupiah (Σ pagu × percent, rounded once)."""
    budget = sum(row["budget"] for row in rows)
    planned_rp = sum(Decimal(row["budget"]) * row["planned_financial"] for row in rows) / 100
    realised_rp = sum(Decimal(row["budget"]) * row["realised_financial"] for row in rows) / 100
    planned = _weighted(rows, "planned_financial") if rows else ZERO
    realised = _weighted(rows, "realised_financial") if rows else ZERO
    planned_rp = int(Decimal(planned_rp).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    realised_rp = int(Decimal(realised_rp).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return {
        "budget": budget,
        "planned_financial": _as_float(planned),
        "realised_financial": _as_float(realised),
        "gap_financial": _as_float(realised - planned),
        "planned_rp": planned_rp,
        "realised_rp": realised_rp,
        "gap_rp": realised_rp - planned_rp,
    }


def absorption_ranking(project_rows: list[dict]) -> list[dict]:
    """OPDs ranked by budget absorption: realised financial progress as a share of pagu, highest
    first (ties: closer to plan first, then name); with the plan and the Rupiah behind it."""
    by_agency: dict[int, list[dict]] = defaultdict(list)
    for row in project_rows:
        by_agency[row["agency_id"]].append(row)
    ranking = []
    for rows in by_agency.values():
        ranking.append(
            {"agency_code": rows[0]["agency_code"], "agency": rows[0]["agency"], "projects": len(rows), **_absorption(rows)}
        )
    ranking.sort(key=lambda row: (-row["realised_financial"], -row["gap_financial"], row["agency"].casefold()))
    for position, row in enumerate(ranking, start=1):
        row["rank"] = position
    return ranking


def _carried_series(progress: list, months: list, as_of) -> list[dict]:
    """A project's cumulative figures at each of ``months`` (sorted): the plan of the month or the
    last one before it (zero before the first); realisation up to ``as_of`` only, a missing month
    carrying the last one reported forward (zero before any)."""
    series, index = [], 0
    planned_physical = planned_financial = realised_physical = realised_financial = ZERO
    for month in months:
        reported_this_month = False
        while index < len(progress) and progress[index].month <= month:
            row = progress[index]
            planned_physical, planned_financial = row.planned_physical, row.planned_financial
            if as_of is not None and row.month <= as_of:
                if row.realised_physical is not None:
                    realised_physical = row.realised_physical
                    reported_this_month = row.month == month
                if row.realised_financial is not None:
                    realised_financial = row.realised_financial
            index += 1
        realised_known = as_of is not None and month <= as_of
        series.append(
            {
                "month": month,
                "planned_physical": planned_physical,
                "planned_financial": planned_financial,
                "realised_physical": realised_physical if realised_known else None,
                "realised_financial": realised_financial if realised_known else None,
                "carried": realised_known and not reported_this_month,
            }
        )
    return series


def s_curve(projects, as_of) -> list[dict]:
    """The aggregated Kurva S of ``projects`` (a list): per month, planned and realised physical
    and financial progress, cumulative, weighted by pagu; realisation up to ``as_of`` only."""
    projects = list(projects)
    if not projects:
        return []
    progress: dict[int, list] = defaultdict(list)
    for row in ProgressMonth.objects.filter(project__in=[p.id for p in projects]).order_by("project_id", "month"):
        progress[row.project_id].append(row)
    months = sorted({row.month for rows in progress.values() for row in rows})
    if not months:
        return []
    series = {project.id: _carried_series(progress[project.id], months, as_of) for project in projects}
    total_budget = sum(project.budget for project in projects)

    def weighted(index: int, key: str) -> float | None:
        values = [(project.budget, series[project.id][index][key]) for project in projects]
        if values[0][1] is None:
            return None
        if total_budget:
            return _as_float(sum(Decimal(budget) * value for budget, value in values) / total_budget)
        return _as_float(sum(value for _, value in values) / len(values))

    return [
        {
            "month": month.strftime("%Y-%m"),
            "planned_physical": weighted(index, "planned_physical"),
            "realised_physical": weighted(index, "realised_physical"),
            "planned_financial": weighted(index, "planned_financial"),
            "realised_financial": weighted(index, "realised_financial"),
        }
        for index, month in enumerate(months)
    ]


def source_freshness() -> dict:
    """Where the development figures come from and how fresh they are (the e-Monev source)."""
    source = Source.objects.filter(slug=PANEL_SOURCE).first()
    return {
        "source": PANEL_SOURCE,
        "source_label": "e-Monev",
        "source_name": source.name if source else "e-Monev",
        "last_received_at": source.last_success_at if source else None,
        "data_as_of": source.data_as_of if source else None,
    }


def _status_rule(row: dict) -> dict:
    rule = critical_rule(row["planned_physical"], row["realised_physical"])
    return {
        "period": rule["period"],
        "limit": _as_float(rule["limit"]),
        "behind": _as_float(rule["behind"]),
        "critical": rule["critical"],
    }


def _watch_project_row(row: dict) -> dict:
    shown = _public_project_row(row)
    shown["rule"] = _status_rule(row)
    shown["realised_rp"] = rupiah_share(row["budget"], row["realised_financial"])
    return shown


def _totals(rows: list[dict]) -> dict:
    if not rows:
        return {"projects": 0, "planned_physical": None, "realised_physical": None, "deviation_physical": None, **_absorption([])}
    planned, realised = _weighted(rows, "planned_physical"), _weighted(rows, "realised_physical")
    return {
        "projects": len(rows),
        "planned_physical": _as_float(planned),
        "realised_physical": _as_float(realised),
        "deviation_physical": _as_float(realised - planned),
        **_absorption(rows),
    }


def watch_agency(user, agency_code: str):
    """The OPD ``agency_code`` if ``user`` may see it; Http404 for an unknown code and for another
    OPD than an OPD officer's own (not telling which)."""
    scope = _require_viewer(user)
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None or (scope is not None and agency.id != scope):
        raise Http404("no such OPD")
    return agency


def development_watch(user, agency_code: str | None = None) -> dict:
    """Everything /pembangunan/ shows, for every OPD the user may see or for one OPD: totals,
    per-OPD rows, the absorption ranking, projects per status, the aggregated Kurva S and the
    projects (worst first, with coordinates for the map)."""
    scope = _require_viewer(user)
    agency = watch_agency(user, agency_code) if agency_code is not None else None
    fiscal_year, as_of = reporting_period()
    projects = _scoped_projects(agency.id if agency else scope).filter(fiscal_year=fiscal_year)
    rows = _project_rows(projects, fiscal_year, as_of)
    # One OPD's page keeps its place in the ranking of every OPD the user may see.
    ranked_rows = projects_as_of(fiscal_year, as_of, agency_id=scope) if agency else rows
    ranking = absorption_ranking(ranked_rows)
    absorption = {row["agency_code"]: row for row in ranking if agency is None or row["agency_code"] == agency.code}
    by_agency = [
        row
        | {key: absorption[row["agency_code"]][key] for key in ("planned_rp", "realised_rp", "gap_rp", "gap_financial", "rank")}
        for row in _agency_rows(rows)
    ]
    counts = {status: 0 for status in STATUSES}
    for row in rows:
        counts[row["status"]] += 1
    rows.sort(key=lambda row: (row["deviation_physical"], row["agency"], row["name"]))
    return {
        **source_freshness(),
        "fiscal_year": fiscal_year,
        "as_of_month": as_of.strftime("%Y-%m") if as_of else None,
        "weighting": "budget",
        "agency": {"code": agency.code, "short_name": agency.short_name, "name": agency.name} if agency else None,
        "totals": _totals(rows),
        "status_counts": counts,
        "by_agency": by_agency,
        "ranking": sorted(absorption.values(), key=lambda row: row["rank"]),
        "ranked_opds": len(ranking),
        "s_curve": s_curve(projects, as_of),
        "projects": [_watch_project_row(row) for row in rows],
    }


def project_watch(user, project_id: int) -> dict:
    """One project as /pembangunan/proyek/<id>/ shows it: its monthly Kurva S with realisation
    carried forward over months e-Monev left empty, the deviation and status of each month, the
    status at the reporting month with the rule behind it, budget and location. 404 when unseen."""
    curve = project_curve(user, project_id)  # access and scope
    project = Project.objects.select_related("agency", "region", "region__parent").get(pk=project_id)
    fiscal_year, as_of = reporting_period()
    progress = list(project.progress.order_by("month"))
    if project.fiscal_year != fiscal_year:  # an older year: as of its own last report
        reported = [row.month for row in progress if row.realised_physical is not None]
        as_of = reported[-1] if reported else None
    months = []
    current = None
    for point in _carried_series(progress, [row.month for row in progress], as_of):
        realised = point["realised_physical"]
        entry = {
            "month": point["month"].strftime("%Y-%m"),
            "planned_physical": _as_float(point["planned_physical"]),
            "realised_physical": _as_float(realised),
            "planned_financial": _as_float(point["planned_financial"]),
            "realised_financial": _as_float(point["realised_financial"]),
            "carried_forward": bool(point["carried"]),
            "deviation_physical": None,
            "status": None,
            "rule": None,
        }
        if realised is not None:
            row = {"planned_physical": point["planned_physical"], "realised_physical": realised}
            entry["deviation_physical"] = _as_float(deviation(point["planned_physical"], realised))
            entry["status"] = progress_status(point["planned_physical"], realised)
            entry["rule"] = _status_rule(row)
            current = entry
        months.append(entry)
    region = project.region
    return {
        **curve,
        **source_freshness(),
        "fiscal_year": project.fiscal_year,
        "as_of_month": as_of.strftime("%Y-%m") if as_of else None,
        "agency_name": project.agency.name,
        "kelurahan": region.name if region else None,
        "kecamatan": region.parent.name if region and region.parent else None,
        "months": months,
        "current": current,
        "realised_rp": rupiah_share(project.budget, current["realised_financial"]) if current else 0,
        "planned_rp": rupiah_share(project.budget, current["planned_financial"]) if current else 0,
    }


# The open alerts about kritis projects come from the alerts app, a layer above development: it
# registers the function that lists them for a user when it is ready (``komando.alerts.apps``).
KritisAlertLister = Callable[[object], list[dict]]
_kritis_alert_listers: list[KritisAlertLister] = []


def register_kritis_alerts(lister: KritisAlertLister) -> None:
    """Called once by the alerts app: ``lister(user)`` returns the open kritis-project alerts ``user`` may see."""
    if lister not in _kritis_alert_listers:
        _kritis_alert_listers.append(lister)


def open_kritis_alerts(user, *, agency: str | None = None, project_id: int | None = None) -> list[dict]:
    """The open alerts about kritis projects that ``user`` may see (active, or cleared but not yet
    acknowledged), as the registered lister gives them (``komando.alerts.selectors.open_kritis_project_alerts``);
    only one OPD's (``agency``: short name) or one project's when asked."""
    alerts = [alert for lister in _kritis_alert_listers for alert in lister(user)]
    if agency is not None:
        alerts = [alert for alert in alerts if alert.get("agency") == agency]
    if project_id is not None:
        alerts = [alert for alert in alerts if alert.get("url") == f"/pembangunan/proyek/{int(project_id)}/"]
    return alerts
