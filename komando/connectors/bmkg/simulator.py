"""BMKG's public feeds, simulated: earthquakes (TEWS) and nowcast weather warnings (CAP 1.2).

Endpoints (the paths and shapes of data.bmkg.go.id and www.bmkg.go.id):

- ``GET /DataMKG/TEWS/autogempa.{json,xml}``: the latest quake (JSON: an object);
- ``GET /DataMKG/TEWS/gempaterkini.{json,xml}``: the 15 latest quakes of M ≥ 5.0 (JSON: an array);
- ``GET /DataMKG/TEWS/gempadirasakan.{json,xml}``: the 15 latest felt quakes (JSON: an array);
- ``GET /alerts/nowcast/id/rss.xml``: the weather warnings in force, one item per CAP file;
- ``GET /alerts/nowcast/id/<CODE>_alert.xml``: one CAP 1.2 warning.

Every 15 minutes a small quake happens somewhere in Indonesia with a fair chance (now and then a
strong one). Every hour a few provinces get a warning; the city's own province often gets one whose
polygon covers some of the city's kecamatan (read from ``regions.csv``), named in its description.
Everything is a pure function of (seed, time slot), so asking twice gives the same answer.
``legacy_json=True`` serves the ≤ 2021 JSON shape (``point.coordinates``).
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

from komando.core.city import read_city
from komando.sources.simulation import Response, SimulatorApp

# BMKG writes its national feeds in WIB (UTC+7) wherever the city is; the client reads the label.
BMKG_ZONE = timezone(timedelta(hours=7), "WIB")
QUAKE_SLOT = timedelta(minutes=15)
QUAKE_CHANCE = 0.6
QUAKE_LOOKBACK_SLOTS = 14 * 24 * 4  # two weeks
WARNING_BLOCK = timedelta(hours=1)
WARNING_LOOKBACK_BLOCKS = 24
HOME_PROVINCE_CHANCE = 0.3
OTHER_PROVINCE_CHANCE = 0.2
MONTHS_ID = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
DIRECTIONS = ["Utara", "TimurLaut", "Timur", "Tenggara", "Selatan", "BaratDaya", "Barat", "BaratLaut"]

# Seismically active places of Indonesia: (reference town, lat, lon, under the sea).
EPICENTRES = [
    ("Sigi", -1.17, 120.06, False),
    ("Pekalongan", -6.89, 109.67, False),
    ("Garut", -7.6, 107.7, True),
    ("Sukabumi", -7.3, 106.6, True),
    ("Pacitan", -8.6, 111.1, True),
    ("Bantul", -8.3, 110.3, True),
    ("Karangasem", -8.5, 115.7, True),
    ("Lombok Utara", -8.3, 116.3, False),
    ("Sumba Barat", -9.8, 119.2, True),
    ("Kep. Mentawai", -2.3, 99.6, True),
    ("Bengkulu", -4.2, 101.9, True),
    ("Aceh Besar", 5.4, 95.3, True),
    ("Nias Selatan", 0.5, 97.6, True),
    ("Padang Pariaman", -0.7, 100.0, True),
    ("Pesisir Barat", -5.6, 103.9, True),
    ("Halmahera Barat", 1.4, 127.3, True),
    ("Seram Bagian Barat", -3.1, 128.3, True),
    ("Maluku Tenggara", -5.9, 131.6, True),
    ("Kep. Talaud", 4.1, 126.9, True),
    ("Bitung", 1.4, 125.5, True),
    ("Jayapura", -2.6, 140.8, False),
    ("Nabire", -3.4, 135.5, False),
    ("Dogiyai", -3.82, 135.84, False),
    ("Mamuju", -2.7, 118.9, False),
    ("Tojo Una-Una", -0.9, 121.6, True),
    ("Banggai", -1.2, 122.8, True),
    ("Kupang", -10.2, 123.5, True),
    ("Alor", -8.2, 124.6, True),
    ("Manokwari", -0.9, 134.0, False),
    ("Kep. Sula", -1.9, 125.4, True),
]
# Provinces with a nowcast code and a few places for warnings away from the city.
PROVINCES = [
    ("AC", "Aceh", 4.6, 96.7, ["Lhoknga", "Sabang", "Bireuen", "Meulaboh"]),
    ("SU", "Sumatera Utara", 2.3, 99.1, ["Alasa", "Amandraya", "Aramo", "Bandar Pasir Mandoge"]),
    ("SB", "Sumatera Barat", -0.8, 100.6, ["Lubuk Basung", "Pariaman", "Solok", "Payakumbuh"]),
    ("LA", "Lampung", -5.0, 105.2, ["Kalianda", "Metro", "Kotabumi", "Pringsewu"]),
    ("BT", "Banten", -6.4, 106.1, ["Bojonegara", "Cibeber", "Kramatwatu", "Pontang", "Tirtayasa"]),
    ("JK", "DKI Jakarta", -6.2, 106.83, ["Cilincing", "Kebayoran Baru", "Cengkareng", "Duren Sawit"]),
    ("JB", "Jawa Barat", -6.9, 107.6, ["Cibinong", "Cianjur", "Lembang", "Sumedang", "Garut"]),
    ("JG", "Jawa Tengah", -7.15, 110.14, ["Wiradesa", "Kajen", "Karanganyar", "Pekalongan"]),
    ("JI", "Jawa Timur", -7.6, 112.2, ["Jombang", "Mojokerto", "Bangil", "Lumajang"]),
    ("BA", "Bali", -8.4, 115.2, ["Tabanan", "Gianyar", "Bangli", "Negara"]),
    ("KS", "Kalimantan Selatan", -3.0, 115.3, ["Martapura", "Banjarbaru", "Rantau", "Pelaihari"]),
    ("SN", "Sulawesi Selatan", -3.7, 119.9, ["Maros", "Gowa", "Bone", "Pinrang"]),
    ("PA", "Papua", -2.6, 140.6, ["Sentani", "Abepura", "Keerom", "Sarmi"]),
]


@dataclass(frozen=True)
class SimulatedQuake:
    at: datetime
    lat: float
    lon: float
    magnitude: float
    depth_km: int
    town: str
    at_sea: bool
    distance_km: int
    direction: str
    felt: str


@dataclass(frozen=True)
class SimulatedWarning:
    code: str
    identifier: str
    province: str
    sent: datetime
    expires: datetime
    event: str
    places: list[str]
    rings: list[list[tuple[float, float]]]  # (lat, lon), closed
    over_city: bool


class BmkgModel:
    def __init__(self, city_dir: Path, clock: Callable[[], float] = time.time):
        city = read_city(city_dir)
        self.seed = str(city.code)
        self.province = city.province
        self.clock = clock
        with open(city_dir / "regions.csv", newline="", encoding="utf-8") as handle:
            self.kecamatan = [
                (row["name"], float(row["centroid_lat"]), float(row["centroid_lon"]))
                for row in csv.DictReader(handle)
                if row["level"] == "kecamatan"
            ]
        home = next((p for p in PROVINCES if p[1] == self.province), None)
        self.home_code = home[0] if home else "XX"

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    # --- earthquakes ---

    def quake_in_slot(self, slot: int) -> SimulatedQuake | None:
        rng = random.Random(f"{self.seed}:quake:{slot}")
        if rng.random() >= QUAKE_CHANCE:
            return None
        seconds = int(slot * QUAKE_SLOT.total_seconds() + rng.uniform(0, QUAKE_SLOT.total_seconds() - 1))
        town, lat, lon, at_sea = rng.choice(EPICENTRES)
        magnitude = round(min(7.6, 2.6 + rng.expovariate(1 / 0.9)), 1)
        depth = rng.choice([10, 10, 10, 11, 12, 15, 22, 35, 60, 110, 180, 300]) + rng.randint(-2, 2)
        felt = ""
        if magnitude >= 3.0 and rng.random() < 0.55:
            mmi = "III" if magnitude < 4.5 else "IV" if magnitude < 5.5 else "V"
            felt = f"{mmi} {town}, II {rng.choice(EPICENTRES)[0]}" if magnitude >= 4 else f"II {town}"
        return SimulatedQuake(
            at=datetime.fromtimestamp(seconds, UTC),
            lat=round(lat + rng.uniform(-0.5, 0.5), 2),
            lon=round(lon + rng.uniform(-0.5, 0.5), 2),
            magnitude=magnitude,
            depth_km=max(1, depth),
            town=town,
            at_sea=at_sea,
            distance_km=rng.randint(5, 120),
            direction=rng.choice(DIRECTIONS),
            felt=felt,
        )

    def quakes(self, limit: int, keep: Callable[[SimulatedQuake], bool] = lambda q: True) -> list[SimulatedQuake]:
        """The ``limit`` newest quakes that happened by now and that ``keep`` accepts, newest first."""
        now = self.now()
        slot = int(now.timestamp() // QUAKE_SLOT.total_seconds())
        found = []
        for step in range(QUAKE_LOOKBACK_SLOTS):
            quake = self.quake_in_slot(slot - step)
            if quake is not None and quake.at <= now and keep(quake):
                found.append(quake)
                if len(found) == limit:
                    break
        return found

    # --- weather warnings ---

    def warnings_in_block(self, block: int) -> list[SimulatedWarning]:
        rng = random.Random(f"{self.seed}:nowcast:{block}")
        start = datetime.fromtimestamp(block * WARNING_BLOCK.total_seconds(), UTC)
        warnings = []
        for index, (code, name, lat, lon, places) in enumerate(PROVINCES):
            home = code == self.home_code
            if rng.random() >= (HOME_PROVINCE_CHANCE if home else OTHER_PROVINCE_CHANCE):
                continue
            sent = start + timedelta(minutes=rng.randrange(0, 50, 5))
            expires = sent + timedelta(hours=rng.choice([2, 3]))
            local = sent.astimezone(BMKG_ZONE)
            seq = local.hour * len(PROVINCES) + index
            event = rng.choice(["Hujan Lebat dan Petir", "Hujan Lebat", "Hujan Sedang-Lebat disertai Angin Kencang"])
            over_city = home and bool(self.kecamatan) and rng.random() < 0.8
            if over_city:
                chosen = rng.sample(self.kecamatan, k=min(len(self.kecamatan), rng.randint(2, 5)))
                chosen_places = [k[0] for k in chosen] + rng.sample(places, k=2)
                lats, lons = [k[1] for k in chosen], [k[2] for k in chosen]
                rings = [_box(min(lats) - 0.015, min(lons) - 0.015, max(lats) + 0.015, max(lons) + 0.015)]
            else:
                chosen_places = rng.sample(places, k=min(len(places), 3))
                rings = []
                for _ in range(rng.randint(1, 2)):
                    centre_lat, centre_lon = lat + rng.uniform(-0.4, 0.4), lon + rng.uniform(-0.4, 0.4)
                    size = rng.uniform(0.04, 0.15)
                    rings.append(_box(centre_lat - size, centre_lon - size, centre_lat + size, centre_lon + size))
                if home:  # stay clear of the city when the warning is not meant to cover it
                    rings = [_box(lat - 0.45, lon - 0.45, lat - 0.3, lon - 0.3)]
            warnings.append(
                SimulatedWarning(
                    code=f"C{code}{local:%Y%m%d}{seq:03d}",
                    identifier=f"2.49.0.1.360.0.{sent:%Y.%m.%d.%H.%M}.{seq:03d}",
                    province=name,
                    sent=sent,
                    expires=expires,
                    event=event,
                    places=chosen_places,
                    rings=rings,
                    over_city=over_city,
                )
            )
        return warnings

    def warnings_since(self, hours: int) -> list[SimulatedWarning]:
        now = self.now()
        block = int(now.timestamp() // WARNING_BLOCK.total_seconds())
        found = []
        for step in range(hours):
            found.extend(w for w in self.warnings_in_block(block - step) if w.sent <= now)
        return sorted(found, key=lambda w: (w.sent, w.code), reverse=True)

    def active_warnings(self) -> list[SimulatedWarning]:
        now = self.now()
        return [w for w in self.warnings_since(4) if w.expires > now]


def _box(lat0: float, lon0: float, lat1: float, lon1: float) -> list[tuple[float, float]]:
    corners = [(lat0, lon0), (lat0, lon1), (lat1, lon1), (lat1, lon0)]
    rounded = [(round(lat, 3), round(lon, 3)) for lat, lon in corners]
    return [*rounded, rounded[0]]


# --- rendering -------------------------------------------------------------------------------------


def _hemisphere(value: float, positive: str, negative: str) -> str:
    return f"{abs(value):.2f} {positive if value >= 0 else negative}"


def quake_record(quake: SimulatedQuake, feed: str, legacy: bool = False) -> dict:
    local = quake.at.astimezone(BMKG_ZONE)
    coordinates = f"{quake.lat:.2f},{quake.lon:.2f}"
    record = {
        "Tanggal": f"{local.day:02d} {MONTHS_ID[local.month - 1]} {local.year}",
        "Jam": f"{local:%H:%M:%S} WIB",
        "DateTime": quake.at.isoformat(),
    }
    record.update({"point": {"coordinates": coordinates}} if legacy else {"Coordinates": coordinates})
    record.update(
        {
            "Lintang": _hemisphere(quake.lat, "LU", "LS"),
            "Bujur": _hemisphere(quake.lon, "BT", "BB"),
            "Magnitude": f"{quake.magnitude:.1f}",
            "Kedalaman": f"{quake.depth_km} km",
        }
    )
    if feed == "autogempa":
        place = "laut" if quake.at_sea else "darat"
        record["Wilayah"] = f"Pusat gempa berada di {place} {quake.distance_km} km {quake.direction} {quake.town}"
    else:
        record["Wilayah"] = f"{quake.distance_km} km {quake.direction} {quake.town}"
    if feed != "gempadirasakan":
        record["Potensi"] = (
            "Tidak berpotensi tsunami"
            if quake.magnitude >= 5 or not quake.felt
            else "Gempa ini dirasakan untuk diteruskan pada masyarakat"
        )
    if feed != "gempaterkini":
        if quake.felt or feed == "gempadirasakan":
            record["Dirasakan"] = quake.felt
        if feed == "autogempa":
            record["Shakemap"] = f"{local:%Y%m%d%H%M%S}.mmi.jpg"
    return record


def quake_xml(records: list[dict]) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<Infogempa>"]
    for record in records:
        parts.append("  <gempa>")
        for key, value in record.items():
            if key == "Coordinates":  # the XML feed has always carried point/coordinates
                key, value = "point", {"coordinates": value}
            if isinstance(value, dict):
                inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in value.items())
                parts.append(f"    <{key}>{inner}</{key}>")
            else:
                parts.append(f"    <{key}>{escape(value)}</{key}>")
        parts.append("  </gempa>")
    parts.append("</Infogempa>")
    return "\n".join(parts).encode()


def _wib_words(moment: datetime) -> str:
    local = moment.astimezone(BMKG_ZONE)
    return f"{local.day} {MONTHS_EN[local.month - 1]} {local.year}, {local:%H:%M} WIB"


def warning_description(warning: SimulatedWarning) -> str:
    return (
        f"{warning.event} akan terjadi pada {_wib_words(warning.sent)} di sebagian wilayah {warning.province}, "
        f"khususnya di {', '.join(warning.places)}.\n"
        " Kondisi ini berpotensi menimbulkan dampak berupa jarak pandang berkurang, angin kencang, dan banjir "
        "lokal.\n Masyarakat dihimbau untuk tetap waspada, mengurangi aktivitas di luar ruangan, serta mengambil "
        "langkah-langkah pencegahan yang diperlukan guna menjaga keselamatan.\n"
        f" Kondisi diperkirakan dapat berlangsung hingga {_wib_words(warning.expires)}."
    )


def warning_headline(warning: SimulatedWarning) -> str:
    return f"{warning.event} di {warning.province}"


def _cap_time(moment: datetime) -> str:
    return moment.astimezone(BMKG_ZONE).replace(microsecond=0).isoformat()


def cap_xml(warning: SimulatedWarning) -> bytes:
    polygons = "\n".join(
        "      <polygon>" + " ".join(f"{lat:.3f},{lon:.3f}" for lat, lon in ring) + "</polygon>" for ring in warning.rings
    )
    code = warning.code[1:3]
    return f"""<?xml version="1.0" ?>
