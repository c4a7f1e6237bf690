"""The Call Center 112 system of Kota Tangerang, as far as Komando sees it: it pushes each call.

``komando simulate call-112`` serves a small status page (``/`` and ``/status.json``) and pushes a
new call every 20–60 s to ``KOMANDO_CALL_112_TARGET_URL`` (default
``http://127.0.0.1:8000/api/webhooks/call-112/``), signed with ``KOMANDO_CALL_112_WEBHOOK_SECRET``
(the same variable Komando's webhook reads). When Komando is down or answers 5xx, the same call is
retried with exponential backoff (1 s … 60 s), so no call is lost; a call Komando refuses (4xx) is
logged and skipped. ``KOMANDO_CALL_112_PUSH=0`` serves the page without pushing.

Calls are deterministic for a seed (the n-th call is always the same) with a realistic mix: many
pranks, medical emergencies, accidents, fires, crime and disasters, placed in the city's kelurahan,
with the caller's number (which Komando must drop) and a short note by the call taker.
"""

from __future__ import annotations

import html
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from komando.connectors.call_112.client import SECRET_VARIABLE, SIGNATURE_HEADER, sign
from komando.core.city import read_city
from komando.sources.simulation import Response, SimulatorApp

logger = logging.getLogger("komando.simulators.call_112")

TARGET_VARIABLE = "KOMANDO_CALL_112_TARGET_URL"
PUSH_VARIABLE = "KOMANDO_CALL_112_PUSH"
DEFAULT_TARGET = "http://127.0.0.1:8000/api/webhooks/call-112/"
DEFAULT_INTERVAL = (20.0, 60.0)
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0

# kind: (weight, notes)
CALL_KINDS = {
    "iseng": (30, ["Penelepon diam lalu menutup telepon", "Anak-anak bermain telepon", "Panggilan salah sambung"]),
    "medis": (
        22,
        [
            "Warga pingsan di rumah, butuh ambulans",
            "Ibu hamil akan melahirkan, minta ambulans",
            "Lansia jatuh di kamar mandi, tidak sadar",
            "Sesak napas berat, minta bantuan medis",
        ],
    ),
    "kecelakaan": (
        16,
        [
            "Tabrakan motor dan mobil, satu korban luka",
            "Motor terjatuh di jalan berlubang",
            "Kecelakaan beruntun tiga kendaraan",
            "Pejalan kaki tertabrak motor",
        ],
    ),
    "kebakaran": (
        8,
        [
            "Asap tebal dari ruko",
            "Kebakaran rumah semi permanen",
            "Korsleting listrik, api di tiang listrik",
            "Lahan kosong terbakar dekat permukiman",
        ],
    ),
    "kriminalitas": (
        9,
        ["Dugaan pencurian motor", "Keributan antarwarga", "Penjambretan di halte", "Tawuran pelajar dilaporkan warga"],
    ),
    "bencana": (
        6,
        [
            "Pohon tumbang menimpa rumah",
            "Banjir setinggi lutut masuk rumah",
            "Tanggul kali rembes",
            "Angin kencang merobohkan baliho",
        ],
    ),
    "lainnya": (9, ["Ular masuk rumah", "Kucing terjebak di atap", "Informasi nomor layanan", "Lampu lalu lintas mati"]),
}


def _read_csv(path: Path) -> list[dict]:
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class CallModel:
    def __init__(self, city_dir: Path, clock: Callable[[], float] = time.time, seed: str = "call-112-36.71"):
        city = read_city(city_dir)
        self.timezone = ZoneInfo(city.timezone)
        self.kelurahan = [row for row in _read_csv(city_dir / "regions.csv") if row["level"] == "kelurahan"]
        self.seed = seed
        self.clock = clock
        self.lock = threading.Lock()
        # Numbered from the start time (one number per 10 s): a restarted simulator never reuses a call id,
        # which Komando would take for a repeated delivery.
        self.next_number = int(clock()) // 10
        self.status = {
            "pushed": 0,
            "refused": 0,
            "retries": 0,
            "last_pushed_at": None,
            "last_call_id": None,
            "last_result": "",
            "pending": None,
            "target": None,
            "pushing": False,
        }

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def call(self, number: int, received_at: datetime | None = None) -> dict:
        """The ``number``-th call, received at ``received_at`` (default now)."""
        rng = random.Random(f"{self.seed}:{number}")
        kinds = list(CALL_KINDS)
        kind = rng.choices(kinds, weights=[CALL_KINDS[k][0] for k in kinds])[0]
        received = (received_at or self.now()).astimezone(self.timezone)
        place = rng.choice(self.kelurahan)
        body = {
            "call_id": f"112-TNG-{received:%Y%m%d}-{number:09d}",
            "received_at": received.isoformat(timespec="seconds"),
            "kind": kind,
            "caller_number": f"08{rng.choice(['12', '13', '21', '52', '57', '77', '81', '95'])}{rng.randint(10**7, 10**8 - 1)}",
            "note": rng.choice(CALL_KINDS[kind][1]),
        }
        where = rng.random()
        if where < 0.75:  # the handset's location
            body["lat"] = round(float(place["centroid_lat"]) + rng.uniform(-0.005, 0.005), 6)
            body["lon"] = round(float(place["centroid_lon"]) + rng.uniform(-0.005, 0.005), 6)
        if where > 0.5:  # the call taker asked for the kelurahan
            body["kelurahan_code"] = place["code"]
        return body

    def take_next(self) -> dict:
        with self.lock:
            number = self.next_number
            self.next_number += 1
        return self.call(number)


