"""An ATCS server (Area Traffic Control System, Dishub) for one city's intersection cameras.

Endpoints (JSON with Indonesian field names, as a Dishub ATCS integration service exposes them):

- ``GET /api/cameras``: the camera registry (intersection, location, wilayah, online/offline,
  snapshot URL on this server);
- ``GET /api/traffic?since=<ISO time>``: traffic per camera per interval (5 minutes) that ended
  after ``since`` (at most the last 24 hours; default the last hour);
- ``GET /snapshot/<id>.jpg``: the camera's current picture, drawn on every request.

Traffic follows a daily pattern with rush hours (07–09 and 16–19 local time), a quieter weekend
and noise. Every value is a pure function of (camera, interval), so asking twice gives the same
answer. A few cameras go offline now and then (more often the ``flaky`` ones).
"""

from __future__ import annotations

import io
import json
import math
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw, ImageFont

from komando.core.city import read_city
from komando.sources.simulation import Response, SimulatorApp

MAX_WINDOW = timedelta(hours=24)
DEFAULT_WINDOW = timedelta(hours=1)
OFFLINE_BLOCK_SECONDS = 30 * 60
SNAPSHOT_SIZE = (640, 360)
CAR_COLOURS = [
    (230, 230, 230),
    (40, 40, 45),
    (180, 30, 35),
    (30, 70, 160),
    (200, 200, 200),
    (120, 120, 125),
    (240, 200, 40),
    (20, 120, 60),
]


def daily_load(hour: float, weekend: bool) -> float:
    """Demand as a share of rush-hour demand at local ``hour`` (0–24)."""
    if weekend:
        return 0.10 + 0.45 * math.exp(-(((hour - 11.0) / 3.0) ** 2)) + 0.55 * math.exp(-(((hour - 18.5) / 2.0) ** 2))
    return (
        0.08
        + 0.92 * math.exp(-(((hour - 7.9) / 1.0) ** 2))
        + 0.45 * math.exp(-(((hour - 12.5) / 2.5) ** 2))
        + 0.95 * math.exp(-(((hour - 17.5) / 1.4) ** 2))
    )


def congestion_level(ratio: float) -> str:
    if ratio < 0.5:
        return "lancar"
    if ratio < 0.75:
        return "ramai"
    if ratio < 0.9:
        return "padat"
    return "macet"


