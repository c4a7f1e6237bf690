"""The MQTT ingest against the real Mosquitto at 127.0.0.1:1883 (`make services` starts it)."""

import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError

from komando.assets.models import Asset, AssetKind
from komando.conftest import require_service
from komando.devices.models import DeviceState, IngestStatus, Position, RejectedMessage, WaterLevelReading
from komando.devices.mqtt import MqttIngest, ingest_from_settings
from komando.devices.protocol import telemetry_topic
from komando.devices.testing import publisher

pytestmark = pytest.mark.django_db(transaction=True)

BROKER = ("127.0.0.1", 1883)


@pytest.fixture
def mosquitto():
    require_service("Mosquitto", *BROKER)


@pytest.fixture
def prefix():
    """A topic prefix of this test alone, so that tests sharing the broker never see each other."""
    return f"test{uuid.uuid4().hex[:10]}"


@pytest.fixture
def ingest(mosquitto, reference_data, prefix, settings):
    from komando.devices.actions import directory

    directory.clear()
    settings.KOMANDO_MQTT_URL = "mqtt://127.0.0.1:1883"
    running = ingest_from_settings(client_id=f"komando-{prefix}", prefix=prefix)
    running.start()
    assert running.wait_connected(10), "the ingest did not connect to Mosquitto"
    time.sleep(0.3)  # let the SUBACK arrive
    yield running
    running.stop()
    forget_session(running.client_id)


def forget_session(client_id):
    """End the broker's persistent session of a finished test (clean start, no expiry)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.connect(*BROKER, clean_start=True)
    client.loop_start()
    time.sleep(0.2)
    client.disconnect()
    client.loop_stop()


def position(lat, lon, at, **extra):
    return json.dumps({"_type": "location", "lat": lat, "lon": lon, "tst": int(at.timestamp()), **extra})


def wait_for(predicate, timeout=15.0):
    """Poll until true. SQLite's shared in-memory test database locks a table while the ingest's
    writer thread commits to it; such a read is simply tried again."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:
            pass
        time.sleep(0.1)
    return predicate()


def read(query):
    """A read that SQLite's shared in-memory test database may refuse for a moment while the
    writer thread commits ("table is locked"): tried again, never ignored."""
    for _ in range(100):
        try:
            return query()
        except OperationalError:
            time.sleep(0.05)
    return query()


def publish_all(client, items):
    infos = [client.publish(topic, payload, qos=1) for topic, payload in items]
    for info in infos:
        info.wait_for_publish(10)


def test_positions_and_levels_are_stored_with_the_latest_state(ingest, prefix):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    truck = telemetry_topic(prefix, "kebersihan", "36.71.08", "dlh-truk-01")
    gauge = telemetry_topic(prefix, "banjir", "36.71.10", "pos-pa10")
    pub = publisher(*BROKER, f"pub-{prefix}")
    publish_all(
        pub,
        [(truck, position(-6.16, 106.59, start + timedelta(seconds=10 * i), vel=20 + i)) for i in range(5)]
        + [
            (
                gauge,
                json.dumps(
                    {
                        "_type": "waterLevel",
                        "waterLevel": 2.0 + i / 10,
                        "dateObserved": (start + timedelta(minutes=i)).isoformat(),
                    }
                ),
            )
            for i in range(3)
        ],
    )
    assert wait_for(lambda: Position.objects.count() == 5 and WaterLevelReading.objects.count() == 3)
    truck_asset = read(lambda: Asset.objects.get(source__slug="kebersihan", source_ref="dlh-truk-01"))
    assert truck_asset.kind == AssetKind.TRUCK  # registered on first sight, named by its id
    state = read(lambda: DeviceState.objects.get(asset=truck_asset))
    assert state.observed_at == start + timedelta(seconds=40) and state.speed_kmh == 24
    gauge_state = read(lambda: DeviceState.objects.get(asset__source_ref="pos-pa10"))
    assert gauge_state.level_m == pytest.approx(2.2)
    assert read(lambda: Asset.objects.get(source_ref="pos-pa10")).attributes["level_m"] == pytest.approx(2.2)
    status = read(lambda: IngestStatus.objects.get(client_id=f"komando-{prefix}"))
    assert status.connected and status.stored_total == 8 and status.rejected_total == 0
    pub.disconnect()


def test_a_duplicate_delivery_is_stored_once_and_a_late_message_does_not_rewind_the_state(ingest, prefix):
    now = datetime.now(UTC).replace(microsecond=0)
    topic = telemetry_topic(prefix, "ketertiban", "36.71.01", "satpol-ptg-01")
    pub = publisher(*BROKER, f"pub-{prefix}")
    newest = position(-6.18, 106.64, now - timedelta(seconds=30))
    publish_all(pub, [(topic, newest), (topic, newest)])
    assert wait_for(lambda: IngestStatus.objects.filter(client_id=f"komando-{prefix}", received_total=2).exists())
    publish_all(pub, [(topic, newest), (topic, position(-6.19, 106.65, now - timedelta(seconds=90)))])
    assert wait_for(lambda: Position.objects.count() == 2)
    time.sleep(0.5)
    assert read(Position.objects.count) == 2  # four deliveries, two observations
    state = read(lambda: DeviceState.objects.get(asset__source_ref="satpol-ptg-01"))
    assert (state.lat, state.lon) == (-6.18, 106.64)
    pub.disconnect()