def push_once(http: httpx.Client, target_url: str, secret: str, call: dict) -> str:
    """POST one call. Returns "ok", "refused" (4xx: do not retry) or "retry" (down or 5xx)."""
    body = json.dumps(call, ensure_ascii=False).encode()
    try:
        response = http.post(
            target_url, content=body, headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body)}
        )
    except httpx.HTTPError as error:
        logger.warning("112 push of %s failed: %s", call["call_id"], type(error).__name__)
        return "retry"
    if response.status_code < 300:
        return "ok"
    if response.status_code >= 500:
        logger.warning("112 push of %s: HTTP %s", call["call_id"], response.status_code)
        return "retry"
    logger.error("112 push of %s refused: HTTP %s %s", call["call_id"], response.status_code, response.text[:200])
    return "refused"


def run_pusher(
    target_url: str,
    secret: str,
    interval: tuple[float, float] = DEFAULT_INTERVAL,
    model: CallModel | None = None,
    stop: threading.Event | None = None,
    max_calls: int | None = None,
    sleep: Callable[[float], None] | None = None,
) -> None:
    """Push a new call every ``interval`` seconds (random in the range) until ``stop`` is set (or
    ``max_calls`` calls are delivered or refused). A call that cannot be delivered is retried with
    exponential backoff before the next one is made."""
    if model is None:
        from django.conf import settings

        model = CallModel(Path(settings.KOMANDO_CITY_DIR))
    stop = stop or threading.Event()
    wait = sleep or stop.wait
    rng = random.Random(f"{model.seed}:intervals")
    done = 0
    model.status.update(target=target_url, pushing=True)
    with httpx.Client(timeout=10.0) as http:
        while not stop.is_set() and (max_calls is None or done < max_calls):
            call = model.take_next()
            model.status["pending"] = call["call_id"]
            backoff = BACKOFF_FIRST
            while not stop.is_set():
                result = push_once(http, target_url, secret, call)
                if result != "retry":
                    break
                model.status["retries"] += 1
                model.status["last_result"] = f"retrying in {backoff:g} s"
                wait(backoff)
                backoff = min(BACKOFF_MAX, backoff * 2)
            else:
                break
            done += 1
            model.status.update(
                pending=None,
                last_call_id=call["call_id"],
                last_result=result,
                last_pushed_at=model.now().isoformat(timespec="seconds"),
            )
            model.status["pushed" if result == "ok" else "refused"] += 1
            if max_calls is not None and done >= max_calls:
                break
            wait(rng.uniform(*interval))
    model.status["pushing"] = False


STATUS_PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Simulator Call Center 112</title>
<meta http-equiv="refresh" content="10"><style>body{{font-family:sans-serif;margin:2rem}}td{{padding:.2rem 1rem}}</style>
</head><body><h1>Simulator Call Center 112 &mdash; Kota Tangerang</h1>
<p>Mengirim panggilan ke Komando: <code>{target}</code> ({pushing})</p>
<table><tr><td>Terkirim</td><td>{pushed}</td></tr><tr><td>Ditolak</td><td>{refused}</td></tr>
<tr><td>Percobaan ulang</td><td>{retries}</td></tr><tr><td>Panggilan terakhir</td><td>{last_call_id} {last_pushed_at}</td></tr>
<tr><td>Menunggu terkirim</td><td>{pending}</td></tr><tr><td>Hasil terakhir</td><td>{last_result}</td></tr></table>
</body></html>"""


def build_simulator(
    city_dir,
    clock: Callable[[], float] = time.time,
    push: bool | None = None,
    target_url: str | None = None,
    secret: str | None = None,
    interval: tuple[float, float] = DEFAULT_INTERVAL,
) -> SimulatorApp:
    """The status page; and, unless ``push`` is False (or ``KOMANDO_CALL_112_PUSH=0``), a pusher thread."""
    model = CallModel(Path(city_dir), clock=clock)
    app = SimulatorApp("call-112")
    app.model = model

    @app.route("GET", r"/status\.json")
    def status(request):
        return Response.json(dict(model.status))

    @app.route("GET", r"/")
    def page(request):
        values = {key: html.escape(str(value if value is not None else "-")) for key, value in model.status.items()}
        values["pushing"] = "aktif" if model.status["pushing"] else "tidak aktif"
        return Response(200, STATUS_PAGE.format(**values).encode(), "text/html; charset=utf-8")

    if push is None:
        push = os.environ.get(PUSH_VARIABLE, "1").strip().lower() not in {"0", "false", "no", "off"}
    if push:
        secret = secret if secret is not None else os.environ.get(SECRET_VARIABLE, "")
        if not secret:
            raise SystemExit(
                f"The 112 simulator signs its calls: set {SECRET_VARIABLE} (the same value Komando "
                f"reads), or {PUSH_VARIABLE}=0 to serve the status page only."
            )
        target = target_url or os.environ.get(TARGET_VARIABLE, "") or DEFAULT_TARGET
        app.stop_pushing = threading.Event()
        thread = threading.Thread(
            target=run_pusher,
            name="call-112-pusher",
            daemon=True,
            kwargs={"target_url": target, "secret": secret, "interval": interval, "model": model, "stop": app.stop_pushing},
        )
        thread.start()
        app.pusher = thread
    return app
