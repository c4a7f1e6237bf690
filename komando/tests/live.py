"""A real Komando system for browser and end-to-end tests: `komando serve` (ASGI, WebSocket) in a
process of its own on a free port, with its own SQLite database copied from a template that was
migrated and loaded with the city's reference data once per test run, seeded by one function.

pytest-django's live_server speaks WSGI only (no WebSocket), hence processes. Tests get systems from
the ``live_system`` fixture (``komando/conftest.py``)::

    @pytest.fixture(scope="module")
    def system(live_system):
        return live_system(seed=e2e_setup.set_up, env={"KOMANDO_OPEN311_API_KEYS": "..."})

    def test_it(system):
        system.seeded["operator"]                 # what the seed function returned (JSON)
        system.call(e2e_setup.set_level, "Pos 1", 2.8)  # any function, run in the system's database
        system.komando("ingest", "--once")      # any management command
        system.restart()                       # the server killed and started on the same port

Everything the system writes (database, var/, logs) is under its own temporary directory, every
port is free when taken, and MQTT topic prefixes and client ids are the system's own: systems of
parallel test workers (pytest-xdist) never meet.
"""

from __future__ import annotations

import fcntl
import functools
import importlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

READY_PATH = "/akun/masuk/"  # answers as soon as the server does (no data needed)
RESULT_MARK = "::komando-live-result::"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url}: process exited with {process.returncode}:\n{tail(log)}", pytrace=False)
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {timeout} s:\n{tail(log)}", pytrace=False)


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{what} did not start on port {port}", pytrace=False)
            time.sleep(0.1)


def system_env(directory: Path) -> dict[str, str]:
    """This process's environment without Komando's settings, pointed at ``directory``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KOMANDO_")}
    for name in ("DATABASE_URL", "REDIS_URL"):  # SQLite of its own; Redis only when asked for
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "komando.settings",
            "SQLITE_PATH": str(directory / "db.sqlite3"),
            "KOMANDO_VAR_DIR": str(directory / "var"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def run_komando(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "komando.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"komando {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def build_template(directory: Path, city_dir: Path | None = None) -> Path:
    """A migrated SQLite database holding the city's reference data, built once for every worker of
    the run (the first to come builds it under a lock; the others wait and reuse it). ``city_dir``:
    another city's data folder than the default (``KOMANDO_CITY_DIR``)."""
    directory.mkdir(parents=True, exist_ok=True)
    template = directory / "template" / "db.sqlite3"
    with open(directory / "template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            env = system_env(directory / "building") | ({"KOMANDO_CITY_DIR": str(city_dir)} if city_dir else {})
            run_komando(env, "migrate", "--noinput", "-v0")
            run_komando(env, "load-reference-data")
            built = Path(env["SQLITE_PATH"])
            with sqlite3.connect(built) as connection:  # everything in the main file, nothing in -wal
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            template.parent.mkdir(exist_ok=True)
            shutil.copyfile(built, template.with_suffix(".partial"))
            template.with_suffix(".partial").rename(template)
    return template


def simulator_slugs() -> list[str]:
    """Every connector that ships a simulator (a connector still being written may not have one yet)."""
    from komando.sources import registry

    return sorted(
        slug for slug in registry.manifests() if importlib.util.find_spec(registry.package_name(slug) + ".simulator") is not None
    )


def connector_variable(slug: str, name: str) -> str:
    return f"KOMANDO_{slug.upper().replace('-', '_')}_{name.upper()}"


def connector_credentials(slugs: Iterable[str], env: dict[str, str]) -> dict[str, str]:
    """A fresh value for every credential a connector (and its simulator) reads from the environment,
    unless already set: the simulator and the connector read the same variable, so they agree."""
    from komando.sources import registry

    credentials = {}
    for slug in slugs:
        config_class = importlib.import_module(registry.package_name(slug) + ".coordinator").Coordinator.config_class
        for name in config_class.credential_fields():
            variable = connector_variable(slug, name)
            if variable not in env:
                credentials[variable] = "komando-browser" if name in ("username", "client_id") else secrets.token_urlsafe(16)
    return credentials


class PrivateRedis:
    """A redis-server of one system on a free port (nothing shared with other tests' groups)."""

    def __init__(self, directory: Path):
        if not os.path.exists(REDIS_SERVER):
            pytest.fail("redis-server is not installed (apt install redis-server)", pytrace=False)
        self.port = free_port()
        directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port, self.process, "the private redis-server")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)


