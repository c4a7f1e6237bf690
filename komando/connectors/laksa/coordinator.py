"""LAKSA coordinator: complaints updated since the cursor (with overlap), new ones added, changed ones updated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from komando.complaints.records import ComplaintRecord
from komando.connectors.laksa.client import LaksaClient, Service, ServiceRequest
from komando.connectors.laksa.config import LaksaConfig
from komando.core.city import current_city
from komando.sources.framework import BaseCoordinator, FetchResult, SourceDataInvalid

CURSOR_KEY = "updated_since"
STATUS_OF_LAKSA = {"menunggu": "waiting", "proses": "in_progress", "selesai": "resolved"}


def complaint_record(request: ServiceRequest, services: dict[str, Service]) -> ComplaintRecord:
    service = services[request.service_code]
    extension = request.extended_attributes
    return ComplaintRecord(
        source_ref=request.service_request_id,
        status=STATUS_OF_LAKSA[request.laksa_status],
        source_status=request.laksa_status,
        status_notes=request.status_notes or "",
        reported_at=request.requested_datetime.astimezone(UTC),
        source_updated_at=request.last_change.astimezone(UTC),
        category_code=request.service_code,
        category=request.service_name or service.service_name,
        description=request.description or "",
        agency_code=service.group or "",
        agency_name=request.agency_responsible or "",
        address=request.address or "",
        lat=request.lat,
        lon=request.long,
        region_code=(extension.kode_kelurahan if extension else None) or "",
        media_url=request.media_url or "",
    )


class Coordinator(BaseCoordinator):
    config_class = LaksaConfig

    @staticmethod
    def cursor_time(cursor: dict) -> datetime | None:
        raw = cursor.get(CURSOR_KEY)
        if not raw:
            return None
        try:
            moment = datetime.fromisoformat(raw)
        except (TypeError, ValueError) as error:
            raise SourceDataInvalid(f"LAKSA cursor {raw!r} is not a time") from error
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

    def fetch(self, cursor: dict) -> FetchResult:
        last = self.cursor_time(cursor)
        since = last - timedelta(seconds=self.config.overlap_seconds) if last else None
        jurisdiction_id = self.config.jurisdiction_id or current_city().open311_jurisdiction_id
        client = LaksaClient(self.config.base_url, self.config.timeout_seconds, jurisdiction_id, self.config.format)
        services, requests = client.fetch(since)
        by_code = {service.service_code: service for service in services}
        records = [complaint_record(request, by_code) for request in requests]
        newest = max((record.source_updated_at for record in records), default=None)
        if last is not None and (newest is None or newest < last):
            newest = last  # never move the cursor backwards
        return FetchResult(
            data=records,
            records=len(records),
            cursor={CURSOR_KEY: newest.isoformat()} if newest else dict(cursor) or None,
            data_as_of=newest,
            notes=[f"{len(records)} complaints updated since {since.isoformat() if since else 'the start'}"],
        )

    def store(self, source, result: FetchResult):
        from komando.complaints.actions import do_record_complaints
        from komando.complaints.models import Channel

        return do_record_complaints(source, Channel.LAKSA, result.data)
