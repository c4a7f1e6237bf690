"""Development progress (e-Monev) as the PIS, the API and the live bus show it. Scoped by OPD."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from komando.accounts.access import can_view_development, development_agency_scope
from komando.development.models import ProgressMonth, Project
from komando.development.progress import KRITIS, deviation, progress_status

PANEL_SOURCE = "emonev"
ZERO = Decimal("0")


def _as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(Decimal(value).quantize(Decimal("0.01")))


def reporting_period() -> tuple[int, object]:
    """(fiscal year, as-of month): the newest fiscal year, and its newest month with a realisation.
    The same for every viewer, so scoped and unscoped panels describe the same moment."""
    fiscal_year = Project.objects.aggregate(year=Max("fiscal_year"))["year"] or timezone.localdate().year
    as_of = (ProgressMonth.objects.filter(project__fiscal_year=fiscal_year, realised_physical__isnull=False)
             .aggregate(month=Max("month"))["month"])
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
        months = (ProgressMonth.objects.filter(project__in=[p.id for p in projects], month__lte=as_of)
                  .order_by("project_id", "month"))
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
        rows.append({
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
        })
    return rows


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
        result.append({
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
        })
    result.sort(key=lambda row: row["agency"].casefold())
    return result


def development_panel_for_scope(agency_id: int | None) -> dict:
    """The panel for one OPD (``agency_id``) or for every OPD (None). No access check: callers
    decide who may see it (``development_panel`` for users, the sync action for the live bus)."""
    fiscal_year, as_of = reporting_period()
    rows = _project_rows(_scoped_projects(agency_id), fiscal_year, as_of)
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
    for key in ("planned_physical", "realised_physical", "planned_financial", "realised_financial",
                "deviation_physical"):
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
        months.append({
            "month": row.month.strftime("%Y-%m"),
            "planned_physical": _as_float(row.planned_physical),
            "realised_physical": _as_float(realised),
            "planned_financial": _as_float(row.planned_financial),
            "realised_financial": _as_float(row.realised_financial),
            "deviation_physical": _as_float(deviation(row.planned_physical, realised)) if realised is not None else None,
            "status": progress_status(row.planned_physical, realised) if realised is not None else None,
        })
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