def test_a_malformed_message_is_counted_with_its_reason_and_the_stream_goes_on(ingest, prefix):
    now = datetime.now(UTC).replace(microsecond=0)
    topic = telemetry_topic(prefix, "kebersihan", "36.71.02", "dlh-truk-02")
    pub = publisher(*BROKER, f"pub-{prefix}")
    publish_all(
        pub,
        [
            (topic, position(-6.19, 106.57, now - timedelta(seconds=20))),
            (topic, b'{"_type": "location", "lat": -6.19, "lon": 10'),  # truncated
            (topic, json.dumps({"_type": "location", "lat": "x", "lon": 106.5, "tst": int(now.timestamp())})),
            (f"{prefix}/kebersihan/36.71.02/dlh-truk-02/status", b"{}"),  # not subscribed: never arrives
            (topic, position(-6.19, 106.58, now - timedelta(seconds=10))),
        ],
    )
    assert wait_for(lambda: Position.objects.count() == 2 and RejectedMessage.objects.count() == 2)
    reasons = sorted(read(lambda: list(RejectedMessage.objects.values_list("reason", flat=True))))
    assert "not JSON" in reasons[1] or "not JSON" in reasons[0]
    assert any("must be a number" in reason for reason in reasons)
    status = read(lambda: IngestStatus.objects.get(client_id=f"komando-{prefix}"))
    assert (status.received_total, status.stored_total, status.rejected_total) == (4, 2, 2)
    pub.disconnect()


def test_nothing_is_acknowledged_while_the_database_refuses_and_all_is_stored_after(mosquitto, reference_data, prefix):
    from komando.devices.actions import directory
    from komando.devices.mqtt import default_store

    directory.clear()
    attempts = []

    def flaky_store(messages, rejections, *, client_id):
        attempts.append(len(messages))
        if len(attempts) <= 2:
            raise RuntimeError("database is down")
        return default_store(messages, rejections, client_id=client_id)

    running = MqttIngest("mqtt://127.0.0.1:1883", client_id=f"komando-{prefix}", prefix=prefix, store=flaky_store)
    running.start()
    assert running.wait_connected(10)
    time.sleep(0.3)
    now = datetime.now(UTC).replace(microsecond=0)
    topic = telemetry_topic(prefix, "kebersihan", "36.71.03", "dlh-truk-03")
    pub = publisher(*BROKER, f"pub-{prefix}")
    publish_all(pub, [(topic, position(-6.16, 106.67, now - timedelta(seconds=i))) for i in range(1, 6)])
    try:
        assert wait_for(lambda: Position.objects.count() == 5)
        assert len(attempts) >= 3
    finally:
        running.stop()
        forget_session(running.client_id)
        pub.disconnect()


def test_a_broker_without_mqtt_5_gets_a_persistent_3_1_1_session(mosquitto, reference_data, prefix):
    from komando.devices.actions import directory

    directory.clear()
    running = MqttIngest("mqtt://127.0.0.1:1883", client_id=f"komando-{prefix}", prefix=prefix, protocol="3.1.1")
    running.start()
    assert running.wait_connected(10)
    time.sleep(0.3)
    now = datetime.now(UTC).replace(microsecond=0)
    topic = telemetry_topic(prefix, "ketertiban", "36.71.04", "satpol-patroli-1")
    pub = publisher(*BROKER, f"pub-{prefix}")
    try:
        publish_all(pub, [(topic, position(-6.13, 106.66, now - timedelta(seconds=i))) for i in range(1, 4)])
        assert wait_for(lambda: Position.objects.count() == 3)
    finally:
        running.stop()
        forget_session(running.client_id)
        pub.disconnect()
    with pytest.raises(ValueError, match="use 5 or 3.1.1"):
        MqttIngest("mqtt://127.0.0.1:1883", protocol="4")


def test_the_broker_restarting_while_a_batch_is_stored_loses_and_doubles_nothing(reference_data, prefix):
    """The broker goes down while a batch is being stored and comes back (with its saved sessions).
    The stored batch must not be acknowledged on the new connection (its packet ids belong to the
    old one); the broker redelivers it, and everything ends up stored exactly once."""
    from komando.devices.actions import directory
    from komando.devices.mqtt import default_store
    from komando.devices.testing import PrivateMosquitto

    directory.clear()
    first_batch_started, release = threading.Event(), threading.Event()

    def slow_first_store(messages, rejections, *, client_id):
        if not first_batch_started.is_set():
            first_batch_started.set()
            assert release.wait(30)
        return default_store(messages, rejections, client_id=client_id)

    with PrivateMosquitto(persistence=True) as broker:
        running = MqttIngest(broker.url, client_id=f"komando-{prefix}", prefix=prefix, store=slow_first_store)
        running.start()
        try:
            assert running.wait_connected(10)
            time.sleep(0.3)
            now = datetime.now(UTC).replace(microsecond=0)
            topic = telemetry_topic(prefix, "kebersihan", "36.71.05", "dlh-truk-05")
            pub = publisher("127.0.0.1", broker.port, f"pub-{prefix}")
            publish_all(pub, [(topic, position(-6.15, 106.6, now - timedelta(seconds=i))) for i in range(1, 201)])
            pub.disconnect()
            assert first_batch_started.wait(10)
            broker.halt()
            assert wait_for(lambda: not running._connected.is_set(), 10)
            broker.start()
            release.set()
            assert wait_for(lambda: running.wait_connected(0) and Position.objects.count() == 200, 30)
            # The stalled batch, and any batch queued behind it before the broker went down, belong to
            # the old connection: none of them is acknowledged on the new one.
            assert running.unacknowledged_batches >= 1
            time.sleep(1.0)  # redelivered messages arrive and are stored once
            assert read(Position.objects.count) == 200
        finally:
            release.set()
            running.stop()
