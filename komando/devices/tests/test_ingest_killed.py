"""No loss and no duplicate when the ingest process is killed (SIGKILL) while devices publish.

Everything is real: a Mosquitto broker configured as deploy/mosquitto/komando.conf recommends
(the system broker keeps Mosquitto's default of 1000 queued messages per offline session), the
`komando ingest-mqtt` process, and a database of its own on the same engine as this test run
(a SQLite file copied from the live systems' migrated template, or a fresh PostgreSQL database)."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from komando.devices.protocol import telemetry_topic
from komando.devices.testing import PrivateMosquitto, publisher

DEVICES = 10
PER_DEVICE = 1000
TOTAL = DEVICES * PER_DEVICE
KOMANDO = [sys.executable, "-m", "komando.cli"]


class IsolatedDatabase:
    """The engine this test run uses, with a database that only this test's processes share."""

    def __init__(self, tmp_path, template):
        db = settings.DATABASES["default"]
        self.postgres = db["ENGINE"].endswith("postgresql")
        if self.postgres:
            self.name = f"komando_kill_{uuid.uuid4().hex[:8]}"
            self.server = dict(
                host=db.get("HOST") or "127.0.0.1",
                port=int(db.get("PORT") or 5432),
                user=db.get("USER") or "postgres",
                password=db.get("PASSWORD") or None,
            )
            self._admin(f'CREATE DATABASE "{self.name}"')
            credentials = self.server["user"] + (f":{self.server['password']}" if self.server["password"] else "")
            self.env = {"DATABASE_URL": f"postgres://{credentials}@{self.server['host']}:{self.server['port']}/{self.name}"}
        else:
            self.path = tmp_path / "kill.sqlite3"
            shutil.copyfile(template, self.path)  # migrated, with the city's reference data
            self.env = {"SQLITE_PATH": str(self.path), "DATABASE_URL": ""}

    def set_up(self, env):
        if self.postgres:
            run_komando(env, "migrate", "--no-input", "-v", "0")
            run_komando(env, "load-reference-data")

    def _admin(self, statement):
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.server) as connection:
            connection.execute(statement)

    def query(self, sql):
        if self.postgres:
            import psycopg

            with psycopg.connect(dbname=self.name, **self.server) as connection:
                return connection.execute(sql).fetchall()
        with sqlite3.connect(self.path, timeout=30) as connection:
            return connection.execute(sql).fetchall()

    def drop(self):
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def run_komando(env, *args):
    result = subprocess.run([*KOMANDO, *args], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"komando {' '.join(args)} failed:\n{result.stderr[-3000:]}"


def start_ingest(env, url, client_id, log):
    return subprocess.Popen(
        [*KOMANDO, "ingest-mqtt", "--url", url, "--client-id", client_id], env=env, stdout=log, stderr=subprocess.STDOUT
    )


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except Exception:  # the database may not be there yet, or be busy
            pass
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


def stored_count(database):
    return database.query("SELECT count(*) FROM devices_position")[0][0]


def test_sigkill_mid_stream_loses_nothing_and_stores_nothing_twice(tmp_path, live_template):
    with PrivateMosquitto() as broker:
        database = IsolatedDatabase(tmp_path, live_template)
        log = open(tmp_path / "ingest.log", "w")
        ingest = None
        try:
            env = {**os.environ, **database.env, "KOMANDO_VAR_DIR": str(tmp_path), "KOMANDO_MQTT_URL": ""}
            database.set_up(env)
            client_id = f"komando-kill-{uuid.uuid4().hex[:6]}"
            ingest = start_ingest(env, broker.url, client_id, log)
            wait_until(
                lambda: database.query(f"SELECT connected FROM devices_ingeststatus WHERE client_id = '{client_id}'")[0][0],
                60,
                "the ingest to connect",
            )

            start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
            messages = [
                (
                    telemetry_topic("tangerang", "kebersihan", "36.71.01", f"truk-{d:02d}"),
                    json.dumps(
                        {
                            "_type": "location",
                            "lat": -6.17 - d / 1000,
                            "lon": 106.63 + i / 100000,
                            "tst": int((start + timedelta(seconds=i)).timestamp()),
                            "vel": i % 60,
                        }
                    ),
                )
                for i in range(PER_DEVICE)
                for d in range(DEVICES)
            ]
            published = []
            pub = publisher("127.0.0.1", broker.port, f"fleet-{client_id}")

            def publish_stream():
                for number, (topic, payload) in enumerate(messages):
                    published.append(pub.publish(topic, payload, qos=1))
                    if number % 250 == 249:
                        time.sleep(0.1)  # ~2,500 messages/s, like a large fleet reporting at once

            stream = threading.Thread(target=publish_stream)
            stream.start()
            wait_until(lambda: stored_count(database) > 0 and len(published) >= 3000, 60, "the first stored batch")
            ingest.send_signal(signal.SIGKILL)
            ingest.wait(timeout=10)
            stored_at_kill, published_at_kill = stored_count(database), len(published)
            time.sleep(1.0)  # devices keep publishing while Komando is down
            ingest = start_ingest(env, broker.url, client_id, log)
            stream.join(timeout=120)
            for info in published:
                info.wait_for_publish(30)
            assert all(info.is_published() for info in published) and len(published) == TOTAL
            wait_until(lambda: stored_count(database) >= TOTAL, 120, f"{TOTAL} stored positions")
            time.sleep(1.0)  # anything redelivered late must still not be stored twice

            assert 0 < stored_at_kill < TOTAL and published_at_kill < TOTAL, "the kill was not mid-stream"
            assert stored_count(database) == TOTAL
            per_device = database.query(
                "SELECT a.source_ref, count(*), count(DISTINCT p.observed_at) FROM devices_position p "
                "JOIN assets_asset a ON a.id = p.asset_id GROUP BY a.source_ref ORDER BY a.source_ref"
            )
            assert per_device == [(f"truk-{d:02d}", PER_DEVICE, PER_DEVICE) for d in range(DEVICES)]
            pub.disconnect()
        finally:
            if ingest is not None and ingest.poll() is None:
                ingest.terminate()
                ingest.wait(timeout=20)
            log.close()
            database.drop()