class TrafficModel:
    def __init__(self, city_dir: Path, clock: Callable[[], float] = time.time):
        city = read_city(city_dir)
        data = json.loads((city_dir / "simulators" / "atcs.json").read_text(encoding="utf-8"))
        self.timezone = ZoneInfo(city.timezone)
        self.seed = str(data.get("seed", city.code))
        self.operator = data.get("operator", "")
        self.interval = timedelta(minutes=int(data.get("interval_minutes", 5)))
        self.cameras = {camera["id"]: camera for camera in data["cameras"]}
        self.clock = clock
        self.frames: dict[str, int] = {}
        self.frames_lock = threading.Lock()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def is_online(self, camera_id: str, moment: datetime) -> bool:
        camera = self.cameras[camera_id]
        block = int(moment.timestamp()) // OFFLINE_BLOCK_SECONDS
        chance = 0.22 if camera.get("flaky") else 0.01
        return random.Random(f"{self.seed}:offline:{camera_id}:{block}").random() >= chance

    def last_interval_end(self, moment: datetime) -> datetime:
        step = int(self.interval.total_seconds())
        return datetime.fromtimestamp(int(moment.timestamp()) // step * step, UTC)

    def load_ratio(self, camera_id: str, moment: datetime) -> float:
        """Demand over capacity at ``moment`` (without the interval's noise)."""
        local = moment.astimezone(self.timezone)
        hour = local.hour + local.minute / 60 + local.second / 3600
        return daily_load(hour, local.weekday() >= 5) * float(self.cameras[camera_id].get("demand", 1.0))

    def observation(self, camera_id: str, end: datetime) -> dict:
        camera = self.cameras[camera_id]
        rng = random.Random(f"{self.seed}:traffic:{camera_id}:{int(end.timestamp())}")
        middle = end - self.interval / 2
        ratio = max(0.02, self.load_ratio(camera_id, middle) * rng.uniform(0.88, 1.12))
        capacity = float(camera["capacity"])
        # Past saturation fewer vehicles get through, not more.
        vehicles = capacity * (ratio if ratio <= 1 else max(0.75, 1 - (ratio - 1) * 1.5))
        speed = float(camera["free_speed_kmh"]) * max(0.12, 1 - 0.85 * min(ratio, 1.1) ** 2)
        return {
            "id_kamera": camera_id,
            "waktu_mulai": (end - self.interval).astimezone(self.timezone).isoformat(),
            "waktu_selesai": end.astimezone(self.timezone).isoformat(),
            "volume_kendaraan": round(vehicles * rng.uniform(0.97, 1.03)),
            "kecepatan_rata_rata": round(speed * rng.uniform(0.93, 1.07), 1),
            "tingkat_kemacetan": congestion_level(ratio),
        }

    def observations_since(self, since: datetime) -> list[dict]:
        now = self.now()
        since = max(since, now - MAX_WINDOW)
        end = self.last_interval_end(now)
        ends = []
        while end > since:
            ends.append(end)
            end -= self.interval
        rows = []
        for end in reversed(ends):
            for camera_id in self.cameras:
                if self.is_online(camera_id, end - self.interval / 2):
                    rows.append(self.observation(camera_id, end))
        return rows

    def next_frame(self, camera_id: str) -> int:
        with self.frames_lock:
            self.frames[camera_id] = self.frames.get(camera_id, 0) + 1
            return self.frames[camera_id]


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def draw_snapshot(model: TrafficModel, camera_id: str) -> bytes:
    """A top-down intersection with vehicles where the current time puts them, name and time burned in."""
    camera = model.cameras[camera_id]
    frame = model.next_frame(camera_id)
    now = model.now()
    seconds = model.clock() + frame * 0.04  # every request moves the picture, even within a second
    ratio = min(1.2, model.load_ratio(camera_id, now))
    width, height = SNAPSHOT_SIZE
    image = Image.new("RGB", SNAPSHOT_SIZE, (74, 104, 62))
    draw = ImageDraw.Draw(image)
    road = 110
    cx, cy = width // 2, height // 2
    # Buildings in the corners, then the two roads and their markings.
    for x0, y0, x1, y1 in [
        (0, 0, cx - road // 2, cy - road // 2),
        (cx + road // 2, 0, width, cy - road // 2),
        (0, cy + road // 2, cx - road // 2, height),
        (cx + road // 2, cy + road // 2, width, height),
    ]:
        draw.rectangle((x0 + 12, y0 + 12, x1 - 12, y1 - 12), fill=(150, 140, 128), outline=(110, 100, 90))
    draw.rectangle((0, cy - road // 2, width, cy + road // 2), fill=(58, 58, 62))
    draw.rectangle((cx - road // 2, 0, cx + road // 2, height), fill=(58, 58, 62))
    for x in range(0, width, 34):
        if abs(x - cx) > road // 2 + 20:
            draw.line((x, cy, x + 18, cy), fill=(235, 235, 235), width=2)
    for y in range(0, height, 30):
        if abs(y - cy) > road // 2 + 20:
            draw.line((cx, y, cx, y + 16), fill=(235, 235, 235), width=2)
    for i in range(-4, 5):  # zebra crossings
        draw.rectangle((cx + i * 12 - 4, cy - road // 2 - 18, cx + i * 12 + 4, cy - road // 2 - 4), fill=(225, 225, 225))
        draw.rectangle((cx + i * 12 - 4, cy + road // 2 + 4, cx + i * 12 + 4, cy + road // 2 + 18), fill=(225, 225, 225))
    # Vehicles: more of them and slower when the intersection is busy.
    speed = 120 * max(0.08, 1 - 0.85 * min(ratio, 1.1) ** 2)  # pixels per second
    per_lane = 2 + round(7 * ratio)
    lanes = [("east", cy + 26), ("west", cy - 26), ("south", cx - 26), ("north", cx + 26)]
    for lane_index, (direction, offset) in enumerate(lanes):
        length = width + 80 if direction in ("east", "west") else height + 80
        rng = random.Random(f"{model.seed}:lane:{camera_id}:{lane_index}")
        for vehicle in range(per_lane):
            gap = length / per_lane
            position = (vehicle * gap + rng.uniform(0, gap * 0.4) + seconds * speed * rng.uniform(0.8, 1.2)) % length - 40
            colour = rng.choice(CAR_COLOURS)
            motorbike = rng.random() < 0.45
            long_side, short_side = (12, 6) if motorbike else (30, 16)
            jitter = rng.uniform(-12, 12)
            if direction == "east":
                box = (position, offset + jitter - short_side / 2, position + long_side, offset + jitter + short_side / 2)
            elif direction == "west":
                x = width - position
                box = (x - long_side, offset + jitter - short_side / 2, x, offset + jitter + short_side / 2)
            elif direction == "south":
                box = (offset + jitter - short_side / 2, position, offset + jitter + short_side / 2, position + long_side)
            else:
                y = height - position
                box = (offset + jitter - short_side / 2, y - long_side, offset + jitter + short_side / 2, y)
            draw.rectangle(box, fill=colour, outline=(15, 15, 15))
    # Signal heads: the phase changes every 30 s.
    green_east_west = int(seconds // 30) % 2 == 0
    for (x, y), green in [
        ((cx + road // 2 + 6, cy + road // 2 + 6), green_east_west),
        ((cx - road // 2 - 14, cy - road // 2 - 14), green_east_west),
        ((cx + road // 2 + 6, cy - road // 2 - 14), not green_east_west),
        ((cx - road // 2 - 14, cy + road // 2 + 6), not green_east_west),
    ]:
        draw.ellipse((x, y, x + 8, y + 8), fill=(40, 220, 80) if green else (230, 40, 40))
    # Overlay as a CCTV recorder burns it in.
    local = now.astimezone(model.timezone)
    title = f"{camera_id}  {camera['nama_simpang']}"
    stamp = local.strftime("%d-%m-%Y %H:%M:%S") + " WIB"
    draw.rectangle((0, 0, width, 26), fill=(0, 0, 0))
    draw.text((8, 4), title, fill=(255, 255, 255), font=_font(16))
    if frame % 2:  # the recording dot blinks from frame to frame
        draw.ellipse((width - 66, 8, width - 56, 18), fill=(235, 50, 50))
    draw.text((width - 50, 4), "REC", fill=(235, 50, 50), font=_font(16))
    draw.rectangle((0, height - 24, width, height), fill=(0, 0, 0))
    draw.text((8, height - 21), " / ".join(camera.get("ruas", [])), fill=(220, 220, 220), font=_font(14))
    draw.text((width - 230, height - 21), f"{stamp}  #{frame:05d}", fill=(255, 230, 120), font=_font(14))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=72)
    return buffer.getvalue()


def _parse_time(raw: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def build_simulator(city_dir, clock: Callable[[], float] = time.time) -> SimulatorApp:
    model = TrafficModel(Path(city_dir), clock=clock)
    app = SimulatorApp("atcs")
    app.model = model  # tests read the truth from here

    @app.route("GET", r"/api/cameras/?")
    def cameras(request):
        host = request.headers.get("host", "127.0.0.1")
        now = model.now()
        rows = []
        for camera_id, camera in model.cameras.items():
            rows.append(
                {
                    "id": camera_id,
                    "nama_simpang": camera["nama_simpang"],
                    "ruas": camera.get("ruas", []),
                    "lat": camera["lat"],
                    "lon": camera["lon"],
                    "kode_kecamatan": camera["kode_kelurahan"].rsplit(".", 1)[0],
                    "kode_kelurahan": camera["kode_kelurahan"],
                    "status": "online" if model.is_online(camera_id, now) else "offline",
                    "snapshot_url": f"http://{host}/snapshot/{camera_id}.jpg",
                }
            )
        return Response.json({"status": "ok", "operator": model.operator, "jumlah": len(rows), "data": rows})

    @app.route("GET", r"/api/traffic/?")
    def traffic(request):
        raw_since = request.arg("since")
        if raw_since:
            since = _parse_time(raw_since)
            if since is None:
                return Response.json({"status": "error", "pesan": "since harus waktu ISO 8601 dengan zona waktu"}, status=400)
        else:
            since = model.now() - DEFAULT_WINDOW
        return Response.json(
            {
                "status": "ok",
                "interval_menit": int(model.interval.total_seconds() // 60),
                "sampai": model.last_interval_end(model.now()).astimezone(model.timezone).isoformat(),
                "data": model.observations_since(since),
            }
        )

    @app.route("GET", r"/snapshot/(?P<camera_id>[^/]+)\.jpg")
    def snapshot(request, camera_id):
        if camera_id not in model.cameras:
            return Response.json({"status": "error", "pesan": "kamera tidak dikenal"}, status=404)
        if not model.is_online(camera_id, model.now()):
            return Response.json({"status": "error", "pesan": "kamera offline"}, status=503)
        return Response(200, draw_snapshot(model, camera_id), "image/jpeg", {"Cache-Control": "no-store"})

    return app
