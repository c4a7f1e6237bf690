"""Open311 intake end to end: POST → stored → ``incidents.changed`` on a staff WebSocket, beside a bare
Django view doing one INSERT, same server, same run, same concurrency.

The script starts one ``komando serve --no-ingest`` (daphne, ASGI, in-memory channel layer) on a fresh
SQLite database in a temporary directory (migrate + load-reference-data first), with the bench's
settings (``bench.intake_settings``: Komando's own, plus ``POST /bench/bare-insert/``, one INSERT of a
small row answered 201) and an Open311 API key. A staff user logs in through ``/akun/masuk/`` and holds
a WebSocket on ``/ws/live/``.

Two workloads, ``--clients`` concurrent clients each (one httpx AsyncClient, keep-alive):

* **open311**: ``POST /open311/v2/requests.json``, form-encoded as FixMyStreet sends it (api_key,
  service_code, lat, long, address_string, description, email, first_name, last_name, phone, required
  attributes), a valid service code and a point inside the city (a kelurahan centre, jittered) each
  time. Latency = from sending until the ``incidents.changed`` event carrying that ticket arrives on
  the staff WebSocket (the event may beat the HTTP answer; the later of the two is not awaited).
* **bare**: ``POST /bench/bare-insert/``; latency = send → response.

A client sends its next request when the previous one is done (closed loop). Rounds alternate
(open311, bare, open311, bare, …) so that a noisy neighbour hurts both alike; each round's throughput
is requests / wall time of the round; p50 and p95 over every request of all rounds of a workload.
Targets: open311 throughput ≥ 40 % of bare, open311 p95 ≤ 2 × bare p95.

    .venv/bin/python bench/incident_intake.py [--clients 8] [--requests 400] [--rounds 3] [--warmup 40]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--keep]

With ``--database-url`` the run uses a fresh database created on that PostgreSQL server (dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
TARGET_THROUGHPUT_SHARE = 0.40
TARGET_P95_FACTOR = 2.0
EVENT_TIMEOUT_SECONDS = 30
USERNAME = "bench.operator"
DESCRIPTIONS = (
    "Jalan berlubang cukup dalam di lajur kiri, berbahaya untuk pengendara motor malam hari.",
    "Sampah menumpuk di pinggir jalan dekat pasar, sudah tiga hari tidak diangkut.",
    "Lampu penerangan jalan mati sepanjang kurang lebih seratus meter.",
    "Saluran air tersumbat, air menggenang setelah hujan sore tadi.",
    "Pohon tumbang menutup sebagian badan jalan.",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


# --- The server --------------------------------------------------------------------------------------


@dataclass
class Server:
    directory: Path
    env: dict[str, str]
    port: int
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.directory / "server.log"

    def komando(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "komando.cli", *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            sys.exit(f"komando {' '.join(args[:2])} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> None:
        handle = open(self.log, "ab")  # noqa: SIM115  (closed with the process)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "komando.cli", "serve", "--port", str(self.port), "--no-ingest"],
            env=self.env,
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"the server exited with {self.process.returncode}:\n{self.tail()}")
            try:
                httpx.get(self.base_url + "/open311/v2/discovery.json", timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        sys.exit(f"the server did not answer within 60 s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


SETUP_SCRIPT = """
import json
from django.contrib.auth.models import Group, User
from komando.accounts.actions import do_ensure_role_groups
from komando.accounts.models import Profile, Role
from komando.regions.models import Region, RegionLevel
from bench.intake_urls import create_bare_table

do_ensure_role_groups()
user = User.objects.create_user({username!r}, password={password!r}, first_name="Operator Bench")
user.groups.add(Group.objects.get(name=Role.OPERATOR))
Profile.objects.create(user=user)
create_bare_table()
points = list(Region.objects.filter(level=RegionLevel.KELURAHAN).exclude(geometry=None)
              .values_list("centroid_lat", "centroid_lon"))
