from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from komando.core.events import STAFF
from komando.core.tiles import Figure, Tile
from komando.imports.formats.registry import all_templates
from komando.imports.models import ImportBatch, RevenueRealisation

REVENUE_SOURCE = "pendapatan"


def template_choices() -> list[tuple[str, str]]:
    return [(template.slug, str(template.title)) for template in all_templates()]


def recent_batches(limit: int = 10):
    return ImportBatch.objects.select_related("source", "uploaded_by")[:limit]


def revenue_tile():
    """Staff tile: the year's regional revenue collected against target, from Bapenda's monthly files."""
    latest = RevenueRealisation.objects.aggregate(year=Max("year"))["year"]
    if latest is None:
        return None
    month = RevenueRealisation.objects.filter(year=latest).aggregate(month=Max("month"))["month"]
    rows = RevenueRealisation.objects.filter(year=latest, month=month)
    totals = rows.aggregate(
        target=Sum("annual_target"), realised=Sum("realised_cumulative"), this_month=Sum("realised_this_month")
    )
    target, realised = totals["target"] or 0, totals["realised"] or 0
    percent = round(100 * realised / target, 1) if target else None
    expected = round(100 * month / 12, 1)  # an even pace through the year
    tone = "" if percent is None else ("ok" if percent >= expected - 5 else "warn" if percent >= expected - 15 else "bad")
    by_type = sorted(
        ((row.type_name, round(100 * row.realised_cumulative / row.annual_target, 1)) for row in rows if row.annual_target),
        key=lambda item: item[1],
    )
    return Tile(
        key="revenue",
        source=REVENUE_SOURCE,
        title=_("Regional revenue %(year)s") % {"year": latest},
        figures=[
            Figure(_("of the year's target collected"), percent, "%", tone),
            Figure(_("collected so far"), round(realised / 1e12, 2), _("tn Rp")),
            Figure(
                _("collected in month %(month)s") % {"month": month}, round((totals["this_month"] or 0) / 1e12, 2), _("tn Rp")
            ),
            Figure(_("even pace"), expected, "%"),
        ],
        rows=[
            Figure(name, value, "%", "bad" if value < expected - 15 else "warn" if value < expected - 5 else "")
            for name, value in by_type[:5]
        ],
        rows_title=_("Furthest behind target"),
        audience=STAFF,
    )