<?xml-stylesheet type="text/xsl" href="/cap/nowcast-cap-style.xsl"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{warning.identifier}</identifier>
  <sender>cuaca.ekstrem@bmkg.go.id</sender>
  <sent>{_cap_time(warning.sent)}</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>id</language>
    <category>Met</category>
    <event>{escape(warning.event)}</event>
    <urgency>Immediate</urgency>
    <severity>Moderate</severity>
    <certainty>Observed</certainty>
    <eventCode>
      <valueName>OET</valueName>
      <value>OET-194</value>
    </eventCode>
    <effective>{_cap_time(warning.sent)}</effective>
    <expires>{_cap_time(warning.expires)}</expires>
    <senderName>Badan Meteorologi Klimatologi dan Geofisika</senderName>
    <headline>{escape(warning_headline(warning))}</headline>
    <description>{escape(warning_description(warning))}</description>
    <web>https://nowcasting.bmkg.go.id/infografis/C{code}/{warning.sent.astimezone(BMKG_ZONE):%Y/%m/%d}/infografis.jpg</web>
    <contact>06221 196</contact>
    <area>
      <areaDesc>{escape(warning.province)}</areaDesc>
{polygons}
    </area>
  </info>
</alert>
""".encode()


def rss_xml(warnings: list[SimulatedWarning], host: str, now: datetime) -> bytes:
    items = []
    for warning in warnings:
        items.append(f"""    <item>
        <title>{escape(warning_headline(warning))}</title>
        <link>http://{host}/alerts/nowcast/id/{warning.code}_alert.xml</link>
        <description>{escape(warning_description(warning))}</description>
        <author>cuaca.ekstrem@bmkg.go.id (BMKG)</author>
        <category>Met</category>
        <guid isPermaLink="false">{warning.identifier}</guid>
        <pubDate>{warning.sent.astimezone(BMKG_ZONE):%a, %d %b %Y %H:%M:%S %z}</pubDate>
    </item>""")
    body = "\n".join(items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet type="text/xsl" href="/cap/nowcast-rss-style.xsl"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
    <channel>
        <title>Peringatan Dini Cuaca BMKG</title>
        <link>http://{host}/alerts/nowcast/id/rss.xml</link>
        <description>Peringatan Dini Cuaca dari BMKG (Badan Meteorologi, Klimatologi, dan Geofisika)</description>
        <language>id</language>
        <pubDate>{now:%a, %d %b %Y %H:%M:%S +0000}</pubDate>
{body}
    </channel>
</rss>
""".encode()


