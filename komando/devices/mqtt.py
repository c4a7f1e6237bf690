"""The MQTT ingest: subscribe with QoS 1 on a persistent session, validate every message, store in
batches, acknowledge only what is committed.

Why nothing is lost when this process dies (even by SIGKILL) while devices keep publishing:
the session is persistent (MQTT 5, clean start off, session expiry one day; or a 3.1.1 session
with clean session off), so the broker queues messages while we are away; and messages are
acknowledged (PUBACK) only after the batch holding them is committed. A message received but not
yet committed is redelivered by the broker on reconnect; one committed but not yet acknowledged is
redelivered too and stored once, because a device's observation is unique per (device, time).
Mind the broker's own limits: Mosquitto keeps at most ``max_queued_messages`` (1000 by default)
per offline session — raise it for your fleet (see ``deploy/mosquitto/komando.conf``).

The client is gmqtt (asyncio, parses whole socket reads at once: about three times the message
rate of paho-mqtt here, see ``bench/ingest_mqtt.py``) with optimistic acknowledgement off: each
message's handler returns only when its batch is stored, and gmqtt sends the PUBACK then.
One thread runs the event loop (receive, validate, collect); one worker thread stores batches of
up to ``batch_max`` messages through ``do_store_device_batch`` while the next batch is collected.
If the database is down the batch is kept and retried; nothing is acknowledged until it is stored.
A batch that outlives its connection is not acknowledged on the next one (the broker redelivers it
and it is stored once): an acknowledgement must never reach a packet id the broker reused.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

import gmqtt
from gmqtt.mqtt.constants import MQTTv50, MQTTv311
from gmqtt.mqtt.handler import MQTTConnectError

from komando.devices.protocol import (
    INDONESIA,
    InvalidMessage,
    Message,
    PositionBounds,
    Rejection,
    parse_message,
    topic_filter,
)

logger = logging.getLogger("komando.devices")

SESSION_EXPIRY_SECONDS = 24 * 3600
RECEIVE_MAXIMUM = 65535


class StaleDelivery(Exception):
    """A message whose batch was not stored, or whose connection ended before it was: it gets no
    acknowledgement, so the broker delivers it again."""


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
            raise ValueError(f"MQTT URL {url!r} must start with mqtt:// or mqtts://")
        if not parts.hostname:
            raise ValueError(f"MQTT URL {url!r} has no host")
        tls = parts.scheme in ("mqtts", "ssl")
        return cls(
            host=parts.hostname,
            port=parts.port or (8883 if tls else 1883),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
        )

    def display(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def default_store(messages, rejections, *, client_id):
    """Store one batch (its own transaction), then hand what it stored to the reactions registered by
    the composition root (``komando.sources.reactions``: a gauge rising over siaga opens an incident)."""
    from django.db import close_old_connections

    from komando.devices.actions import do_store_device_batch
    from komando.sources.reactions import feed_committed

    close_old_connections()
    stored = do_store_device_batch(messages, rejections, client_id=client_id)
    feed_committed(None, stored)
    return stored


class MqttIngest:
    def __init__(
        self,
        url: str,
        *,
        client_id: str = "komando-ingest",
        prefix: str = "komando",
        protocol: str = "5",
        bounds: PositionBounds = INDONESIA,
        batch_max: int = 2000,
        batch_wait_seconds: float = 0.05,
        store: Callable | None = None,
        record_connection: Callable | None = None,
    ):
        self.broker = BrokerAddress.parse(url)
        self.client_id = client_id
        self.prefix = prefix
        self.bounds = bounds  # where a position may be: around the city's kelurahan
        if protocol not in ("5", "3.1.1"):
            raise ValueError(f"MQTT protocol {protocol!r}: use 5 or 3.1.1")
        self.protocol = protocol
        self.batch_max = batch_max
        self.batch_wait_seconds = batch_wait_seconds
        self.store = store or default_store
        self.record_connection = record_connection
        self.stored = 0
        self.rejected = 0
        self.unacknowledged_batches = 0  # stored, but their connection had ended: left to redelivery
        self.first_received_at: float | None = None  # time.perf_counter() of the first message (benchmarks)
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Event-loop state (touched only from the loop's thread):
        self._generation = 0  # one per connection; a batch acknowledges only on the one it came in on
        self._pending: list[Message | Rejection] = []
        self._pending_stored: asyncio.Future | None = None
        self._last_stale: asyncio.Future | None = None
        self._batch_ready: asyncio.Event | None = None
        self.client: gmqtt.Client | None = None

    def _make_client(self) -> gmqtt.Client:
        properties = {}
        if self.protocol == "5":
            properties = {"session_expiry_interval": SESSION_EXPIRY_SECONDS, "receive_maximum": RECEIVE_MAXIMUM}
        # clean_session=False: MQTT 5's clean start off, or 3.1.1's persistent session.
        client = gmqtt.Client(self.client_id, clean_session=False, optimistic_acknowledgement=False, **properties)
        if self.broker.username:
            client.set_auth_credentials(self.broker.username, self.broker.password)
        client.set_config({"reconnect_delay": 2})
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        return client

    # ---- gmqtt callbacks (event loop) ----
    def _on_connect(self, client, flags, reason_code, properties):
        self._generation += 1
        client.subscribe(topic_filter(self.prefix), qos=1)
        self._connected.set()
        logger.info("MQTT ingest %s connected to %s (MQTT %s)", self.client_id, self.broker.display(), self.protocol)
        self._record_connection(True)

    def _on_disconnect(self, client, packet, exc=None):
        self._generation += 1
        self._connected.clear()
        if not self._stop.is_set():
            logger.warning("MQTT ingest lost the broker %s; reconnecting", self.broker.display())
        self._record_connection(False)

    async def _on_message(self, client, topic, payload, qos, properties):
        if self.first_received_at is None:
            self.first_received_at = time.perf_counter()
        if isinstance(topic, bytes):
            item = Rejection(topic=repr(topic[:200]), reason="topic is not UTF-8")
        else:
            try:
                item = parse_message(topic, payload, self.prefix, datetime.now(UTC), self.bounds)
            except InvalidMessage as error:
                item = Rejection(topic=topic, reason=str(error), payload_excerpt=payload[:200].decode("utf-8", "replace"))
        generation = self._generation
        stored = self._pending_stored
        self._pending.append(item)
        if len(self._pending) >= self.batch_max:
            self._batch_ready.set()
        await stored  # raises StaleDelivery when the batch was abandoned
        if generation != self._generation:
            if stored is not self._last_stale:
                self._last_stale = stored
                self.unacknowledged_batches += 1
            raise StaleDelivery
        return 0  # success: gmqtt sends the PUBACK now

    def _record_connection(self, connected: bool) -> None:
        if self.record_connection is None:
            return
        threading.Thread(target=self._safe_record, args=(connected,), daemon=True).start()

    def _safe_record(self, connected: bool) -> None:
        try:
            self.record_connection(self.client_id, self.broker.display(), connected)
        except Exception:
            logger.exception("could not record the MQTT connection state")

    # ---- storing (worker thread) ----
    def _store_with_retry(self, batch: list[Message | Rejection]) -> bool:
        messages: list[Message] = []
        rejections: list[Rejection] = []
        for item in batch:
            (rejections if isinstance(item, Rejection) else messages).append(item)
        delay = 0.5
        while True:
            try:
                self.store(messages, rejections, client_id=self.client_id)
                break
            except Exception:
                if self._stop.is_set():
                    return False  # unacknowledged: the broker redelivers them to the next session
                logger.exception("storing %d device messages failed; retrying in %.1f s", len(batch), delay)
                self._stop.wait(delay * random.uniform(0.8, 1.2))
                delay = min(delay * 2, 30.0)
        self.stored += len(messages)
        self.rejected += len(rejections)
        return True

    # ---- event loop ----
    async def _flush_batches(self, executor: ThreadPoolExecutor) -> None:
        """Store what is pending every ``batch_wait_seconds``, or as soon as ``batch_max`` messages
        wait. Everything pending shares one future, so a batch is taken whole (at most the
        receive maximum of unacknowledged messages)."""
        loop = asyncio.get_running_loop()
        while True:
            try:
                await asyncio.wait_for(self._batch_ready.wait(), self.batch_wait_seconds)
            except TimeoutError:
                pass
            self._batch_ready.clear()
            if not self._pending:
                if self._stop.is_set():
                    return
                continue
            batch, stored = self._pending, self._pending_stored
            self._pending, self._pending_stored = [], loop.create_future()
            if await loop.run_in_executor(executor, self._store_with_retry, batch):
                stored.set_result(True)
            else:
                stored.set_exception(StaleDelivery())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(_quiet_about_stale_deliveries)
        self._pending_stored = loop.create_future()
        self._batch_ready = asyncio.Event()
        self.client = self._make_client()
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mqtt-store")
        flusher = asyncio.create_task(self._flush_batches(executor))
        delay = 1.0
        try:
            while not self._stop.is_set():
                try:
                    await self.client.connect(
                        self.broker.host,
                        self.broker.port,
                        ssl=self.broker.tls,
                        keepalive=30,
                        version=MQTTv50 if self.protocol == "5" else MQTTv311,
                    )
                    break
                except (OSError, MQTTConnectError) as error:
                    logger.warning("MQTT broker %s unreachable (%s); trying again in %.0f s", self.broker.display(), error, delay)
                    await asyncio.sleep(delay * random.uniform(0.8, 1.2))
                    delay = min(delay * 2, 30.0)
            while not self._stop.is_set():
                await asyncio.sleep(0.1)
            await flusher  # what is pending at a clean stop is still stored and acknowledged
            await asyncio.sleep(0.05)  # let the last PUBACKs leave
        finally:
            if not flusher.done():
                flusher.cancel()
            try:
                await asyncio.wait_for(self.client.disconnect(), 5)
            except Exception:  # already gone
                pass
            executor.shutdown(wait=True)

    # ---- lifecycle ----
    def start(self) -> None:
        self._thread = threading.Thread(target=asyncio.run, args=(self._run(),), name="mqtt-ingest", daemon=True)
        self._thread.start()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def request_stop(self) -> None:
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def run_forever(self) -> None:
        self.start()
        try:
            while not self._stop.wait(1.0):
                pass
        finally:
            self.stop()


def _quiet_about_stale_deliveries(loop, context) -> None:
    if isinstance(context.get("exception"), StaleDelivery):
        return  # by design: no PUBACK, the broker redelivers
    loop.default_exception_handler(context)


def city_position_bounds() -> PositionBounds:
    """Around the centroids of the city's kelurahan (its ``regions.csv``)."""
    import csv

    from komando.core.city import city_data_dir

    with open(city_data_dir() / "regions.csv", newline="", encoding="utf-8") as handle:
        points = [(float(row["centroid_lat"]), float(row["centroid_lon"])) for row in csv.DictReader(handle)]
    return PositionBounds.around(points)


def ingest_from_settings(**overrides) -> MqttIngest:
    from django.conf import settings

    from komando.devices.actions import do_record_ingest_connection

    options = {
        "client_id": settings.KOMANDO_MQTT_CLIENT_ID,
        "prefix": settings.KOMANDO_MQTT_TOPIC_PREFIX,
        "protocol": settings.KOMANDO_MQTT_PROTOCOL,
        "bounds": city_position_bounds(),
        "record_connection": do_record_ingest_connection,
    } | overrides
    return MqttIngest(settings.KOMANDO_MQTT_URL, **options)