print("POINTS=" + json.dumps(points))
"""


def fresh_postgres_database(server_url: str) -> str:
    """A new, empty database on the PostgreSQL server of ``server_url`` (any database of it), so that
    every run starts from the same state; its URL. Dropped again by ``drop_postgres_database``."""
    import psycopg

    name = f"komando_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(server_url)._replace(path="/" + name))


def drop_postgres_database(database_url: str) -> None:
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    server_url = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare_server(database_url: str, password: str, api_key: str) -> tuple[Server, list[tuple[float, float]]]:
    directory = Path(tempfile.mkdtemp(prefix="komando-bench-intake-"))
    env = {key: value for key, value in os.environ.items() if not key.startswith("KOMANDO_")}
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.intake_settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
            "KOMANDO_VAR_DIR": str(directory / "var"),
            "KOMANDO_OPEN311_API_KEYS": f"bench={api_key}",
            "PYTHONUNBUFFERED": "1",
            "DEBUG": "0",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["SQLITE_PATH"] = str(directory / "bench.sqlite3")
    server = Server(directory=directory, env=env, port=free_port())
    server.komando("migrate", "--noinput", "-v0")
    server.komando("load-reference-data")
    output = server.komando("shell", "-c", SETUP_SCRIPT.format(username=USERNAME, password=password))
    points = json.loads(re.search(r"^POINTS=(.*)$", output, re.MULTILINE).group(1))
    if not points:
        sys.exit("no kelurahan with a shape: the reference data did not load")
    return server, [tuple(point) for point in points]


# --- The clients -------------------------------------------------------------------------------------


async def log_in(base_url: str, password: str) -> str:
    """The session cookie of the staff user, logged in through the login form."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        page = await client.get("/akun/masuk/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = await client.post(
            "/akun/masuk/",
            data={"username": USERNAME, "password": password, "csrfmiddlewaretoken": token, "next": "/"},
            headers={"Referer": base_url + "/akun/masuk/"},
        )
        session = client.cookies.get("sessionid")
        if answer.status_code != 302 or not session:
            sys.exit(f"logging in failed: {answer.status_code}")
        return session


async def open311_services(client: httpx.AsyncClient) -> list[tuple[str, dict[str, str]]]:
    """``(service_code, {attribute[CODE]: value})`` for every service, required attributes answered."""
    services = (await client.get("/open311/v2/services.json")).json()
    found = []
    for service in services:
        answers = {}
        if service.get("metadata"):
            definition = (await client.get(f"/open311/v2/services/{service['service_code']}.json")).json()
            for attribute in definition.get("attributes", []):
                if not attribute.get("required"):
                    continue
                if attribute.get("values"):
                    value = str(attribute["values"][0]["key"])
                elif attribute["datatype"] == "number":
                    value = "1"
                elif attribute["datatype"] == "datetime":
                    value = "2026-01-01T08:00:00+07:00"
                else:
                    value = "bench"
                answers[f"attribute[{attribute['code']}]"] = value
        found.append((service["service_code"], answers))
    if not found:
        sys.exit("the Open311 service list is empty")
    return found