XML = "application/xml; charset=utf-8"
FEEDS = {
    "autogempa": (1, lambda q: True),
    "gempaterkini": (15, lambda q: q.magnitude >= 5.0),
    "gempadirasakan": (15, lambda q: bool(q.felt)),
}


def build_simulator(city_dir, clock: Callable[[], float] = time.time, legacy_json: bool = False) -> SimulatorApp:
    model = BmkgModel(Path(city_dir), clock=clock)
    app = SimulatorApp("bmkg")
    app.model = model  # tests read the truth from here

    @app.route("GET", r"/DataMKG/TEWS/(?P<feed>autogempa|gempaterkini|gempadirasakan)\.(?P<extension>json|xml)")
    def earthquakes(request, feed, extension):
        limit, keep = FEEDS[feed]
        records = [quake_record(q, feed, legacy_json) for q in model.quakes(limit, keep)]
        if extension == "xml":
            return Response(200, quake_xml(records), XML)
        if feed == "autogempa":
            if not records:
                return Response.json({"Infogempa": {"gempa": []}})
            return Response.json(records[0] if legacy_json else {"Infogempa": {"gempa": records[0]}})
        return Response.json({"Infogempa": {"gempa": records}})

    @app.route("GET", r"/alerts/nowcast/id/rss\.xml")
    def rss(request):
        host = request.headers.get("host", "127.0.0.1")
        return Response(200, rss_xml(model.active_warnings(), host, model.now()), "application/rss+xml; charset=utf-8")

    @app.route("GET", r"/alerts/nowcast/id/(?P<code>C[A-Z]{2}\d{11})_alert\.xml")
    def cap(request, code):
        for warning in model.warnings_since(WARNING_LOOKBACK_BLOCKS):
            if warning.code == code:
                return Response(200, cap_xml(warning), XML)
        return Response(404, b"<error>tidak ditemukan</error>", XML)

    return app
