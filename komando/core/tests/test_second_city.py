"""A second city by data alone: Kota Contoh (a fictional city, ``data/cities/kota-contoh``) loaded in a
fresh test database through ``load-reference-data``; its pages, APIs and connectors show its own
names, codes and OPDs and nothing of Kota Tangerang."""

from __future__ import annotations

import csv
import json
import re
import sys
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

CONTOH = Path(settings.KOMANDO_CITY_DIR).parent / "kota-contoh"
FOREIGN = re.compile(r"tangerang|36\.71", re.IGNORECASE)


def rows(name: str) -> list[dict]:
    with open(CONTOH / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def forget_city_data() -> None:
    """Every per-process cache of the city's files (``@cache`` functions of komando, the intake caches)."""
    from komando.incidents import catalogue, geo
    from komando.incidents.bridges import mapping

    for name, module in list(sys.modules.items()):
        if not name.startswith("komando.") or module is None:
            continue
        for value in list(vars(module).values()):
            if callable(value) and hasattr(value, "cache_clear") and getattr(value, "__module__", "") == name:
                value.cache_clear()
    catalogue.clear_cache()
    geo.clear_cache()
    mapping._cache.clear()


@pytest.fixture
def kota_contoh(settings, without_reference_data):
    settings.KOMANDO_CITY_DIR = CONTOH
    settings.TIME_ZONE = json.loads((CONTOH / "city.json").read_text(encoding="utf-8"))["timezone"]  # as settings.py does
    forget_city_data()
    out = StringIO()
    call_command("load_reference_data", city_dir=str(CONTOH), stdout=out)
    assert "(kota-contoh)" in out.getvalue()
    yield CONTOH
    forget_city_data()


@pytest.fixture
def operator(kota_contoh):
    from django.contrib.auth.models import Group, User

    from komando.accounts.actions import do_ensure_role_groups
    from komando.accounts.models import Profile, Role

    do_ensure_role_groups()
    user = User.objects.create_user(username="operator-contoh", password="correct-horse-battery")
    user.groups.add(Group.objects.get(name=Role.OPERATOR))
    Profile.objects.create(user=user)
    return user


def assert_only_contoh(text: str, where: str) -> None:
    found = FOREIGN.search(text)
    assert found is None, f"{where} shows {text[max(0, found.start() - 80) : found.end() + 80]!r}"


def test_the_data_folder_is_labelled_fictional_and_uses_a_province_code_that_does_not_exist():
    city = json.loads((CONTOH / "city.json").read_text(encoding="utf-8"))
    assert city["fictional"] is True and "FICTIONAL" in city["_comment"]
    assert "does not exist" in (CONTOH / "README.md").read_text(encoding="utf-8")
    assert {row["code"].split(".")[0] for row in rows("regions.csv")} == {"99"}
    for path in sorted(CONTOH.rglob("*")):
        if path.is_file() and path.suffix in {".csv", ".json"}:
            assert not re.search(r"36\.71", path.read_text(encoding="utf-8")), path


@pytest.mark.django_db
def test_loading_gives_exactly_its_regions_opds_sources_and_categories(kota_contoh):
    from komando.agencies.models import Agency
    from komando.incidents.models import Category, Playbook
    from komando.regions.models import Region
    from komando.sources.models import Source

    assert sorted(Region.objects.values_list("code", "name", "level")) == sorted(
        (row["code"], row["name"], row["level"]) for row in rows("regions.csv")
    )
    assert Region.objects.filter(level="kelurahan").count() == 9
    assert all(region.geometry for region in Region.objects.exclude(level="kota"))  # schematic boundaries
    assert sorted(Agency.objects.values_list("code", "name")) == sorted(
        (row["code"], row["name"]) for row in rows("agencies.csv")
    )
    assert sorted(Source.objects.values_list("slug", flat=True)) == ["banjir", "bmkg", "epuskesmas", "laksa", "siak"]
    assert sorted(Category.objects.values_list("code", flat=True)) == sorted(r["code"] for r in rows("incident_categories.csv"))
    assert Playbook.objects.count() == Category.objects.count()


@pytest.mark.django_db
def test_city_facts_and_ticket_numbers_are_its_own(kota_contoh):
    from komando.core.city import current_city
    from komando.incidents.actions.intake import ticket_prefix

    city = current_city()
    assert (city.code, city.name, city.open311_jurisdiction_id) == ("99.01", "Kota Contoh", "contoh.example.id")
    assert ticket_prefix() == "CTH"


@pytest.mark.django_db
def test_open311_services_list_its_categories_in_its_jurisdiction(client, kota_contoh):
    response = client.get("/open311/v2/services.json", {"jurisdiction_id": "contoh.example.id"})
    assert response.status_code == 200
    services = response.json()
    assert sorted(s["service_code"] for s in services) == sorted(row["code"] for row in rows("incident_categories.csv"))
    assert_only_contoh(response.content.decode(), "services.json")
    genangan = client.get("/open311/v2/services/GENANGAN.json", {"jurisdiction_id": "contoh.example.id"})
    assert genangan.status_code == 200 and "99.01.02.1001" in genangan.content.decode()
    assert client.get("/open311/v2/services.json", {"jurisdiction_id": "tangerangkota.go.id"}).status_code == 404


@pytest.mark.django_db
def test_the_public_scorecard_names_only_its_opds_and_kecamatan(client, kota_contoh):
    response = client.get("/kinerja/data.json")
    assert response.status_code == 200
    text = response.content.decode()
    assert_only_contoh(text, "/kinerja/data.json")
    body = response.json()
    names = set(re.findall(r'"(?:name|short_name|agency|kecamatan)": "([^"]+)"', text))
    own = {row["name"] for row in rows("regions.csv")} | {
        value for row in rows("agencies.csv") for value in (row["name"], row["short_name"])
    }
    assert names and names <= own | {"Kota Contoh"}, names - own
    page = client.get("/kinerja/")
    assert page.status_code == 200 and "Kota Contoh" in page.content.decode()
    assert_only_contoh(page.content.decode(), "/kinerja/")
    assert body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/pis/state.json",
        "/api/regions/",
        "/api/sources/",
        "/api/population/",
        "/api/health/today/",
        "/api/flood/",
        "/api/hazards/",
    ],
)
def test_the_pis_and_its_data_show_kota_contoh_and_nothing_of_tangerang(client, kota_contoh, path):
    response = client.get(path)
    assert response.status_code == 200, path
    text = response.content.decode()
    assert_only_contoh(text, path)
    if path in {"/", "/pis/state.json"}:
        assert "Kota Contoh" in text


