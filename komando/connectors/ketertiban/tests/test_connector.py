"""Ketertiban connector against its simulator over real HTTP."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from komando.assets.models import Asset
from komando.connectors.ketertiban.coordinator import Coordinator
from komando.connectors.ketertiban.simulator import build_simulator
from komando.fieldops.models import OrderActivityDay, UnitDuty
from komando.fieldops.selectors import public_order_panel, public_order_tile
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response, running_simulator
from komando.sources.testing import (
    Clock,
    corrupting,
    refused_and_nothing_stored,
    served,
    truncated_slow_and_unreachable,
)

WIB = ZoneInfo("Asia/Jakarta")
STATUS = {"dinas": "on_duty", "lepas_dinas": "off_duty", "penugasan": "on_assignment"}


def today() -> date:
    return datetime.now(WIB).date()


@pytest.fixture
def clock():
    return Clock(datetime.combine(today(), time(10, 40), tzinfo=WIB))


@pytest.fixture
def simulator(clock):
    return build_simulator(settings.KOMANDO_CITY_DIR, clock=clock)


@pytest.fixture
def ketertiban(reference_data, simulator):
    with running_simulator(simulator) as url:
        yield Source.objects.get(slug="ketertiban"), url


def coordinator(url, **options):
    return Coordinator(manifests()["ketertiban"], Coordinator.config_class(base_url=url, **options))


def stored_state():
    return (
        sorted(
            (a.kind, a.source_ref, a.name, a.region.code if a.region else None, sorted(a.attributes.items()))
            for a in Asset.objects.select_related("region")
        ),
        sorted(UnitDuty.objects.values_list("unit__source_ref", "status", "assignment", "since")),
        sorted(OrderActivityDay.objects.values_list("date", "kind", "count")),
    )


@pytest.mark.django_db
def test_run_stores_roster_statuses_and_activities_as_served(ketertiban, simulator):
    source, url = ketertiban
    assert run_source(source, coordinator(url)) is True
    model = simulator.model

    officers = Asset.objects.filter(source=source, kind="officer")
    patrols = Asset.objects.filter(source=source, kind="patrol")
    assert (officers.count(), patrols.count()) == (10, 4)
    one = officers.get(source_ref="satpol-ptg-01")
    assert (one.name, one.attributes["regu"], one.region.code) == ("Petugas Satpol PP 01", "Regu A", "36.71.01")
    assert patrols.get(source_ref="satpol-patroli-4").attributes == {"regu": "Regu D", "unit_type": "patrol"}

    block = model.block_start(model.now())
    duties = {d.unit.source_ref: d for d in UnitDuty.objects.select_related("unit")}
    assert len(duties) == 14
    for unit_id in model.units:
        status, text = model.status(unit_id, block)
        assert (duties[unit_id].status, duties[unit_id].assignment) == (STATUS[status], text or "")
    assert {d.status for d in duties.values()} >= {"on_duty", "off_duty"}

    counts = model.activity_counts(today())
    assert dict(OrderActivityDay.objects.filter(date=today()).values_list("kind", "count")) == counts
    assert sum(counts.values()) > 0
    source.refresh_from_db()
    assert source.cursor == {"activities_day": today().isoformat()}


@pytest.mark.django_db
def test_no_personal_data_is_stored(ketertiban, simulator):
    source, url = ketertiban

    def with_personal_fields(body):
        for row in body["data"]:
            row.update(
                {"nama": "Budi Santoso", "nip": "198703122010011002", "nik": "3671011203870001", "telepon": "081234567890"}
            )

    simulator.fault = corrupting(simulator, "/api/unit", with_personal_fields)
    assert run_source(source, coordinator(url)) is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, attributes FROM assets_asset")
        dumped = repr(cursor.fetchall())
    for personal in ("Budi", "198703122010011002", "3671011203870001", "081234567890"):
        assert personal not in dumped
    assert Asset.objects.filter(kind="officer").count() == 10


@pytest.mark.django_db
def test_rerun_stores_everything_once(ketertiban):
    source, url = ketertiban
    run_source(source, coordinator(url))
    first = stored_state()
    assert run_source(source, coordinator(url)) is True
    source.refresh_from_db()
    source.cursor = {}
    source.save()
    assert run_source(source, coordinator(url)) is True
    assert stored_state() == first


@pytest.mark.django_db
def test_statuses_and_counts_follow_the_day(ketertiban, simulator, clock):
    source, url = ketertiban
    run_source(source, coordinator(url))
    morning = dict(OrderActivityDay.objects.filter(date=today()).values_list("kind", "count"))
    clock.advance(hours=6)  # 16:40: the afternoon regu is on duty
    assert run_source(source, coordinator(url)) is True
    model = simulator.model
    block = model.block_start(model.now())
    assert dict(UnitDuty.objects.values_list("unit__source_ref", "status")) == {
        unit_id: STATUS[model.status(unit_id, block)[0]] for unit_id in model.units
    }
    afternoon = dict(OrderActivityDay.objects.filter(date=today()).values_list("kind", "count"))
    assert afternoon == model.activity_counts(today())
    assert all(afternoon[kind] >= morning[kind] for kind in morning) and afternoon != morning
    assert OrderActivityDay.objects.count() == 3


@pytest.mark.django_db
def test_an_outage_over_midnight_keeps_the_final_counts_of_the_days_missed(ketertiban, simulator, clock):
    source, url = ketertiban
    run_source(source, coordinator(url))
    clock.advance(days=2)
    assert run_source(source, coordinator(url)) is True
    model = simulator.model
    for offset in (0, 1, 2):
        day = today() + timedelta(days=offset)
        assert dict(OrderActivityDay.objects.filter(date=day).values_list("kind", "count")) == model.activity_counts(day)
    assert OrderActivityDay.objects.count() == 9


def _status_of_unknown_unit(body):
    body["data"][0]["id_unit"] = "satpol-ptg-99"


def _unknown_status(body):
    body["data"][0]["status"] = "cuti"


def _assignment_without_text(body):
    body["data"][0]["status"] = "penugasan"
    body["data"][0]["penugasan"] = None


def _count_as_text(body):
    body["data"][0]["jumlah"] = "12"


def _negative_count(body):
    body["data"][1]["jumlah"] = -1


def _unknown_kind(body):
    body["data"][0]["jenis"] = "razia"


def _unknown_region(body):
    body["data"][0]["kode_kecamatan"] = "36.71.14"


def _missing_call_sign(body):
    del body["data"][3]["nama_panggilan"]


def _naive_since(body):
    body["data"][0]["sejak"] = body["data"][0]["sejak"][:19]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path_part", "mutate", "message"),
    [
        ("/api/status", _status_of_unknown_unit, "'satpol-ptg-99', which is not in the roster"),
        ("/api/status", _unknown_status, "data.0.status"),
        ("/api/status", _assignment_without_text, "without its description"),
        ("/api/status", _naive_since, "timezone"),
        ("/api/kegiatan", _count_as_text, "data.0.jumlah"),
        ("/api/kegiatan", _negative_count, "data.1.jumlah"),
        ("/api/kegiatan", _unknown_kind, "data.0.jenis"),
        ("/api/unit", _unknown_region, "unknown region code '36.71.14'"),
        ("/api/unit", _missing_call_sign, "data.3.nama_panggilan: Field required"),
    ],
)
def test_bad_data_is_refused_and_keeps_what_is_stored(ketertiban, clock, simulator, path_part, mutate, message):
    source, url = ketertiban

    def breaks():
        clock.advance(hours=2)
        simulator.fault = corrupting(simulator, path_part, mutate)

    refused_and_nothing_stored(
        source,
        lambda: run_source(source, coordinator(url)),
        stored_state,
        kind="invalid",
        message=message,
        breaks=breaks,
        keeps_cursor=True,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fault", "kind", "message"),
    [
        (lambda request: Response(200, b'{"data": [', "application/json"), "invalid", "malformed JSON"),
        (lambda request: Response.json({"error": "internal"}, status=500), "server", "HTTP 500"),
        (lambda request: Response.json({"error": "login"}, status=401), "auth", "refused access (HTTP 401)"),
        (lambda request: Response.json({"status": "ok"}), "invalid", "Ketertiban unit roster: data: Field required"),
    ],
)
def test_broken_responses_are_refused_and_keep_what_is_stored(ketertiban, simulator, clock, fault, kind, message):
    source, url = ketertiban

    def breaks():
        clock.advance(hours=2)
        simulator.fault = fault

    refused_and_nothing_stored(
        source,
        lambda **options: run_source(source, coordinator(url, **options)),
        stored_state,
        kind=kind,
        message=message,
        breaks=breaks,
        first_must_succeed=False,
    )


@pytest.mark.django_db
def test_truncated_json_timeout_and_unreachable_keep_what_is_stored(ketertiban, simulator, clock):
    source, url = ketertiban
    truncated_slow_and_unreachable(
        source,
        lambda url=url, **options: run_source(source, coordinator(url, **options)),
        stored_state,
        simulator,
        truncate="/api/status",
        slow_path="/api/kegiatan",
        application="Ketertiban",
        between=lambda: clock.advance(hours=2),
    )


@pytest.mark.django_db
def test_public_order_tile_is_for_staff_and_counts_units_and_activities(ketertiban, simulator):
    source, url = ketertiban
    run_source(source, coordinator(url))
    model = simulator.model
    block = model.block_start(model.now())
    statuses = [model.status(unit_id, block)[0] for unit_id in model.units]
    counts = model.activity_counts(today())

    tile = public_order_tile()
    assert (tile.key, tile.source, tile.audience) == ("public_order", "ketertiban", "staff")
    on_duty, on_assignment, activities, off_duty = tile.figures
    assert on_duty.value == sum(1 for s in statuses if s in ("dinas", "penugasan"))
    assert on_assignment.value == statuses.count("penugasan")
    assert activities.value == sum(counts.values())
    assert off_duty.value == statuses.count("lepas_dinas")
    assert [row.value for row in tile.rows[:3]] == [counts["penertiban"], counts["patroli"], counts["pengamanan"]]
    texts = {model.status(unit_id, block)[1] for unit_id in model.units} - {None}
    assert {row.value for row in tile.rows[3:]} <= texts
    assert len(tile.rows) == min(6, 3 + statuses.count("penugasan"))
    panel = public_order_panel()
    assert panel["summary"]["on_assignment"] == statuses.count("penugasan")
    assert len(panel["units"]) == 14


@pytest.mark.django_db
def test_changes_publish_the_staff_tile_once(ketertiban, clock, django_capture_on_commit_callbacks):
    source, url = ketertiban
    with django_capture_on_commit_callbacks() as first:
        run_source(source, coordinator(url))
    with django_capture_on_commit_callbacks() as unchanged:
        run_source(source, coordinator(url))
    assert len(first) == 2 and len(unchanged) == 1


def test_simulator_serves_call_signs_only(simulator):
    from komando.sources.simulation import Request

    body = served(simulator, Request("GET", "/api/unit", {}, {}, b"")).body.decode()
    assert "Petugas Satpol PP 01" in body and "nip" not in body and "telepon" not in body
