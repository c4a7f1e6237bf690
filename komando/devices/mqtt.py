"""The MQTT ingest: subscribe with QoS 1 on a persistent session, validate every message, store in
batches, acknowledge only what is committed.

Why nothing is lost when this process dies (even by SIGKILL) while devices keep publishing:
the session is persistent (MQTT 5, clean start off, session expiry one day), so the broker queues
messages while we are away; and messages are acknowledged (PUBACK, manual) only after the batch
holding them is committed. A message received but not yet committed is redelivered by the broker
on reconnect; one committed but not yet acknowledged is redelivered too and stored once, because
a device's observation is unique per (device, time). Mind the broker's own limits: Mosquitto keeps
at most ``max_queued_messages`` (1000 by default) per offline session — raise it for your fleet
(see ``deploy/mosquitto/komando.conf``).

Threads: paho's network loop parses and validates (cheap) and appends to a pending list; one
writer thread takes up to ``batch_max`` messages at a time, stores them through
``do_store_device_batch`` and then acknowledges them. If the database is down the batch is kept
and retried; nothing is acknowledged until it is stored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from komando.devices.protocol import InvalidMessage, Message, Rejection, parse_message, topic_filter

logger = logging.getLogger("komando.devices")

SESSION_EXPIRY_SECONDS = 24 * 3600
RECEIVE_MAXIMUM = 65535


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
        return cls(host=parts.hostname, port=parts.port or (8883 if tls else 1883),
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None, tls=tls)

    def display(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def default_store(messages, rejections, *, client_id):
    from django.db import close_old_connections

    from komando.devices.actions import do_store_device_batch

    close_old_connections()
    return do_store_device_batch(messages, rejections, client_id=client_id)


class MqttIngest:
    def __init__(self, url: str, *, client_id: str = "komando-ingest", prefix: str = "tangerang", protocol: str = "5",
                 batch_max: int = 2000, batch_wait_seconds: float = 0.05,
                 store: Callable | None = None, record_connection: Callable | None = None):
        self.broker = BrokerAddress.parse(url)
        self.client_id = client_id
        self.prefix = prefix
        if protocol not in ("5", "3.1.1"):
            raise ValueError(f"MQTT protocol {protocol!r}: use 5 or 3.1.1")
        self.protocol = protocol
        self.batch_max = batch_max
        self.batch_wait_seconds = batch_wait_seconds
        self.store = store or default_store
        self.record_connection = record_connection
        self._pending: list[tuple[int, int, object]] = []  # (mid, qos, Message or Rejection)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self.stored = 0
        self.rejected = 0
        self.client = self._make_client()

    def _make_client(self) -> mqtt.Client:
        if self.protocol == "5":
            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5,
                                 manual_ack=True)
        else:  # brokers without MQTT 5 (the demo's embedded one): a persistent 3.1.1 session
            client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv311,
                                 clean_session=False, manual_ack=True)
        if self.broker.username:
            client.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            client.tls_set()
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        return client

    # ---- paho callbacks (network thread) ----
    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            logger.error("MQTT broker %s refused the connection: %s", self.broker.display(), reason_code)
            return
        client.subscribe(topic_filter(self.prefix), qos=1)
        self._connected.set()
        logger.info("MQTT ingest %s connected to %s (session present: %s)", self.client_id,
                    self.broker.display(), flags.session_present)
        self._record_connection(True)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self._connected.clear()
        if not self._stop.is_set():
            logger.warning("MQTT ingest lost the broker (%s); reconnecting", reason_code)
        self._record_connection(False)

    def _on_message(self, client, userdata, message):
        try:
            item = parse_message(message.topic, message.payload, self.prefix, datetime.now(UTC))
        except InvalidMessage as error:
            item = Rejection(topic=message.topic, reason=str(error),
                             payload_excerpt=message.payload[:200].decode("utf-8", "replace"))
        except UnicodeDecodeError:
            item = Rejection(topic=repr(message._topic[:200]), reason="topic is not UTF-8")
        with self._lock:
            self._pending.append((message.mid, message.qos, item))
            full = len(self._pending) >= self.batch_max
        if full:
            self._wake.set()

    def _record_connection(self, connected: bool) -> None:
        if self.record_connection is None:
            return
        threading.Thread(target=self._safe_record, args=(connected,), daemon=True).start()

    def _safe_record(self, connected: bool) -> None:
        try:
            self.record_connection(self.client_id, self.broker.display(), connected)
        except Exception:
            logger.exception("could not record the MQTT connection state")

    # ---- writer thread ----
    def _take_batch(self) -> list[tuple[int, int, object]]:
        with self._lock:
            batch, self._pending = self._pending[:self.batch_max], self._pending[self.batch_max:]
            if self._pending:
                self._wake.set()
        return batch

    def _store_batch(self, batch) -> None:
        messages: list[Message] = []
        rejections: list[Rejection] = []
        for _, _, item in batch:
            (rejections if isinstance(item, Rejection) else messages).append(item)
        delay = 0.5
        while True:
            try:
                self.store(messages, rejections, client_id=self.client_id)
                break
            except Exception:
                if self._stop.is_set():
                    return  # unacknowledged: the broker redelivers them to the next session
                logger.exception("storing %d device messages failed; retrying in %.1f s", len(batch), delay)
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
        for mid, qos, _ in batch:
            if qos > 0:
                self.client.ack(mid, qos)
        self.stored += len(messages)
        self.rejected += len(rejections)

    def _writer(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.batch_wait_seconds)
            self._wake.clear()
            batch = self._take_batch()
            if batch:
                self._store_batch(batch)
        batch = self._take_batch()  # what is pending at a clean stop is still stored
        while batch:
            self._store_batch(batch)
            batch = self._take_batch()

    # ---- lifecycle ----
    def start(self) -> None:
        if self.protocol == "5":
            properties = Properties(PacketTypes.CONNECT)
            properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
            properties.ReceiveMaximum = RECEIVE_MAXIMUM
            self.client.connect_async(self.broker.host, self.broker.port, keepalive=30, clean_start=False,
                                      properties=properties)
        else:
            self.client.connect_async(self.broker.host, self.broker.port, keepalive=30)
        self._writer_thread = threading.Thread(target=self._writer, name="mqtt-writer", daemon=True)
        self._writer_thread.start()
        self.client.loop_start()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._writer_thread.join(timeout=30)
        self.client.disconnect()
        self.client.loop_stop()

    def run_forever(self) -> None:
        self.start()
        try:
            while not self._stop.wait(1.0):
                pass
        finally:
            self.stop()


def ingest_from_settings(**overrides) -> MqttIngest:
    from django.conf import settings

    from komando.devices.actions import do_record_ingest_connection

    options = {"client_id": settings.KOMANDO_MQTT_CLIENT_ID, "prefix": settings.KOMANDO_MQTT_TOPIC_PREFIX,
               "protocol": settings.KOMANDO_MQTT_PROTOCOL,
               "record_connection": do_record_ingest_connection} | overrides
    return MqttIngest(settings.KOMANDO_MQTT_URL, **options)
