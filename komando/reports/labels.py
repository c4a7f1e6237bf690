"""Words for the codes in a report (priorities, statuses, siaga levels, outage kinds, project statuses)."""

from django.utils.translation import gettext_lazy as _

from komando.incidents.choices import Priority, Status

SIAGA = {
    "normal": _("Normal"),
    "siaga_3": _("Siaga 3 (waspada)"),
    "siaga_2": _("Siaga 2 (siaga)"),
    "siaga_1": _("Siaga 1 (awas)"),
}
OUTAGE_KINDS = {"failing": _("Failing"), "stale": _("No fresh data")}
SEVERITIES = {"info": _("Info"), "warning": _("Warning"), "critical": _("Critical")}
PROJECT_STATUSES = {"kritis": _("Kritis"), "terlambat": _("Terlambat")}


def label(kind: str, code: str) -> str:
    tables = {
        "priority": dict(Priority.choices),
        "status": dict(Status.choices),
        "siaga": SIAGA,
        "outage": OUTAGE_KINDS,
        "severity": SEVERITIES,
        "project": PROJECT_STATUSES,
    }
    return str(tables.get(kind, {}).get(code, code or "—"))