@dataclass
class EventWatch:
    """Arrival times of ``incidents.changed`` (reported) events on the staff WebSocket, by ticket."""

    arrivals: dict[str, float] = field(default_factory=dict)
    waiters: dict[str, asyncio.Future] = field(default_factory=dict)
    events: int = 0

    def arrived(self, ticket: str, at: float) -> None:
        self.arrivals[ticket] = at
        waiter = self.waiters.pop(ticket, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(at)

    async def arrival(self, ticket: str) -> float:
        if ticket in self.arrivals:
            return self.arrivals[ticket]
        waiter = asyncio.get_running_loop().create_future()
        self.waiters[ticket] = waiter
        return await asyncio.wait_for(waiter, EVENT_TIMEOUT_SECONDS)


async def watch_events(websocket, watch: EventWatch) -> None:
    async for raw in websocket:
        at = time.perf_counter()
        message = json.loads(raw)
        if message.get("type") == "incidents.changed" and message["data"].get("change") == "reported":
            watch.events += 1
            watch.arrived(message["data"]["incident"]["ticket"], at)


@dataclass
class Workload:
    name: str
    latencies: list[float] = field(default_factory=list)
    rates: list[float] = field(default_factory=list)
    errors: int = 0

    def summary(self) -> dict:
        return {
            "requests": len(self.latencies),
            "errors": self.errors,
            "throughput": statistics.median(self.rates) if self.rates else 0.0,
            "p50_ms": 1000 * percentile(self.latencies, 0.50) if self.latencies else float("nan"),
            "p95_ms": 1000 * percentile(self.latencies, 0.95) if self.latencies else float("nan"),
        }


class Bench:
    def __init__(
        self,
        client: httpx.AsyncClient,
        watch: EventWatch,
        api_key: str,
        services: list[tuple[str, dict[str, str]]],
        points: list[tuple[float, float]],
        seed: int,
    ):
        self.client, self.watch, self.api_key = client, watch, api_key
        self.services, self.points = services, points
        self.random = random.Random(seed)
        self.sent = 0

    def open311_form(self) -> dict[str, str]:
        self.sent += 1
        code, answers = self.random.choice(self.services)
        lat, lon = self.random.choice(self.points)
        return {
            "api_key": self.api_key,
            "service_code": code,
            "lat": f"{lat + self.random.uniform(-0.0008, 0.0008):.6f}",
            "long": f"{lon + self.random.uniform(-0.0008, 0.0008):.6f}",
            "address_string": f"Jl. Bench No. {self.sent}",
            "description": self.random.choice(DESCRIPTIONS),
            "email": f"warga{self.sent}@example.org",
            "first_name": "Warga",
            "last_name": f"Bench {self.sent}",
            "phone": f"0812{self.sent:08d}",
            **answers,
        }

    async def open311_once(self) -> float:
        form = self.open311_form()
        started = time.perf_counter()
        answer = await self.client.post("/open311/v2/requests.json", data=form)
        if answer.status_code != 201:
            raise RuntimeError(f"open311 {answer.status_code}: {answer.text[:300]}")
        ticket = answer.json()[0]["service_request_id"]
        return await self.watch.arrival(ticket) - started

    async def bare_once(self) -> float:
        started = time.perf_counter()
        answer = await self.client.post("/bench/bare-insert/", data={"label": f"bare {self.sent}"})
        self.sent += 1
        if answer.status_code != 201:
            raise RuntimeError(f"bare {answer.status_code}: {answer.text[:300]}")
        return time.perf_counter() - started

    async def round(self, workload: Workload | None, once, requests: int, clients: int) -> None:
        """``requests`` requests by ``clients`` closed-loop clients; recorded in ``workload`` (None: warm-up)."""
        remaining = requests
        latencies: list[float] = []
        errors: list[str] = []

        async def client_loop():
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                try:
                    latencies.append(await once())
                except (RuntimeError, httpx.HTTPError, TimeoutError) as error:
                    errors.append(str(error) or type(error).__name__)

        started = time.perf_counter()
        await asyncio.gather(*(client_loop() for _ in range(clients)))
        elapsed = time.perf_counter() - started
        if workload is None:
            if errors:
                sys.exit(f"warm-up failed: {errors[0]}")
            return
        workload.latencies.extend(latencies)
        workload.errors += len(errors)
        workload.rates.append(len(latencies) / elapsed)
        print(
            f"  {workload.name:<8} {len(latencies) / elapsed:8.1f} req/s  p50 {1000 * percentile(latencies, 0.5):7.1f} ms"
            f"  p95 {1000 * percentile(latencies, 0.95):7.1f} ms  errors {len(errors)}"
            + (f" (first: {errors[0]})" if errors else ""),
            flush=True,
        )


async def run(server: Server, password: str, api_key: str, points, args) -> dict[str, dict]:
    import websockets

    session = await log_in(server.base_url, password)
    ws_url = server.base_url.replace("http://", "ws://") + "/ws/live/"
    async with websockets.connect(
        ws_url, additional_headers={"Cookie": f"sessionid={session}"}, origin=server.base_url, max_size=None
    ) as websocket:
        hello = json.loads(await websocket.recv())
        if "live.staff" not in hello.get("data", {}).get("groups", []):
            sys.exit(f"the WebSocket did not join the staff group: {hello}")
        watch = EventWatch()
        listener = asyncio.create_task(watch_events(websocket, watch))
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=60) as client:
            services = await open311_services(client)
            bench = Bench(client, watch, api_key, services, points, seed=args.seed)
            print(
                f"{len(services)} services, {len(points)} kelurahan, {args.clients} clients, "
                f"{args.requests} requests a round, {args.rounds} rounds each",
                flush=True,
            )
            await bench.round(None, bench.open311_once, args.warmup, args.clients)
            await bench.round(None, bench.bare_once, args.warmup, args.clients)
            open311, bare = Workload("open311"), Workload("bare")
            for _ in range(args.rounds):
                await bench.round(open311, bench.open311_once, args.requests, args.clients)
                await bench.round(bare, bench.bare_once, args.requests, args.clients)
        listener.cancel()
    return {"open311": open311.summary(), "bare": bare.summary(), "events": watch.events}


