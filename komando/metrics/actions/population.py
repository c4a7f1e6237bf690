"""Writers of population aggregates (from the population registry, SIAK)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from komando.core.events import LiveEvent, send_event_on_commit
from komando.metrics.models import PopulationCount, Sex
from komando.metrics.selectors.population import population_panel
from komando.regions.models import Region, RegionLevel
from komando.sources.framework import SourceDataInvalid


@dataclass(frozen=True)
class PopulationRow:
    """Residents of one kelurahan (dotted Kemendagri code) of one sex (L/P) and age group (a dataclass,
    not a NamedTuple: ``count`` is a field here)."""

    region_code: str
    sex: str
    age_group: str
    count: int


@transaction.atomic
def do_replace_population(source, rows: Iterable[PopulationRow], as_of: date) -> int:
    """Replace the population snapshot with ``rows`` (all of it, atomically).

    Every region must be a known kelurahan; otherwise ``SourceDataInvalid`` names the first
    unknown code and nothing changes. Sends ``panel.population`` when anything changed.
    Returns how many cells changed.
    """
    rows = list(rows)
    kelurahan = {r.code: r for r in Region.objects.filter(level=RegionLevel.KELURAHAN)}
    unknown = sorted({row.region_code for row in rows} - kelurahan.keys())
    if unknown:
        raise SourceDataInvalid(
            f"unknown region code {unknown[0]!r} (not a kelurahan of this city)"
            + (f"; {len(unknown) - 1} more unknown" if len(unknown) > 1 else "")
        )
    valid_sexes = set(Sex.values)
    wanted: dict[tuple[str, str, str], int] = {}
    for row in rows:
        if row.sex not in valid_sexes:
            raise SourceDataInvalid(f"unknown sex {row.sex!r} for {row.region_code}")
        key = (row.region_code, row.sex, row.age_group)
        if key in wanted:
            raise SourceDataInvalid(f"{row.region_code} {row.sex} {row.age_group} reported twice")
        wanted[key] = row.count

    existing = {
        (code, sex, age_group): (count, stored_as_of)
        for code, sex, age_group, count, stored_as_of in PopulationCount.objects.values_list(
            "region__code", "sex", "age_group", "count", "as_of"
        )
    }
    changed = sum(1 for key, count in wanted.items() if existing.get(key, (None, None))[0] != count)
    changed += sum(1 for key in existing if key not in wanted)
    if changed == 0 and all(stored_as_of == as_of for _, stored_as_of in existing.values()):
        return 0

    PopulationCount.objects.all().delete()
    PopulationCount.objects.bulk_create(
        [
            PopulationCount(source=source, region=kelurahan[code], sex=sex, age_group=age_group, count=count, as_of=as_of)
            for (code, sex, age_group), count in wanted.items()
        ],
        batch_size=1000,
    )
    send_event_on_commit(LiveEvent(type="panel.population", data=population_panel()))
    return changed