PANELS_OF_MISSING_SOURCES = ('id="panel-traffic"', 'id="panel-development-locked"', 'id="panel-development"')


def test_the_pis_shows_no_panel_of_a_source_the_city_lacks(client, kota_contoh):
    """Kota Contoh has no ATCS and no e-Monev: no camera panel, no development panel (nor its login card)."""
    assert not {"atcs", "emonev"} & {row["connector"] for row in rows("sources.csv")}
    html = client.get("/").content.decode()
    for panel in PANELS_OF_MISSING_SOURCES:
        assert panel not in html
    assert 'id="panel-health"' in html and 'id="panel-population"' in html


@pytest.mark.django_db
def test_the_default_city_shows_the_camera_and_development_panels(client):
    html = client.get("/").content.decode()
    assert 'id="panel-traffic"' in html and 'data-source="atcs"' in html
    assert 'id="panel-development-locked"' in html  # the public sees the login card in its place


@pytest.mark.django_db
def test_the_operator_console_shows_its_name(client, operator):
    client.force_login(operator)
    response = client.get("/konsol/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Kota Contoh" in text and "Contoh Tengah" in text
    assert_only_contoh(text, "/konsol/")


# ---- its simulators, through the real connectors, over real HTTP ----------------------------------


def run_connector(slug: str, app, clock=None, **config) -> None:
    from komando.sources.models import Source
    from komando.sources.registry import coordinator_class, manifests
    from komando.sources.runner import run_source
    from komando.sources.simulation import running_simulator

    source = Source.objects.get(slug=slug)
    with running_simulator(app) as url:
        coordinator_cls = coordinator_class(slug)
        options = {"clock": clock} if clock else {}
        coordinator = coordinator_cls(manifests()[slug], coordinator_cls.config_class(base_url=url, **config), **options)
        assert run_source(source, coordinator) is True, Source.objects.get(slug=slug).last_error
    source.refresh_from_db()
    assert source.records_last_run > 0, slug


@pytest.mark.django_db
def test_siak_stores_its_population_on_its_kelurahan(client, kota_contoh):
    from komando.connectors.siak.simulator import build_simulator

    run_connector("siak", build_simulator(kota_contoh, tick_seconds=10**9))
    body = client.get("/api/population/").json()
    city = json.loads((kota_contoh / "city.json").read_text(encoding="utf-8"))
    assert body["total"] == city["population_total"]
    assert sorted(row["code"] for row in body["by_kecamatan"]) == ["99.01.01", "99.01.02", "99.01.03"]
    detail = client.get("/api/population/kecamatan/99.01.02/").json()
    assert sorted(k["name"] for k in detail["kelurahan"]) == ["Karangsari", "Tegalrejo", "Wonosari"]


@pytest.mark.django_db
def test_epuskesmas_stores_visits_of_its_own_puskesmas(kota_contoh):
    from komando.assets.models import Asset
    from komando.connectors.epuskesmas.coordinator import clear_caches
    from komando.connectors.epuskesmas.simulator import build_simulator
    from komando.metrics.models import VisitCount

    clear_caches()
    monday_10_wib = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    app = build_simulator(kota_contoh, now=lambda: monday_10_wib, daily_volume=300, client_id="", client_secret="")
    try:
        run_connector("epuskesmas", app, clock=lambda: monday_10_wib)
    finally:
        clear_caches()
    puskesmas = json.loads((kota_contoh / "simulators" / "epuskesmas.json").read_text(encoding="utf-8"))["puskesmas"]
    facilities = Asset.objects.filter(source__slug="epuskesmas").select_related("region")
    assert sorted(a.name for a in facilities) == sorted(p["name"] for p in puskesmas)
    assert {a.region.code.rsplit(".", 1)[0] for a in facilities} <= {"99.01.01", "99.01.02", "99.01.03"}
    assert {a.region.code for a in facilities} == {p["village_code"] for p in puskesmas}
    assert VisitCount.objects.exists()
    assert set(VisitCount.objects.values_list("facility__name", flat=True)) <= {p["name"] for p in puskesmas}


@pytest.mark.django_db
def test_laksa_stores_complaints_on_its_kelurahan_with_its_opds(kota_contoh):
    from komando.complaints.models import Complaint
    from komando.connectors.laksa.simulator import build_simulator

    run_connector("laksa", build_simulator(kota_contoh))
    complaints = list(Complaint.objects.select_related("kelurahan", "kecamatan", "agency"))
    assert complaints
    assert {c.kelurahan.code for c in complaints} <= {r["code"] for r in rows("regions.csv") if r["level"] == "kelurahan"}
    assert all(c.agency is not None and c.agency.name.endswith("Kota Contoh") for c in complaints)
    assert all("Kota Contoh, Jawa Tengah" in c.address for c in complaints)


@pytest.mark.django_db
def test_banjir_stores_its_gauges_gates_and_pumps_on_its_regions(client, kota_contoh):
    from komando.assets.models import Asset
    from komando.connectors.banjir.simulator import build_simulator

    run_connector("banjir", build_simulator(kota_contoh))
    assets = Asset.objects.filter(source__slug="banjir").select_related("region")
    assert sorted((a.kind, a.source_ref) for a in assets) == [
        ("gauge", "pos-kali-contoh-hilir"),
        ("gauge", "pos-kali-contoh-hulu"),
        ("gauge", "pos-kali-wangi"),
        ("pump", "RP-01"),
        ("pump", "RP-02"),
        ("sluice_gate", "PA-01"),
        ("sluice_gate", "PA-02"),
    ]
    assert all(a.region is not None and a.region.code.startswith("99.01.") for a in assets)
    assert_only_contoh(client.get("/api/flood/").content.decode(), "/api/flood/")


@pytest.mark.django_db
def test_bmkg_warnings_over_its_kecamatan_affect_the_city(client, kota_contoh):
    from komando.connectors.bmkg.simulator import build_simulator
    from komando.hazards.models import WeatherWarning

    clock_at = [datetime(2026, 11, 25, 1, 30, tzinfo=UTC).timestamp()]
    app = build_simulator(kota_contoh, clock=lambda: clock_at[0])
    for _ in range(200):  # the first hour with a warning meant for the city
        if any(w.over_city for w in app.model.active_warnings()):
            break
        clock_at[0] += 3600
    else:
        raise AssertionError("the simulator never warned Kota Contoh in 200 hours")
    run_connector("bmkg", app)
    assert WeatherWarning.objects.filter(affects_city=True).exists()
    assert_only_contoh(client.get("/api/hazards/").content.decode(), "/api/hazards/")
    assert_only_contoh(client.get("/pis/state.json").content.decode(), "/pis/state.json")


def test_settings_take_the_mqtt_prefix_and_the_cap_sender_from_the_city():
    import os
    import subprocess

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KOMANDO_")},
        "KOMANDO_CITY_DIR": str(CONTOH),
        "DJANGO_SETTINGS_MODULE": "komando.settings",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            ("from django.conf import settings\nprint(settings.KOMANDO_MQTT_TOPIC_PREFIX, settings.KOMANDO_ALERTS_CAP_SENDER)"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["contoh", "komando@contoh.example.id"]


def test_device_positions_must_lie_around_its_own_kelurahan(settings):
    from komando.devices.mqtt import city_position_bounds
    from komando.devices.protocol import InvalidMessage, parse_message

    settings.KOMANDO_CITY_DIR = CONTOH
    bounds = city_position_bounds()
    topic = "contoh/banjir/99.01.03/pos-kali-contoh-hilir/telemetry"
    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)

    def fix(lat, lon):
        payload = json.dumps(
            {
                "_type": "waterLevel",
                "waterLevel": 1.4,
                "dateObserved": now.isoformat(),
                "location": {"type": "Point", "coordinates": [lon, lat]},
            }
        )
        return parse_message(topic, payload.encode(), "contoh", now, bounds)

    assert (fix(-7.4902, 110.6301).lat, fix(-7.4902, 110.6301).lon) == (-7.4902, 110.6301)
    with pytest.raises(InvalidMessage, match="outside"):
        fix(-6.1703, 106.6403)  # Kota Tangerang's centre


# 16:30 UTC on Monday 7 December 2026: 23:30 WIB on the 7th in Kota Tangerang, 00:30 WITA on Tuesday the 8th.
SPLIT = datetime(2026, 12, 7, 16, 30, tzinfo=UTC)


def test_kota_contoh_keeps_its_own_wita_clock(kota_contoh):
    from datetime import date

    from komando.alerts.cap import cap_time
    from komando.core import clock
    from komando.core.templatetags.city_clock import city_time
    from komando.incidents.sla.deadlines import deadline_for
    from komando.reports.selectors import day_bounds

    assert (clock.zone_name(), clock.zone_label()) == ("Asia/Makassar", "WITA")
    assert clock.city_today(SPLIT) == date(2026, 12, 8)
    assert cap_time(SPLIT) == "2026-12-08T00:30:00+08:00"
    assert city_time(SPLIT, "H.i") == "00.30 WITA"
    start, end = day_bounds(date(2026, 12, 8))
    assert (start.isoformat(), end.isoformat()) == ("2026-12-08T00:00:00+08:00", "2026-12-09T00:00:00+08:00")
    # one working day from Tuesday 8 December (WITA) ends Wednesday 9 December 23:59:59 WITA
    due = deadline_for(SPLIT, amount=1, unit="working_days")
    assert due.astimezone(clock.city_zone()).isoformat(timespec="seconds") == "2026-12-09T23:59:59+08:00"
