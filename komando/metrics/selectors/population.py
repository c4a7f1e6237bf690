"""Reads of population aggregates: the PIS population panel and a kecamatan's breakdown.

Counts are people: the public sees them through ``public_count`` (1–4 → "<5"); ``exact=True`` only
for viewers allowed internal data (``komando.accounts.access.can_view_internal``). A suppressed
total also hides its density, which would give the total back.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.db.models import Max, Sum

from komando.core.privacy import public_count
from komando.metrics.models import PopulationCount, Sex
from komando.regions.models import Region, RegionLevel
from komando.sources.registry import panel_source

SOURCE_SLUG = panel_source("population")


def age_group_order(age_group: str) -> tuple[int, str]:
    """Sort key youngest → oldest: "0-4" < "5-9" < … < "75+"."""
    match = re.match(r"\d+", age_group)
    return (int(match.group()) if match else 10_000, age_group)


def _density(total: int, area_km2: float | None) -> int | None:
    return round(total / area_km2) if area_km2 else None


COUNT_FIELDS = ("total", "male", "female")


def _public_row(row: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``row`` with its counts (and nested age × sex cells) as the public may see them."""
    public = dict(row)
    for name in COUNT_FIELDS:
        if name in public:
            public[name] = public_count(public[name])
    if "density_per_km2" in public and isinstance(public.get("total"), str):
        public["density_per_km2"] = None
    if "by_age_sex" in public:
        public["by_age_sex"] = [_public_row(cell) for cell in public["by_age_sex"]]
    for nested in ("by_kecamatan", "by_kelurahan", "kelurahan"):
        if nested in public:
            public[nested] = [_public_row(item) for item in public[nested]]
    return public


def _as_of() -> str | None:
    as_of = PopulationCount.objects.aggregate(as_of=Max("as_of"))["as_of"]
    return as_of.isoformat() if as_of else None


def _totals_by_region() -> dict[int, dict[str, int]]:
    """{kelurahan id: {"male": n, "female": n}} from the stored cells."""
    totals: dict[int, dict[str, int]] = defaultdict(lambda: {"male": 0, "female": 0})
    for row in PopulationCount.objects.values("region_id", "sex").annotate(n=Sum("count")):
        totals[row["region_id"]]["male" if row["sex"] == Sex.MALE else "female"] += row["n"]
    return totals


def _age_sex(queryset) -> list[dict[str, Any]]:
    cells: dict[str, dict[str, int]] = defaultdict(lambda: {"male": 0, "female": 0})
    for row in queryset.values("age_group", "sex").annotate(n=Sum("count")):
        cells[row["age_group"]]["male" if row["sex"] == Sex.MALE else "female"] += row["n"]
    return [{"age_group": group, **cells[group]} for group in sorted(cells, key=age_group_order)]


def population_panel(*, exact: bool = False) -> dict[str, Any]:
    """The PIS population panel (see the panel contract): totals, per kecamatan/kelurahan, age × sex.

    Small cells are suppressed unless ``exact`` (staff)."""
    by_region = _totals_by_region()
    kecamatan_list = list(Region.objects.filter(level=RegionLevel.KECAMATAN).order_by("code"))
    kelurahan_list = list(Region.objects.filter(level=RegionLevel.KELURAHAN).select_related("parent").order_by("code"))
    by_kelurahan = []
    kecamatan_totals: dict[int, dict[str, int]] = defaultdict(lambda: {"male": 0, "female": 0})
    for region in kelurahan_list:
        counts = by_region.get(region.pk, {"male": 0, "female": 0})
        by_kelurahan.append(
            {
                "code": region.code,
                "name": region.name,
                "kecamatan_code": region.parent.code if region.parent else None,
                "total": counts["male"] + counts["female"],
                "male": counts["male"],
                "female": counts["female"],
            }
        )
        if region.parent_id:
            kecamatan_totals[region.parent_id]["male"] += counts["male"]
            kecamatan_totals[region.parent_id]["female"] += counts["female"]
    by_kecamatan = []
    for region in kecamatan_list:
        counts = kecamatan_totals.get(region.pk, {"male": 0, "female": 0})
        total = counts["male"] + counts["female"]
        by_kecamatan.append(
            {
                "code": region.code,
                "name": region.name,
                "total": total,
                "male": counts["male"],
                "female": counts["female"],
                "area_km2": region.area_km2,
                "density_per_km2": _density(total, region.area_km2),
            }
        )
    male = sum(c["male"] for c in by_region.values())
    female = sum(c["female"] for c in by_region.values())
    panel = {
        "source": SOURCE_SLUG,
        "as_of": _as_of(),
        "total": male + female,
        "male": male,
        "female": female,
        "by_kecamatan": by_kecamatan,
        "by_kelurahan": by_kelurahan,
        "by_age_sex": _age_sex(PopulationCount.objects.all()),
    }
    return panel if exact else _public_row(panel)


def kecamatan_population(code: str, *, exact: bool = False) -> dict[str, Any] | None:
    """One kecamatan with each kelurahan's totals and age × sex breakdown; None if no such kecamatan.

    Small cells are suppressed unless ``exact`` (staff)."""
    kecamatan = Region.objects.filter(level=RegionLevel.KECAMATAN, code=code).first()
    if kecamatan is None:
        return None
    kelurahan = []
    male = female = 0
    for region in kecamatan.children.filter(level=RegionLevel.KELURAHAN).order_by("code"):
        age_sex = _age_sex(PopulationCount.objects.filter(region=region))
        region_male = sum(cell["male"] for cell in age_sex)
        region_female = sum(cell["female"] for cell in age_sex)
        male += region_male
        female += region_female
        kelurahan.append(
            {
                "code": region.code,
                "name": region.name,
                "total": region_male + region_female,
                "male": region_male,
                "female": region_female,
                "area_km2": region.area_km2,
                "density_per_km2": _density(region_male + region_female, region.area_km2),
                "by_age_sex": age_sex,
            }
        )
    detail = {
        "source": SOURCE_SLUG,
        "as_of": _as_of(),
        "code": kecamatan.code,
        "name": kecamatan.name,
        "total": male + female,
        "male": male,
        "female": female,
        "area_km2": kecamatan.area_km2,
        "density_per_km2": _density(male + female, kecamatan.area_km2),
        "by_age_sex": _age_sex(PopulationCount.objects.filter(region__parent=kecamatan)),
        "kelurahan": kelurahan,
    }
    return detail if exact else _public_row(detail)