def _function_reference(function: Callable, args: tuple, kwargs: dict) -> tuple[str, str, tuple, dict]:
    if isinstance(function, functools.partial):
        args, kwargs = function.args + tuple(args), {**function.keywords, **kwargs}
        function = function.func
    if "<" in function.__qualname__:
        raise TypeError(f"{function.__qualname__}: a function run in a live system must be importable by name")
    return function.__module__, function.__qualname__, tuple(args), kwargs


@dataclass
class LiveSystem:
    """One running Komando: its directory, environment, server port and processes."""

    directory: Path
    env: dict[str, str]
    port: int
    workers: bool = False
    simulator_ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    seeded: Any = None  # what the seed function returned
    mqtt_prefix: str | None = None
    broker: Any = None  # the private Mosquitto (komando.devices.testing.PrivateMosquitto), if any
    redis: PrivateRedis | None = None
    _cleanups: list[Callable[[], None]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sqlite_path(self) -> Path:
        return Path(self.env["SQLITE_PATH"])

    def log(self, name: str) -> Path:
        return self.directory / f"{name}.log"

    # --- in the system's environment
    def komando(self, *args: str, timeout: float = 120) -> str:
        """A management command against this system's database; returns what it printed."""
        return run_komando(self.env, *args, timeout=timeout)

    def call(self, function: Callable, *args, timeout: float = 300, **kwargs) -> Any:
        """``function(*args, **kwargs)`` run in another process in this system's environment (its
        database, its bus); arguments and the return value go through JSON."""
        module, name, args, kwargs = _function_reference(function, args, kwargs)
        code = (
            "import json, sys\nimport django\ndjango.setup()\n"
            f"from {module} import {name.split('.')[0]} as target\n"
            + "".join(f"target = target.{part}\n" for part in name.split(".")[1:])
            + "result = target(*json.loads(sys.argv[1]), **json.loads(sys.argv[2]))\n"
            f"print({RESULT_MARK!r} + json.dumps(result, default=str))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code, json.dumps(args), json.dumps(kwargs)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, f"{module}.{name} failed:\n{result.stdout}\n{result.stderr}"
        line = next(line for line in reversed(result.stdout.splitlines()) if line.startswith(RESULT_MARK))
        return json.loads(line.removeprefix(RESULT_MARK))

    def query(self, sql: str, *params) -> list[tuple]:
        """Rows read straight from the system's SQLite database (no Django in between)."""
        with sqlite3.connect(self.sqlite_path, timeout=30) as connection:
            return connection.execute(sql, params).fetchall()

    # --- processes
    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        handle = open(self.log(name), "ab")  # noqa: SIM115  (the child keeps it; closed with this process)
        process = subprocess.Popen(
            [sys.executable, "-m", "komando.cli", *args],
            env=env or self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        self.processes[name] = process
        return process

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def start_server(self, **extra_env: str) -> None:
        """`komando serve` on this system's port; ``extra_env`` for this start only (e.g. a new build id)."""
        args = ["serve", "--port", str(self.port)] + ([] if self.workers else ["--no-ingest"])
        server = self.start("server", *args, env={**self.env, **extra_env})
        wait_for_http(self.base_url + READY_PATH, server, self.log("server"), timeout=90)

    def stop_server(self) -> None:
        self.stop("server")

    def restart(self, **extra_env: str) -> None:
        """The server stopped and started again on the same port and database."""
        self.stop_server()
        self.start_server(**extra_env)

    def start_simulator(self, slug: str) -> None:
        if slug not in self.simulator_ports:
            self.simulator_ports[slug] = free_port()
            self.env[connector_variable(slug, "base_url")] = self.simulator_url(slug)
        process = self.start(f"simulator-{slug}", "simulate", slug, "--port", str(self.simulator_ports[slug]))
        wait_for_http(self.simulator_url(slug) + "/", process, self.log(f"simulator-{slug}"))

    def simulator_url(self, slug: str) -> str:
        return f"http://127.0.0.1:{self.simulator_ports[slug]}"

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        for cleanup in reversed(self._cleanups):
            cleanup()
        self._cleanups.clear()

    # --- what a failing test reports
    def source_health(self) -> dict[str, dict]:
        return {s["slug"]: s for s in httpx.get(f"{self.base_url}/api/sources/", timeout=10).json()}

    def diagnostics(self) -> str:
        try:
            health = self.source_health()
            lines = [
                f"  {slug}: {h['status']} {h['last_error_kind']} {h['last_error'][:200]}"
                for slug, h in health.items()
                if h["connected"]
            ]
        except Exception as error:  # the report must not hide the original failure
            lines = [f"  (source health unavailable: {error})"]
        return "sources:\n" + "\n".join(lines) + "\nserver log:\n" + tail(self.log("server"))


def start_live_system(
    directory: Path,
    template: Path,
    *,
    seed: Callable | None = None,
    env: dict[str, str] | None = None,
    workers: bool = False,
    simulators: Iterable[str] | str = (),
    tolerate_broken_simulators: bool = False,
    redis: bool = False,
    mqtt: str | None = None,
    server: bool = True,
) -> LiveSystem:
    """Start a system in ``directory`` (see ``LiveSystem``). ``workers``: the in-process ingest and
    workers of `serve` (each still switched by its KOMANDO_*_IN_PROCESS variable); otherwise
    `serve --no-ingest`. ``simulators``: slugs, or "all", started first with the connectors pointed
    at them and fresh credentials; a broken one (a connector still being written) may be tolerated,
    its source paused. ``redis``: a private Redis as the live bus (events from other processes reach
    the pages). In ``env`` values, ``{base_url}`` is the server's own address. ``mqtt``: "private"
    (a Mosquitto of its own) or "system" (127.0.0.1:1883), with a topic prefix and client id of this
    system alone. ``seed`` runs after the simulators, before the
    server; ``server=False`` leaves starting it to the test (``start_server``)."""
    directory.mkdir(parents=True, exist_ok=True)
    system = LiveSystem(directory=directory, env=system_env(directory), port=free_port(), workers=workers)
    shutil.copyfile(template, system.sqlite_path)
    try:
        slugs = simulator_slugs() if simulators == "all" else list(simulators)
        for slug in slugs:
            system.simulator_ports[slug] = free_port()
            system.env[connector_variable(slug, "base_url")] = system.simulator_url(slug)
        system.env.update({name: value.replace("{base_url}", system.base_url) for name, value in (env or {}).items()})
        system.env.update(connector_credentials(slugs, system.env))
        if redis:
            system.redis = PrivateRedis(directory / "redis")
            system._cleanups.append(system.redis.stop)
            system.env["REDIS_URL"] = system.redis.url
        if mqtt:
            system.mqtt_prefix = f"live{uuid.uuid4().hex[:10]}"
            if mqtt == "private":
                from komando.devices.testing import PrivateMosquitto

                system.broker = PrivateMosquitto().start()
                system._cleanups.append(system.broker.stop)
                url = system.broker.url
            else:
                from komando.conftest import require_service

                require_service("Mosquitto", "127.0.0.1", 1883)
                url = "mqtt://127.0.0.1:1883"
            system.env.update(
                {
                    "KOMANDO_MQTT_URL": url,
                    "KOMANDO_MQTT_TOPIC_PREFIX": system.mqtt_prefix,
                    "KOMANDO_MQTT_CLIENT_ID": f"komando-{system.mqtt_prefix}",
                }
            )
        broken = []
        for slug in slugs:
            try:
                system.start_simulator(slug)
            except pytest.fail.Exception:
                if not tolerate_broken_simulators:
                    raise
                system.stop(f"simulator-{slug}")
                broken.append(slug)
        if broken:
            system.call(pause_sources, broken)
        if seed is not None:
            system.seeded = system.call(seed, timeout=600)
        if server:
            system.start_server()
    except BaseException:
        system.stop_all()
        raise
    return system


def pause_sources(connectors: list[str]) -> int:
    """Run in a live system: pause the sources of ``connectors``."""
    from komando.sources.models import Source

    return Source.objects.filter(connector__in=connectors).update(enabled=False)
