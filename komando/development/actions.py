"""The only writers of development projects and their monthly progress."""

from __future__ import annotations

from django.db import transaction

from komando.agencies.models import Agency
from komando.core.events import DEVELOPMENT_VIEWERS, LiveEvent, send_event_on_commit
from komando.development.events import PANEL_EVENT, agency_audience
from komando.development.models import ProgressMonth, Project
from komando.development.records import ProjectRecord
from komando.development.selectors import development_panel_for_scope
from komando.regions.models import Region, RegionLevel

PROJECT_FIELDS = ["agency_id", "name", "fiscal_year", "budget", "region_id", "lat", "lon"]
PROGRESS_FIELDS = ["planned_physical", "realised_physical", "planned_financial", "realised_financial"]


class DevelopmentDataError(ValueError):
    """The source's data refers to something Komando does not know (an OPD, a kelurahan)."""


def _resolve_agencies(projects: list[ProjectRecord]) -> dict[str, int]:
    codes = {record.agency_code for record in projects}
    known = dict(Agency.objects.filter(code__in=codes).values_list("code", "id"))
    unknown = sorted(codes - known.keys())
    if unknown:
        example = next(r.source_ref for r in projects if r.agency_code == unknown[0])
        raise DevelopmentDataError(
            f"unknown OPD code {', '.join(repr(code) for code in unknown)} (e.g. in kegiatan {example}); "
            "add the OPD to the city's agencies.csv or correct the source"
        )
    return known


def _resolve_kelurahan(projects: list[ProjectRecord]) -> dict[str, int]:
    codes = {record.kelurahan_code for record in projects if record.kelurahan_code}
    known = dict(Region.objects.filter(code__in=codes, level=RegionLevel.KELURAHAN).values_list("code", "id"))
    unknown = sorted(codes - known.keys())
    if unknown:
        example = next(r.source_ref for r in projects if r.kelurahan_code == unknown[0])
        raise DevelopmentDataError(
            f"unknown kelurahan code {', '.join(repr(code) for code in unknown)} (e.g. in kegiatan {example})"
        )
    return known


def _publish_panels(agency_ids: set[int]) -> None:
    """The unscoped panel to unscoped viewers, and each OPD's own panel to that OPD's officers."""
    send_event_on_commit(LiveEvent(type=PANEL_EVENT, data=development_panel_for_scope(None), audience=DEVELOPMENT_VIEWERS))
    for agency_id in sorted(agency_ids):
        send_event_on_commit(
            LiveEvent(type=PANEL_EVENT, data=development_panel_for_scope(agency_id), audience=agency_audience(agency_id))
        )


@transaction.atomic
def do_sync_development(source, projects: list[ProjectRecord]) -> bool:
    """Make the stored projects of ``source`` equal to ``projects``, a complete snapshot of the
    fiscal years it covers (projects of those years the source no longer lists are removed).
    Validates every reference first, so bad data changes nothing. Returns whether anything changed;
    only then are the panels published."""
    if not projects:
        return False
    refs = [record.source_ref for record in projects]
    if len(refs) != len(set(refs)):
        raise DevelopmentDataError("the same project reference appears twice")
    agencies = _resolve_agencies(projects)
    kelurahan = _resolve_kelurahan(projects)

    existing = {p.source_ref: p for p in Project.objects.filter(source=source, source_ref__in=refs)}
    touched_agencies: set[int] = set()
    to_compare: list[tuple[Project, ProjectRecord]] = []
    for record in projects:
        agency_id = agencies[record.agency_code]
        values = {
            "agency_id": agency_id,
            "name": record.name,
            "fiscal_year": record.fiscal_year,
            "budget": record.budget,
            "region_id": kelurahan.get(record.kelurahan_code) if record.kelurahan_code else None,
            "lat": record.lat,
            "lon": record.lon,
        }
        project = existing.get(record.source_ref)
        if project is None:
            project = Project.objects.create(source=source, source_ref=record.source_ref, **values)
            touched_agencies.add(project.agency_id)
        elif any(getattr(project, name) != value for name, value in values.items()):
            touched_agencies.update({project.agency_id, agency_id})
            for name, value in values.items():
                setattr(project, name, value)
            project.save()
        to_compare.append((project, record))

    stored = {(row.project_id, row.month): row for row in ProgressMonth.objects.filter(project__in=[p for p, _ in to_compare])}
    creates, updates, seen = [], [], set()
    for project, record in to_compare:
        for month in record.months:
            key = (project.id, month.month)
            seen.add(key)
            values = {name: getattr(month, name) for name in PROGRESS_FIELDS}
            row = stored.get(key)
            if row is None:
                creates.append(ProgressMonth(project=project, month=month.month, **values))
                touched_agencies.add(project.agency_id)
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                updates.append(row)
                touched_agencies.add(project.agency_id)
    ProgressMonth.objects.bulk_create(creates)
    ProgressMonth.objects.bulk_update(updates, PROGRESS_FIELDS)
    gone_months = [row.pk for key, row in stored.items() if key not in seen]
    if gone_months:
        touched_agencies.update(ProgressMonth.objects.filter(pk__in=gone_months).values_list("project__agency_id", flat=True))
        ProgressMonth.objects.filter(pk__in=gone_months).delete()

    years = {record.fiscal_year for record in projects}
    gone = Project.objects.filter(source=source, fiscal_year__in=years).exclude(source_ref__in=refs)
    touched_agencies.update(gone.values_list("agency_id", flat=True))
    gone.delete()

    if not touched_agencies:
        return False
    # Every OPD with projects gets its panel: the reporting month is shared, so it may have moved.
    all_agencies = set(Project.objects.filter(source=source).values_list("agency_id", flat=True))
    _publish_panels(all_agencies | touched_agencies)
    return True
