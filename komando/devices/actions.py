"""Storing what devices say: one batch of validated messages per transaction.

Idempotent by construction: a position or reading is unique per (device, observation time), so a
message redelivered after a crash (MQTT QoS 1 delivers at least once) is stored once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from komando.assets.models import Asset, AssetKind
from komando.core.events import PUBLIC, STAFF, LiveEvent, send_event_on_commit
from komando.devices.models import IngestStatus, RejectedMessage
from komando.devices.protocol import DeviceKey, Message, PositionMessage, Rejection, WaterLevelMessage
from komando.fieldops.actions import GaugeLevelChange, do_record_gauge_level
from komando.fieldops.flood import siaga_status
from komando.regions.models import Region
from komando.sources.models import Source
from komando.sources.registry import device_domains

logger = logging.getLogger("komando.devices")
ZERO = timedelta(0)

# Which application owns a domain's devices, and what a device it does not know yet is.


@dataclass
class BatchResult:
    positions: int = 0
    levels: int = 0
    rejected: int = 0
    changed_devices: list[int] = field(default_factory=list)
    gauge_levels: list[GaugeLevelChange] = field(default_factory=list)  # for what reacts after the commit


class DeviceDirectory:
    """(domain, device id) → asset id, cached; a device nobody registered yet is registered here
    (named by its id, in its home kecamatan) so that none of its messages is lost."""

    def __init__(self):
        self._ids: dict[tuple[str, str], int] = {}

    def clear(self) -> None:
        self._ids.clear()

    def resolve(self, keys: set[DeviceKey]) -> dict[tuple[str, str], int]:
        missing = {key for key in keys if (key.domain, key.device_id) not in self._ids}
        if missing:
            self._load(missing)
        return self._ids

    def _load(self, keys: set[DeviceKey]) -> None:
        sources = {source.slug: source for source in Source.objects.filter(slug__in=list(device_domains()))}
        by_source: dict[str, set[str]] = {}
        for key in keys:
            by_source.setdefault(key.domain, set()).add(key.device_id)
        for slug, refs in by_source.items():
            source = sources.get(slug)
            if source is None:
                continue
            for ref, asset_id in Asset.objects.filter(source=source, source_ref__in=refs).values_list("source_ref", "pk"):
                self._ids[(slug, ref)] = asset_id
        for key in keys:
            if (key.domain, key.device_id) in self._ids:
                continue
            source = sources.get(key.domain)  # a device's domain is its owning source's slug
            if source is None:
                raise LookupError(f"source {key.domain!r} is not in the reference data")
            asset, _ = Asset.objects.get_or_create(
                source=source,
                source_ref=key.device_id,
                defaults={
                    "kind": device_domains()[key.domain].asset_kind,
                    "name": key.device_id,
                    "region": Region.objects.filter(code=key.kecamatan_code).first(),
                },
            )
            logger.info("registered unknown device %s/%s", key.domain, key.device_id)
            self._ids[(key.domain, key.device_id)] = asset.pk


directory = DeviceDirectory()


def siaga_of(attributes: dict, level_m: float) -> str:
    try:
        return siaga_status(attributes, level_m)
    except (KeyError, TypeError, ValueError):
        return ""  # a gauge whose siaga levels are not known yet


@transaction.atomic
def do_store_device_batch(
    messages: list[Message], rejections: list[Rejection], *, client_id: str = "", received_at: datetime | None = None
) -> BatchResult:
    """Store one batch: positions and water levels (each once), the newest state per device,
    the rejected messages with their reasons; live events after commit."""
    received_at = received_at or timezone.now()
    result = BatchResult(rejected=len(rejections))
    if rejections:
        RejectedMessage.objects.bulk_create(
            [
                RejectedMessage(
                    received_at=received_at, topic=r.topic[:300], reason=r.reason[:300], payload_excerpt=r.payload_excerpt[:200]
                )
                for r in rejections
            ]
        )
        for rejection in rejections:
            logger.warning("rejected MQTT message on %s: %s", rejection.topic[:120], rejection.reason)
    if messages:
        ids = directory.resolve({message.device for message in messages})
        positions: list[tuple[Any, ...]] = []
        levels: list[tuple[Any, ...]] = []
        newest: dict[int, Message] = {}
        adapt = _datetime_adapter()
        received = adapt(received_at)
        for message in messages:
            asset_id = ids[(message.device.domain, message.device.device_id)]
            if isinstance(message, PositionMessage):
                positions.append(
                    (
                        asset_id,
                        adapt(message.observed_at),
                        message.lat,
                        message.lon,
                        message.speed_kmh,
                        message.heading,
                        message.battery,
                        message.accuracy_m,
                        received,
                    )
                )
            else:
                levels.append((asset_id, adapt(message.observed_at), message.level_m, received))
            current = newest.get(asset_id)
            if current is None or message.observed_at > current.observed_at:
                newest[asset_id] = message
        with connection.cursor() as cursor:
            if positions:
                _insert_many(cursor, POSITION_TABLE, positions, "ON CONFLICT (asset_id, observed_at) DO NOTHING")
            if levels:
                _insert_many(cursor, WATER_LEVEL_TABLE, levels, "ON CONFLICT (asset_id, observed_at) DO NOTHING")
        result.positions, result.levels = len(positions), len(levels)
        result.changed_devices, result.gauge_levels = _update_states(newest, received_at)
    if client_id:
        _count(
            client_id, received=len(messages) + len(rejections), stored=len(messages), rejected=len(rejections), at=received_at
        )
    if result.changed_devices:
        _announce(result.changed_devices)
    return result


# Plain SQL for the hot path (thousands of rows a second): the same statements on SQLite ≥ 3.24
# and PostgreSQL. A repeated observation hits the unique (asset, observation time) and is skipped.
# Tables as (name, ((column, PostgreSQL type), ...)).
POSITION_TABLE = (
    "devices_position",
    (
        ("asset_id", "bigint"),
        ("observed_at", "timestamptz"),
        ("lat", "float8"),
        ("lon", "float8"),
        ("speed_kmh", "float8"),
        ("heading", "float8"),
        ("battery", "int"),
        ("accuracy_m", "float8"),
        ("received_at", "timestamptz"),
    ),
)
WATER_LEVEL_TABLE = (
    "devices_waterlevelreading",
    (("asset_id", "bigint"), ("observed_at", "timestamptz"), ("level_m", "float8"), ("received_at", "timestamptz")),
)
STATE_TABLE = (
    "devices_devicestate",
    (
        ("asset_id", "bigint"),
        ("observed_at", "timestamptz"),
        ("lat", "float8"),
        ("lon", "float8"),
        ("speed_kmh", "float8"),
        ("heading", "float8"),
        ("battery", "int"),
        ("level_m", "float8"),
        ("siaga", "text"),
        ("updated_at", "timestamptz"),
    ),
)
# The newest state per device; an older observation arriving late changes nothing.
NEWER_STATE_WINS = (
    "ON CONFLICT (asset_id) DO UPDATE SET observed_at = excluded.observed_at, "
    "lat = COALESCE(excluded.lat, devices_devicestate.lat), lon = COALESCE(excluded.lon, devices_devicestate.lon), "
    "speed_kmh = excluded.speed_kmh, heading = excluded.heading, battery = excluded.battery, "
    "level_m = COALESCE(excluded.level_m, devices_devicestate.level_m), "
    "siaga = CASE WHEN excluded.level_m IS NULL THEN devices_devicestate.siaga ELSE excluded.siaga END, "
    "updated_at = excluded.updated_at "
    "WHERE excluded.observed_at > devices_devicestate.observed_at"
)


def _insert_many(cursor, table, rows: list[tuple], on_conflict: str) -> None:
    """Insert rows in one round trip. PostgreSQL: one statement over the columns as arrays
    (``unnest``), several times faster than a row-by-row executemany; SQLite: executemany, which
    runs in process anyway."""
    name, columns = table
    column_list = ", ".join(column for column, _ in columns)
    if connection.vendor == "postgresql":
        import psycopg

        arrays = ", ".join(f"%b::{pg_type}[]" for _, pg_type in columns)
        # A server-side binding cursor with binary parameters: psycopg dumps each array in C
        # (Django's own cursor binds on the client, as text, element by element in Python).
        with psycopg.Cursor(connection.connection) as binary_cursor:
            binary_cursor.execute(
                f"INSERT INTO {name} ({column_list}) SELECT * FROM unnest({arrays}) {on_conflict}",
                [list(values) for values in zip(*rows, strict=True)],
            )
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {name} ({column_list}) VALUES ({placeholders}) {on_conflict}", rows)


def _datetime_adapter():
    """How this database takes an aware datetime in raw SQL. Django's own adapter, except on
    SQLite kept in UTC (the default), where the same text is made directly: a tenth of the
    per-message cost at thousands of messages a second."""
    if connection.vendor == "sqlite" and connection.timezone == UTC:
        return _sqlite_utc_text
    return connection.ops.adapt_datetimefield_value


def _sqlite_utc_text(value: datetime) -> str:
    if value.utcoffset() != ZERO:
        value = value.astimezone(UTC)
    return str(value.replace(tzinfo=None))  # what Django writes: naive UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]"


def _update_states(newest: dict[int, Message], now: datetime) -> tuple[list[int], list[GaugeLevelChange]]:
    """The newest state per device; a gauge's level also in its attributes. Returns the devices and
    the gauge levels changed."""
    adapt = _datetime_adapter()
    gauges = {
        asset.pk: asset
        for asset in Asset.objects.filter(pk__in=[pk for pk, m in newest.items() if isinstance(m, WaterLevelMessage)])
    }
    rows: list[tuple[Any, ...]] = []
    level_changes = []
    for asset_id, message in newest.items():
        if isinstance(message, PositionMessage):
            rows.append(
                (
                    asset_id,
                    adapt(message.observed_at),
                    message.lat,
                    message.lon,
                    message.speed_kmh,
                    message.heading,
                    message.battery,
                    None,
                    "",
                    adapt(now),
                )
            )
        else:
            gauge = gauges[asset_id]
            lat, lon = (message.lat, message.lon) if message.lat is not None else (gauge.lat, gauge.lon)
            rows.append(
                (
                    asset_id,
                    adapt(message.observed_at),
                    lat,
                    lon,
                    None,
                    None,
                    None,
                    message.level_m,
                    siaga_of(gauge.attributes, message.level_m),
                    adapt(now),
                )
            )
            # The gauge's latest level also lives in its attributes (the banjir connector writes the same
            # keys from the application's HTTP API): newest wins, under a row lock, whoever writes.
            change = do_record_gauge_level(gauge, message.level_m, message.observed_at)
            if change is not None:
                level_changes.append(change)
    with connection.cursor() as cursor:
        _insert_many(cursor, STATE_TABLE, rows, NEWER_STATE_WINS)
    return list(newest), level_changes


def _count(client_id: str, *, received: int, stored: int, rejected: int, at: datetime) -> None:
    from django.db.models import F

    IngestStatus.objects.filter(client_id=client_id).update(
        received_total=F("received_total") + received,
        stored_total=F("stored_total") + stored,
        rejected_total=F("rejected_total") + rejected,
        last_message_at=at,
    )


def _announce(asset_ids: list[int]) -> None:
    from komando.devices.selectors import device_states

    units: list[dict[str, Any]] = []
    gauges: list[dict[str, Any]] = []
    for row in device_states(asset_ids):
        (gauges if row["kind"] == AssetKind.GAUGE else units).append(row)
    if units:
        send_event_on_commit(LiveEvent(type="devices.units", data={"units": units}, audience=STAFF))
    if gauges:
        send_event_on_commit(LiveEvent(type="devices.gauges", data={"gauges": gauges}, audience=PUBLIC))


@transaction.atomic
def do_record_ingest_connection(client_id: str, broker: str, connected: bool) -> None:
    status, _ = IngestStatus.objects.get_or_create(client_id=client_id, defaults={"broker": broker})
    status.broker = broker
    status.connected = connected
    status.connected_since = timezone.now() if connected else None
    status.save()
