"""Sustained MQTT ingest throughput: Komando's MQTT → validate → store → live-event path beside a
bare paho-mqtt subscriber that only counts, same run, same broker, same messages.

Each round fills a fresh persistent session with N QoS-1 position messages while its subscriber
is away, then lets the subscriber drain it: the bare subscriber counts (auto-acknowledged); Komando
validates, stores in batches (SQLite file by default, PostgreSQL with --database-url) and
acknowledges after commit. Rate = N / (time of the last message handled − time of the first
received). Rounds alternate bare/Komando so that a noisy neighbour hurts both alike; the median of
each is reported, with their ratio.

    .venv/bin/python bench/ingest_mqtt.py [--messages 50000] [--rounds 3] [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database_url: str) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="komando-bench-"))
    os.environ["KOMANDO_VAR_DIR"] = str(workdir)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "komando.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", verbosity=0)


def messages(count: int, prefix: str) -> list[tuple[str, bytes]]:
    """``count`` positions of 100 trucks; device ids carry the prefix, so that every round stores
    new observations (the same device and second twice would rightly be stored once)."""
    from komando.devices.protocol import telemetry_topic

    devices = 100
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=20)
    return [
        (
            telemetry_topic(prefix, "kebersihan", "36.71.01", f"{prefix}-{n % devices:03d}"),
            json.dumps(
                {
                    "_type": "location",
                    "lat": -6.17 - (n % devices) / 10000,
                    "lon": 106.63 + n / 10_000_000,
                    "tst": int((start + timedelta(seconds=n // devices)).timestamp()),
                    "vel": n % 60,
                    "cog": n % 360,
                    "batt": 80,
                }
            ).encode(),
        )
        for n in range(count)
    ]


def create_session(port: int, client_id: str, topic_filter: str) -> None:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 3600
    client.connect("127.0.0.1", port, clean_start=True, properties=properties)
    client.loop_start()
    client.subscribe(topic_filter, qos=1)[1]
    time.sleep(0.3)
    client.disconnect()
    client.loop_stop()


def fill(port: int, batch: list[tuple[str, bytes]]) -> None:
    from komando.devices.testing import publisher

    client = publisher("127.0.0.1", port, f"bench-pub-{uuid.uuid4().hex[:6]}")
    infos = [client.publish(topic, payload, qos=1) for topic, payload in batch]
    for info in infos:
        info.wait_for_publish(60)
    client.disconnect()
    client.loop_stop()


def bare_round(port: int, batch) -> float:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    prefix = batch[0][0].split("/")[0]
    client_id = f"bench-bare-{uuid.uuid4().hex[:6]}"
    create_session(port, client_id, f"{prefix}/+/+/+/telemetry")
    fill(port, batch)
    seen = {"count": 0, "first": None, "last": None}
    done = threading.Event()

    def on_message(client, userdata, message):
        now = time.perf_counter()
        if seen["first"] is None:
            seen["first"] = now
        seen["count"] += 1
        if seen["count"] == len(batch):
            seen["last"] = now
            done.set()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.on_message = on_message
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 3600
    properties.ReceiveMaximum = 65535
    client.connect("127.0.0.1", port, clean_start=False, properties=properties)
    client.loop_start()
    if not done.wait(300):
        raise SystemExit(f"bare subscriber received {seen['count']} of {len(batch)}")
    client.disconnect()
    client.loop_stop()
    return len(batch) / (seen["last"] - seen["first"])


def komando_round(port: int, batch) -> float:
    from komando.devices.models import Position
    from komando.devices.mqtt import MqttIngest

    prefix = batch[0][0].split("/")[0]
    client_id = f"bench-komando-{uuid.uuid4().hex[:6]}"
    create_session(port, client_id, f"{prefix}/+/+/+/telemetry")
    fill(port, batch)
    before = Position.objects.count()
    ingest = MqttIngest(f"mqtt://127.0.0.1:{port}", client_id=client_id, prefix=prefix)
    ingest.start()
    deadline = time.monotonic() + 300
    while ingest.stored < len(batch) and time.monotonic() < deadline:
        time.sleep(0.005)
    finished = time.perf_counter()
    ingest.stop()
    stored = Position.objects.count() - before
    if stored != len(batch):
        raise SystemExit(f"Komando stored {stored} of {len(batch)} positions")
    return len(batch) / (finished - ingest.first_received_at)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    setup_django(args.database_url)
    import logging

    logging.getLogger("komando.devices").setLevel(logging.WARNING)
    from django.db import connection

    from komando.devices.testing import PrivateMosquitto

    print(f"database: {connection.vendor}; {args.messages} QoS-1 messages per round, {args.rounds} rounds each")
    bare, komando = [], []
    with PrivateMosquitto(max_queued_messages=args.messages * 2) as broker:
        for number in range(args.rounds):
            batch = messages(args.messages, f"bench{uuid.uuid4().hex[:6]}{number}")  # new devices every round and run
            bare.append(bare_round(broker.port, batch))
            komando.append(komando_round(broker.port, batch))
            print(
                f"round {number + 1}: bare subscriber {bare[-1]:>9,.0f} msg/s   "
                f"komando ingest {komando[-1]:>9,.0f} msg/s   ratio {komando[-1] / bare[-1]:.2f}"
            )
    bare_median, komando_median = statistics.median(bare), statistics.median(komando)
    print(
        f"median: bare subscriber {bare_median:,.0f} msg/s; komando ingest (validate + store + live event) "
        f"{komando_median:,.0f} msg/s; ratio {komando_median / bare_median:.2f}"
    )


if __name__ == "__main__":
    main()
