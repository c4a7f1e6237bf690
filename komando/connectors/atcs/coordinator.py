"""ATCS coordinator: sync the camera registry, add the traffic intervals since the cursor."""

from __future__ import annotations

from datetime import UTC, datetime

from komando.connectors.atcs.client import AtcsClient, Camera, TrafficObservation
from komando.connectors.atcs.config import AtcsConfig
from komando.metrics.actions.traffic import TrafficRow, do_record_traffic
from komando.sources.framework import AssetItem, BaseCoordinator, FetchResult, SourceDataInvalid

CURSOR_KEY = "last_observed_at"


def camera_item(camera: Camera) -> AssetItem:
    """A camera as a generic asset item (see ``komando.assets.actions.do_sync_assets``)."""
    return AssetItem(
        source_ref=camera.id,
        name=camera.nama_simpang,
        lat=camera.lat,
        lon=camera.lon,
        region_code=camera.kode_kelurahan or camera.kode_kecamatan,
        online=camera.status == "online",
        attributes={"snapshot_url": camera.snapshot_url, "roads": list(camera.ruas)},
    )


def traffic_row(observation: TrafficObservation) -> TrafficRow:
    return TrafficRow(
        camera_ref=observation.id_kamera,
        observed_at=observation.waktu_selesai.astimezone(UTC),
        interval_minutes=observation.interval_minutes,
        vehicles=observation.volume_kendaraan,
        average_speed_kmh=observation.kecepatan_rata_rata,
        congestion=observation.tingkat_kemacetan,
    )


class Coordinator(BaseCoordinator):
    config_class = AtcsConfig

    @staticmethod
    def since(cursor: dict) -> datetime | None:
        """Where to resume; None on the first run (ATCS then sends its default window, the last hour)."""
        raw = cursor.get(CURSOR_KEY)
        if not raw:
            return None
        try:
            moment = datetime.fromisoformat(raw)
        except (TypeError, ValueError) as error:
            raise SourceDataInvalid(f"ATCS cursor {raw!r} is not a time") from error
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

    def fetch(self, cursor: dict) -> FetchResult:
        since = self.since(cursor)
        cameras, observations = AtcsClient(self.config.base_url, self.config.timeout_seconds).fetch(since)
        rows = [traffic_row(observation) for observation in observations]
        newest = max((row.observed_at for row in rows), default=None)
        if newest is not None and since is not None and newest < since:
            newest = since  # never move the cursor backwards
        next_cursor = {CURSOR_KEY: newest.isoformat()} if newest else dict(cursor) or None
        return FetchResult(
            data=([camera_item(camera) for camera in cameras], rows),
            records=len(rows),
            cursor=next_cursor,
            data_as_of=newest,
            notes=[f"{len(cameras)} cameras, {len(rows)} intervals since {since.isoformat() if since else 'the start'}"],
        )

    def store(self, source, result: FetchResult):
        cameras, rows = result.data
        return do_record_traffic(source, cameras, rows)
