"""A LAKSA server (Layanan Aspirasi Kotak Saran Anda, Diskominfo) speaking Open311 GeoReport v2.

Endpoints under ``/open311/v2`` (``.json`` or ``.xml``), shaped exactly as the GeoReport v2 spec and
``shared/data/samples/open311/tangerang_demo_*``:

- ``GET /services.{fmt}``: the complaint categories (service_code, service_name, group = the OPD…);
- ``GET /requests.{fmt}``: complaints, filters ``service_request_id`` (comma list, overrides the
  others), ``service_code`` (comma list), ``status`` (open|closed), ``start_date``/``end_date``
  (W3C datetimes). LAKSA applies the date range to ``updated_datetime`` (not ``requested_datetime``
  as the spec's own server would), so a poller sees status changes; sorted by ``updated_datetime``;
  at most ``max_results`` (1000) per answer;
- ``GET /requests/{id}.{fmt}``: one complaint (still a list, as the spec says);
- ``GET /discovery.{fmt}``.

Ids and codes are strings. LAKSA's own status (menunggu / proses / selesai) and the kelurahan code
are in ``extended_attributes`` (``laksa_status``, ``kode_kelurahan``); Open311 ``status`` is open or
closed. Errors as the spec: ``[{"code": 404, "description": "…"}]`` / ``<errors><error>…``.

Complaints arrive about every 4 minutes (pure function of the minute and the seed), move from
menunggu to proses to selesai over hours, and the server keeps the last ``history_days`` days.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

from komando.core.city import read_city
from komando.sources.simulation import Response, SimulatorApp

PREFIX = "/open311/v2"
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


def _read_csv(path: Path) -> list[dict]:
    import csv

    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class LaksaModel:
    def __init__(self, city_dir: Path, clock: Callable[[], float] = time.time):
        city = read_city(city_dir)
        data = json.loads((city_dir / "simulators" / "laksa.json").read_text(encoding="utf-8"))
        self.timezone = ZoneInfo(city.timezone)
        self.city_name, self.province = city.name, city.province
        self.seed = str(data["seed"])
        self.jurisdiction_id = data.get("jurisdiction_id", city.open311_jurisdiction_id)
        self.history = timedelta(days=float(data.get("history_days", 3)))
        self.chance_per_minute = 1 / float(data.get("mean_minutes_between_reports", 4))
        self.max_results = int(data.get("max_results", 1000))
        self.services = data["services"]
        self.streets = data["streets"]
        self.hours_to_proses = data["hours_to_proses"]
        self.hours_to_selesai = data["hours_to_selesai"]
        self.share_still_waiting = float(data.get("share_still_waiting", 0.03))
        agencies = {row["code"]: row for row in _read_csv(city_dir / "agencies.csv")}
        self.agency_of = {s["service_code"]: agencies[s["agency"]] for s in self.services}
        regions = _read_csv(city_dir / "regions.csv")
        names = {row["code"]: row["name"] for row in regions}
        self.kelurahan = [
            {
                "code": row["code"],
                "name": row["name"],
                "kecamatan": names[row["parent_code"]],
                "lat": float(row["centroid_lat"]),
                "lon": float(row["centroid_lon"]),
            }
            for row in regions
            if row["level"] == "kelurahan"
        ]
        self.clock = clock

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def complaint(self, minute: int) -> dict | None:
        """The complaint reported in minute ``minute`` since the epoch, as it will ever be (or None)."""
        rng = random.Random(f"{self.seed}:{minute}")
        if rng.random() >= self.chance_per_minute:
            return None
        service = rng.choices(self.services, weights=[s["weight"] for s in self.services])[0]
        place = rng.choice(self.kelurahan)
        requested = datetime.fromtimestamp(minute * 60 + rng.randint(0, 59), UTC)
        proses = requested + timedelta(hours=rng.uniform(*self.hours_to_proses))
        selesai = proses + timedelta(hours=rng.uniform(*self.hours_to_selesai))
        if rng.random() < self.share_still_waiting:
            proses = selesai = None
        local = requested.astimezone(self.timezone)
        return {
            "id": f"LAKSA-{local.year}-{minute % 10**8:08d}",
            "minute": minute,
            "service": service,
            "agency": self.agency_of[service["service_code"]],
            "text": rng.choice(service["texts"]),
            "street": rng.choice(self.streets),
            "number": rng.randint(1, 250),
            "place": place,
            "lat": round(place["lat"] + rng.uniform(-0.004, 0.004), 6),
            "lon": round(place["lon"] + rng.uniform(-0.004, 0.004), 6),
            "photo": rng.random() < 0.7,
            "requested": requested,
            "proses": proses,
            "selesai": selesai,
        }

    def state(self, complaint: dict, now: datetime) -> tuple[str, datetime]:
        """(LAKSA status, when it last changed) at ``now``."""
        if complaint["selesai"] is not None and complaint["selesai"] <= now:
            return "selesai", complaint["selesai"]
        if complaint["proses"] is not None and complaint["proses"] <= now:
            return "proses", complaint["proses"]
        return "menunggu", complaint["requested"]

    def complaints(self) -> list[dict]:
        """Every complaint the server keeps now (reported in the last ``history`` and not in the future)."""
        now = self.now()
        first = int((now - self.history).timestamp()) // 60
        last = int(now.timestamp()) // 60
        found = []
        for minute in range(first, last + 1):
            complaint = self.complaint(minute)
            if complaint is not None and complaint["requested"] <= now:
                found.append(complaint)
        return found

    def as_request(self, complaint: dict, host: str) -> dict:
        """A complaint as a GeoReport v2 request (JSON shape; XML renders the same keys)."""
        now = self.now()
        laksa_status, updated = self.state(complaint, now)
        agency = complaint["agency"]
        service = complaint["service"]
        notes = {
            "menunggu": "Menunggu verifikasi operator LAKSA",
            "proses": f"Diteruskan ke {agency['short_name']}, sedang diproses",
            "selesai": f"Selesai ditindaklanjuti oleh {agency['short_name']}",
        }[laksa_status]
        tz = self.timezone
        return {
            "service_request_id": complaint["id"],
            "status": "closed" if laksa_status == "selesai" else "open",
            "status_notes": notes,
            "service_name": service["service_name"],
            "service_code": service["service_code"],
            "description": complaint["text"],
            "agency_responsible": (agency["name"] if self.city_name in agency["name"] else f"{agency['name']} {self.city_name}"),
            "service_notice": None,
            "requested_datetime": complaint["requested"].astimezone(tz).isoformat(),
            "updated_datetime": updated.astimezone(tz).isoformat(),
            "expected_datetime": (complaint["requested"] + timedelta(days=3)).astimezone(tz).isoformat(),
            "address": (
                f"{complaint['street']} No. {complaint['number']}, Kel. {complaint['place']['name']}, "
                f"Kec. {complaint['place']['kecamatan']}, {self.city_name}, {self.province}"
            ),
            "address_id": None,
            "zipcode": None,
            "lat": complaint["lat"],
            "long": complaint["lon"],
            "media_url": f"http://{host}/media/{complaint['id']}.jpg" if complaint["photo"] else None,
            "extended_attributes": {"laksa_status": laksa_status, "kode_kelurahan": complaint["place"]["code"]},
        }

    def service_list(self) -> list[dict]:
        return [
            {
                "service_code": s["service_code"],
                "service_name": s["service_name"],
                "description": s["description"],
                "metadata": False,
                "type": "realtime",
                "keywords": s["keywords"],
                "group": self.agency_of[s["service_code"]]["short_name"],
            }
            for s in self.services
        ]

    def requests(self, host: str, *, ids=None, codes=None, status=None, start=None, end=None) -> list[dict]:
        rows = [self.as_request(c, host) for c in self.complaints()]
        if ids:
            return [row for row in rows if row["service_request_id"] in ids]
        if codes:
            rows = [row for row in rows if row["service_code"] in codes]
        if status:
            rows = [row for row in rows if row["status"] == status]
        if start is not None:
            rows = [row for row in rows if datetime.fromisoformat(row["updated_datetime"]) >= start]
        if end is not None:
            rows = [row for row in rows if datetime.fromisoformat(row["updated_datetime"]) <= end]
        rows.sort(key=lambda row: (datetime.fromisoformat(row["updated_datetime"]), row["service_request_id"]))
        return rows[: self.max_results]


# --- Rendering --------------------------------------------------------------------------------


def _xml_value(element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(ElementTree.SubElement(element, key), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> Response:
    if fmt == "json":
        return Response.json(rows, status=status, content_type="application/json; charset=utf-8")
    tree = ElementTree.Element(root)
    for row in rows:
        _xml_value(ElementTree.SubElement(tree, item), row)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(tree, encoding="utf-8", xml_declaration=False)
    return Response(status, body, "text/xml; charset=utf-8")


def error(fmt: str, code: int, description: str) -> Response:
    return render(fmt, "errors", "error", [{"code": code, "description": description}], status=code)


def _parse_w3c(raw: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def build_simulator(city_dir, clock: Callable[[], float] = time.time) -> SimulatorApp:
    model = LaksaModel(Path(city_dir), clock=clock)
    app = SimulatorApp("laksa")
    app.model = model  # tests read the truth from here

    def jurisdiction_error(request, fmt):
        jurisdiction = request.arg("jurisdiction_id")
        if jurisdiction and jurisdiction != model.jurisdiction_id:
            return error(fmt, 404, f"jurisdiction_id '{jurisdiction}' not found")
        return None

    @app.route("GET", PREFIX + r"/discovery\.(?P<fmt>json|xml)")
    def discovery(request, fmt):
        host = request.headers.get("host", "127.0.0.1")
        body = {
            "changeset": "2026-01-01T00:00:00Z",
            "contact": f"Diskominfo {model.city_name}",
            "key_service": "LAKSA",
            "endpoints": [
                {
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": f"http://{host}{PREFIX}",
                    "changeset": "2026-01-01T00:00:00Z",
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        }
        if fmt == "json":
            return Response.json(body)
        return render("xml", "discovery", "endpoint", body["endpoints"])

    @app.route("GET", PREFIX + r"/services\.(?P<fmt>json|xml)")
    def services(request, fmt):
        return jurisdiction_error(request, fmt) or render(fmt, "services", "service", model.service_list())

    @app.route("GET", PREFIX + r"/requests\.(?P<fmt>json|xml)")
    def requests(request, fmt):
        refused = jurisdiction_error(request, fmt)
        if refused:
            return refused
        host = request.headers.get("host", "127.0.0.1")
        bounds = {}
        for name in ("start_date", "end_date"):
            raw = request.arg(name)
            if raw:
                bounds[name] = _parse_w3c(raw)
                if bounds[name] is None:
                    return error(fmt, 400, f"{name} must be a W3C datetime with a time zone")
        status = request.arg("status")
        if status and status not in ("open", "closed"):
            return error(fmt, 400, "status must be open or closed")
        ids = [v for v in (request.arg("service_request_id") or "").split(",") if v]
        codes = [v for v in (request.arg("service_code") or "").split(",") if v]
        rows = model.requests(
            host, ids=ids, codes=codes, status=status, start=bounds.get("start_date"), end=bounds.get("end_date")
        )
        return render(fmt, "service_requests", "request", rows)

    @app.route("GET", PREFIX + r"/requests/(?P<request_id>[^/]+)\.(?P<fmt>json|xml)")
    def single(request, request_id, fmt):
        host = request.headers.get("host", "127.0.0.1")
        rows = model.requests(host, ids=[request_id])
        if not rows:
            return error(fmt, 404, f"service_request_id '{request_id}' not found")
        return render(fmt, "service_requests", "request", rows)

    @app.route("GET", r"/media/(?P<request_id>[^/]+)\.jpg")
    def media(request, request_id):
        rows = model.requests(request.headers.get("host", "127.0.0.1"), ids=[request_id])
        if not rows or not rows[0]["media_url"]:
            return Response.json({"error": "not found"}, status=404)
        return Response(200, photo(rows[0]), "image/jpeg", {"Cache-Control": "max-age=86400"})

    return app


def photo(row: dict) -> bytes:
    """A placeholder for the complainant's photo: the category and place written on a plain picture."""
    import io

    from PIL import Image, ImageDraw

    rng = random.Random(row["service_request_id"])
    image = Image.new("RGB", (480, 320), tuple(rng.randint(90, 170) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 250, 480, 320), fill=(0, 0, 0))
    draw.text((12, 262), f"{row['service_request_id']}  {row['service_name']}", fill=(255, 255, 255))
    draw.text((12, 286), row["address"][:70], fill=(220, 220, 220))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()
