"""Writers of traffic state: intersection cameras (assets) and their observations (from ATCS)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db import transaction

from komando.assets.actions import do_sync_assets
from komando.assets.models import Asset, AssetKind
from komando.core.events import LiveEvent, send_event_on_commit
from komando.metrics.models import CongestionLevel, TrafficObservation
from komando.metrics.selectors.traffic import traffic_panel
from komando.sources.framework import AssetItem, SourceDataInvalid


class TrafficRow(NamedTuple):
    """Traffic at one camera (the source's id for it) over the interval ending at ``observed_at``."""

    camera_ref: str
    observed_at: datetime
    interval_minutes: int
    vehicles: int
    average_speed_kmh: float | None
    congestion: str


@dataclass
class TrafficStored:
    """What ``do_record_traffic`` stored: the new intervals (for what reacts after the commit, e.g. an
    intersection's congestion becoming an incident)."""

    observations: list[TrafficObservation] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.observations)


def _camera_state(source) -> dict[str, tuple]:
    return {
        asset.source_ref: (asset.name, asset.lat, asset.lon, asset.online, asset.region_id, asset.attributes)
        for asset in Asset.objects.filter(source=source, kind=AssetKind.CAMERA)
    }


@transaction.atomic
def do_record_traffic(source, cameras: Iterable[AssetItem], observations: Iterable[TrafficRow]) -> TrafficStored:
    """Sync ``source``'s camera registry and add the observations not stored yet (idempotent).

    ``cameras`` are asset items (see ``do_sync_assets``). An observation of an unknown camera or
    with an unknown congestion level raises ``SourceDataInvalid`` and nothing changes. Sends
    ``panel.traffic`` when a camera or an observation is new or changed. Returns the new rows.
    """
    before = _camera_state(source)
    do_sync_assets(source, AssetKind.CAMERA, cameras)
    cameras_changed = _camera_state(source) != before
    by_ref = {asset.source_ref: asset for asset in Asset.objects.filter(source=source, kind=AssetKind.CAMERA)}

    observations = list(observations)
    levels = set(CongestionLevel.values)
    for row in observations:
        if row.camera_ref not in by_ref:
            raise SourceDataInvalid(f"traffic for unknown camera {row.camera_ref!r}")
        if row.congestion not in levels:
            raise SourceDataInvalid(f"unknown congestion level {row.congestion!r} at camera {row.camera_ref}")
    stored = set()
    if observations:
        stored = set(
            TrafficObservation.objects.filter(
                camera__in=[by_ref[row.camera_ref] for row in observations],
                observed_at__gte=min(row.observed_at for row in observations),
                observed_at__lte=max(row.observed_at for row in observations),
            ).values_list("camera_id", "observed_at")
        )
    new_rows = []
    for row in observations:
        camera = by_ref[row.camera_ref]
        if (camera.pk, row.observed_at) in stored:
            continue
        stored.add((camera.pk, row.observed_at))
        new_rows.append(
            TrafficObservation(
                source=source,
                camera=camera,
                observed_at=row.observed_at,
                interval_minutes=row.interval_minutes,
                vehicles=row.vehicles,
                average_speed_kmh=row.average_speed_kmh,
                congestion=row.congestion,
            )
        )
    TrafficObservation.objects.bulk_create(new_rows, batch_size=1000)
    if new_rows or cameras_changed:
        send_event_on_commit(LiveEvent(type="panel.traffic", data=traffic_panel()))
    return TrafficStored(new_rows)