def report(results: dict, args) -> bool:
    open311, bare = results["open311"], results["bare"]
    share = open311["throughput"] / bare["throughput"] if bare["throughput"] else 0.0
    factor = open311["p95_ms"] / bare["p95_ms"] if bare["p95_ms"] else float("inf")
    database = "PostgreSQL" if args.database_url else "SQLite (WAL)"
    print(
        f"\nOpen311 POST → stored → incidents.changed on the staff WebSocket, beside a bare one-INSERT view; "
        f"{args.clients} concurrent clients, {database}, daphne, one process"
    )
    print(f"{'':<10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'requests':>10}{'errors':>8}")
    for name, row in (("open311", open311), ("bare", bare)):
        print(
            f"{name:<10}{row['throughput']:>10.1f}{row['p50_ms']:>10.1f}{row['p95_ms']:>10.1f}"
            f"{row['requests']:>10}{row['errors']:>8}"
        )
    throughput_ok = share >= TARGET_THROUGHPUT_SHARE
    p95_ok = factor <= TARGET_P95_FACTOR
    errors_ok = open311["errors"] == 0 and bare["errors"] == 0
    print(
        f"throughput open311/bare = {share:.0%} (target ≥ {TARGET_THROUGHPUT_SHARE:.0%}): {'met' if throughput_ok else 'NOT met'}"
    )
    print(f"p95 open311/bare = {factor:.2f}× (target ≤ {TARGET_P95_FACTOR:.0f}×): {'met' if p95_ok else 'NOT met'}")
    if not errors_ok:
        print("errors: some requests failed (see the rounds above)")
    return throughput_ok and p95_ok and errors_ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (both workloads)")
    parser.add_argument("--requests", type=int, default=400, help="requests a round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each workload, interleaved")
    parser.add_argument("--warmup", type=int, default=40, help="requests of each workload before measuring")
    parser.add_argument("--seed", type=int, default=311)
    parser.add_argument(
        "--database-url",
        default="",
        help="a PostgreSQL server (the URL of any database on it) instead of a fresh SQLite file: "
        "the bench creates a fresh database there and drops it afterwards",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, server log)")
    args = parser.parse_args()

    password, api_key = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
    database_url = fresh_postgres_database(args.database_url) if args.database_url else ""
    try:
        server, points = prepare_server(database_url, password, api_key)
        try:
            server.start()
            results = asyncio.run(run(server, password, api_key, points, args))
        finally:
            server.stop()
            if args.keep:
                print(f"kept {server.directory}" + (f" and the database {database_url}" if database_url else ""))
            else:
                shutil.rmtree(server.directory, ignore_errors=True)
    finally:
        if database_url and not args.keep:
            drop_postgres_database(database_url)
    sys.exit(0 if report(results, args) else 1)


if __name__ == "__main__":
    main()
