"""The words of incident response: statuses, priorities, channels, timeline kinds, hand-off parties,
escalation rungs and field-unit states. Values are the Indonesian words officials use; labels are
English in code and translated to Bahasa Indonesia in the locale."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    BARU = "baru", _("New")
    DIVERIFIKASI = "diverifikasi", _("Verified")
    DITUGASKAN = "ditugaskan", _("Assigned")
    DALAM_PENANGANAN = "dalam_penanganan", _("In progress")
    SELESAI = "selesai", _("Resolved")
    DITUTUP = "ditutup", _("Closed")
    DITOLAK = "ditolak", _("Rejected")
    DIALIHKAN = "dialihkan", _("Handed off")
    DUPLIKAT = "duplikat", _("Duplicate")
    DIBUKA_KEMBALI = "dibuka_kembali", _("Reopened")


class Priority(models.TextChoices):
    RENDAH = "rendah", _("Low")
    SEDANG = "sedang", _("Medium")
    TINGGI = "tinggi", _("High")
    KRITIS = "kritis", _("Critical")


# Most urgent first (queues sort by this).
PRIORITY_RANK = {Priority.KRITIS: 0, Priority.TINGGI: 1, Priority.SEDANG: 2, Priority.RENDAH: 3}


class Channel(models.TextChoices):
    """Where a report came from."""

    LAKSA = "laksa", _("LAKSA")
    LAPOR = "lapor", _("SP4N-LAPOR!")
    CALL_112 = "call_112", _("Call center 112")
    OPEN311 = "open311", _("Open311 client")
    WEB = "web", _("Public web form")
    OPERATOR = "operator", _("Operator")
    FIELD = "field", _("Field officer")
    SENSOR = "sensor", _("Sensor")
    ATCS = "atcs", _("ATCS (traffic)")


class TimelineKind(models.TextChoices):
    TRANSITION = "transition", _("Status change")
    COMMENT = "comment", _("Comment")
    ASSIGNMENT = "assignment", _("Assignment")
    ESCALATION = "escalation", _("Escalation")
    HANDOFF = "handoff", _("Hand-off")
    MERGE = "merge", _("Merge")
    CHECKLIST = "checklist", _("Checklist")
    REPORT = "report", _("Report")
    PRIORITY = "priority", _("Priority")


class HandoffTarget(models.TextChoices):
    AGENCY = "agency", _("Another OPD")
    KELURAHAN = "kelurahan", _("Another kelurahan")
    EXTERNAL = "external", _("Outside party")


class ExternalParty(models.TextChoices):
    """Parties outside the city government that own part of the city's infrastructure."""

    PLN = "pln", _("PLN (electricity)")
    PDAM = "pdam", _("PDAM (water)")
    TELKOM = "telkom", _("Telkom (telecommunication)")
    TOLL_OPERATOR = "toll_operator", _("Toll road operator")
    BPJN = "bpjn", _("BPJN (national roads)")
    BBWS = "bbws", _("BBWS (river basin authority)")
    PGN = "pgn", _("PGN (gas)")
    KAI = "kai", _("KAI (railway)")
    POLICE = "polisi", _("Police (Polres)")


# Parties whose local name the city gives (``external_parties`` in its city.json): their label then names it.
NAMED_EXTERNAL_PARTY_LABELS = {
    ExternalParty.PDAM: _("PDAM %(name)s (water)"),
    ExternalParty.POLICE: _("Police (%(name)s)"),
}


def external_party_label(value: str) -> str:
    """The label of an outside party in this city: "PDAM Tirta Benteng (water)" where the city's
    ``city.json`` names its PDAM, else the generic "PDAM (water)"."""
    from komando.core.city import current_city

    name = (current_city().get("external_parties") or {}).get(value)
    if name and value in NAMED_EXTERNAL_PARTY_LABELS:
        return str(NAMED_EXTERNAL_PARTY_LABELS[value]) % {"name": name}
    return str(ExternalParty(value).label) if value in ExternalParty.values else value


def external_party_choices() -> list[tuple[str, str]]:
    return [(value, external_party_label(value)) for value in ExternalParty.values]


class EscalationRole(models.TextChoices):
    """The escalation ladder, lowest rung first."""

    OPERATOR = "operator", _("Operator")
    KEPALA_BIDANG = "kepala_bidang", _("Head of division (kepala bidang)")
    KEPALA_DINAS = "kepala_dinas", _("Head of the OPD (kepala dinas)")
    SEKDA = "sekda", _("City secretary (sekda)")
    WALI_KOTA = "wali_kota", _("Mayor (wali kota)")


ESCALATION_ORDER = [role.value for role in EscalationRole]


class DispatchStatus(models.TextChoices):
    """A field unit's part in an incident."""

    DISPATCHED = "dispatched", _("Dispatched")
    EN_ROUTE = "en_route", _("En route")
    ON_SCENE = "on_scene", _("On scene")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
