"""Writers of the e-Puskesmas aggregates: visits, diagnoses and prescriptions per day and puskesmas."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import F

from komando.assets.actions import do_sync_assets
from komando.assets.models import Asset, AssetKind
from komando.core.events import LiveEvent, send_event_on_commit
from komando.metrics.models import DiagnosisCount, PrescriptionCount, VisitCount
from komando.metrics.selectors.health import health_panel
from komando.sources.framework import AssetItem, SourceDataInvalid


def _add_counts(
    model,
    source,
    facilities: Mapping[str, Asset],
    counts: Mapping[tuple, int],
    key_field: str,
    extra: Mapping[str, tuple[str, Mapping[str, str]]] | None = None,
) -> None:
    """Increment ``model`` rows keyed (date, facility, ``key_field``): F() updates for existing rows,
    one bulk insert for new ones. Runs inside the caller's transaction."""
    if not counts:
        return
    days = {day for day, _, _ in counts}
    facility_ids = {facilities[ref].pk for _, ref, _ in counts}
    existing = {
        (row.date, row.facility_id, getattr(row, key_field)): row.pk
        for row in model.objects.select_for_update()
        .filter(date__in=days, facility_id__in=facility_ids)
        .only("pk", "date", "facility_id", key_field)
    }
    new_rows = []
    for (day, ref, key), delta in counts.items():
        if delta <= 0:
            continue
        facility = facilities[ref]
        pk = existing.get((day, facility.pk, key))
        if pk is not None:
            model.objects.filter(pk=pk).update(count=F("count") + delta)
        else:
            values = {name: names.get(key, key)[:200] for name, (_, names) in (extra or {}).items()}
            new_rows.append(model(source=source, date=day, facility=facility, count=delta, **{key_field: key}, **values))
    model.objects.bulk_create(new_rows, batch_size=500)


@transaction.atomic
def do_add_health_counts(
    source,
    *,
    facilities: Iterable[AssetItem] | None,
    visits: Mapping[tuple, int],
    diagnoses: Mapping[tuple, int],
    prescriptions: Mapping[tuple, int],
    diagnosis_names: Mapping[str, str],
    drug_names: Mapping[str, str],
) -> None:
    """Add one connector run's counts. Keys are ``(date, facility source_ref, poli|ICD-10|KFA code)``.

    ``facilities`` (asset items, see ``do_sync_assets``) are synced first when given. A count for a
    facility that is not one of the source's puskesmas raises ``SourceDataInvalid`` (nothing written).
    Sends ``panel.health`` with today's panel once the transaction commits.
    """
    if facilities is not None:
        do_sync_assets(source, AssetKind.PUSKESMAS, facilities)
    assets = {a.source_ref: a for a in Asset.objects.filter(source=source, kind=AssetKind.PUSKESMAS)}
    for counts in (visits, diagnoses, prescriptions):
        unknown = sorted({ref for _, ref, _ in counts} - assets.keys())
        if unknown:
            raise SourceDataInvalid(f"counts for unknown puskesmas {unknown[0]!r}")
    _add_counts(VisitCount, source, assets, visits, "poli")
    _add_counts(DiagnosisCount, source, assets, diagnoses, "icd10_code", {"icd10_name": ("icd10_code", diagnosis_names)})
    _add_counts(PrescriptionCount, source, assets, prescriptions, "kfa_code", {"drug_name": ("kfa_code", drug_names)})
    send_event_on_commit(LiveEvent(type="panel.health", data=health_panel()))
