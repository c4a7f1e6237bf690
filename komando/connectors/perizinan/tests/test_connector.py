"""Perizinan connector against its simulator over real HTTP."""

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import serializers

from komando.connectors.perizinan.coordinator import Coordinator
from komando.connectors.perizinan.simulator import build_simulator
from komando.services.models import PermitApplication, PermitType
from komando.services.selectors import permits_summary, permits_tile
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response, running_simulator
from komando.sources.testing import Clock, closed_port, corrupting, published_per_run, refused_and_nothing_stored

WIB = ZoneInfo("Asia/Jakarta")
# A Wednesday morning: the service counter is open.
MORNING = datetime(2026, 11, 25, 10, 30, tzinfo=WIB)
STATUS = {"diajukan": "submitted", "verifikasi": "in_process", "terbit": "issued", "ditolak": "rejected"}


@pytest.fixture
def clock():
    return Clock(MORNING)


@pytest.fixture
def simulator(clock):
    return build_simulator(settings.KOMANDO_CITY_DIR, clock=clock)


@pytest.fixture
def perizinan(reference_data, simulator):
    with running_simulator(simulator) as url:
        yield Source.objects.get(slug="perizinan"), url


def coordinator(url, **options):
    return Coordinator(manifests()["perizinan"], Coordinator.config_class(base_url=url, **options))


def truth(simulator, changed_after: datetime) -> dict[str, dict]:
    """Every application whose last change is after ``changed_after``, in its state at the simulator's
    now, computed from the model hour by hour (not through the API)."""
    model = simulator.model
    now = model.now()
    rows = {}
    hour = datetime.fromtimestamp(int((changed_after - timedelta(days=60)).timestamp()) // 3600 * 3600, UTC)
    while hour <= now:
        for application in model.hour_applications(hour):
            shown = model.state(application, now)
            if shown is not None and datetime.fromisoformat(shown["diperbarui"]) > changed_after:
                rows[shown["nomor_permohonan"]] = shown
        hour += timedelta(hours=1)
    return rows


def stored_state():
    return (
        sorted(PermitType.objects.values_list("code", "name", "sla_days")),
        sorted(
            PermitApplication.objects.values_list(
                "source_ref",
                "permit_type__code",
                "region__code",
                "status",
                "applied_at",
                "issued_at",
                "within_sla",
                "source_updated_at",
            )
        ),
    )


def assert_stored_equals(expected: dict[str, dict], sla: dict[str, int]):
    stored = {row.source_ref: row for row in PermitApplication.objects.select_related("permit_type", "region")}
    assert stored.keys() == expected.keys()
    for ref, shown in expected.items():
        row = stored[ref]
        assert row.permit_type.code == shown["jenis_izin"]
        assert row.region.code == shown["kode_kelurahan"]
        assert row.status == STATUS[shown["status"]]
        assert row.applied_at == datetime.fromisoformat(shown["tanggal_pengajuan"])
        assert row.source_updated_at == datetime.fromisoformat(shown["diperbarui"])
        if shown["status"] == "terbit":
            finished = datetime.fromisoformat(shown["tanggal_selesai"])
            assert row.issued_at == finished
            assert row.within_sla == (finished - row.applied_at <= timedelta(days=sla[shown["jenis_izin"]]))
        else:
            assert (row.issued_at, row.within_sla) == (None, None)


def sla_days(simulator):
    return {t["kode"]: t["sla_hari"] for t in simulator.model.types}


@pytest.mark.django_db
def test_first_run_stores_the_last_30_days_as_the_simulator_has_them(perizinan, simulator, clock):
    source, url = perizinan
    assert run_source(source, coordinator(url)) is True

    expected = truth(simulator, clock.moment() - timedelta(days=30))
    assert len(expected) > 1000
    assert_stored_equals(expected, sla_days(simulator))
    assert PermitType.objects.count() == 10
    assert PermitType.objects.get(code="PBG").sla_days == 28
    statuses = Counter(PermitApplication.objects.values_list("status", flat=True))
    assert statuses == Counter(STATUS[row["status"]] for row in expected.values())
    assert set(statuses) == {"submitted", "in_process", "issued", "rejected"}
    source.refresh_from_db()
    last = max(expected.values(), key=lambda row: (datetime.fromisoformat(row["diperbarui"]), row["nomor_permohonan"]))
    assert source.cursor == {
        "updated_at": datetime.fromisoformat(last["diperbarui"]).astimezone(UTC).isoformat(),
        "after": last["nomor_permohonan"],
    }
    assert source.records_last_run == len(expected)


@pytest.mark.django_db
def test_no_applicant_identity_reaches_the_database(perizinan, simulator):
    source, url = perizinan
    run_source(source, coordinator(url))

    served_rows = simulator.model.changes_since(simulator.model.now() - timedelta(days=30))
    identities = {row[key] for row in served_rows for key in ("nama_pemohon", "nik_pemohon", "telepon_pemohon")}
    assert len(identities) > 100
    dumped = serializers.serialize(
        "json", [*PermitApplication.objects.all(), *PermitType.objects.all(), Source.objects.get(slug="perizinan")]
    )
    assert PermitApplication.objects.count() == len(served_rows)
    leaked = [value for value in identities if value in dumped]
    assert leaked == []
    field_names = {field.name for field in PermitApplication._meta.get_fields()}
    assert not field_names & {"name", "nik", "phone", "applicant", "nama_pemohon", "nik_pemohon"}


@pytest.mark.django_db
def test_rerun_stores_everything_once(perizinan):
    source, url = perizinan
    run_source(source, coordinator(url))
    first = stored_state()

    assert run_source(source, coordinator(url)) is True
    source.refresh_from_db()
    assert source.records_last_run == 0
    source.cursor = {}  # even from scratch, what is stored stays stored once
    source.save()
    assert run_source(source, coordinator(url)) is True

    assert stored_state() == first


@pytest.mark.django_db
def test_run_after_an_outage_resumes_from_the_cursor_without_gap(perizinan, simulator, clock):
    source, url = perizinan
    start = clock.moment()
    run_source(source, coordinator(url))
    source.refresh_from_db()
    cursor = dict(source.cursor)
    asked = []

    def record(request):
        if "permohonan" in request.path:
            asked.append((request.arg("diperbarui_sejak"), request.arg("setelah")))
        return None

    clock.advance(minutes=90)
    simulator.fault = lambda request: Response.json({"error": "maintenance"}, status=503)
    assert run_source(source, coordinator(url)) is False
    clock.advance(minutes=150)  # past noon: applications arrived and others changed meanwhile
    simulator.fault = record
    assert run_source(source, coordinator(url)) is True

    assert asked[0] == (cursor["updated_at"], cursor["after"])
    key = (datetime.fromisoformat(cursor["updated_at"]), cursor["after"])
    changed_meanwhile = [
        ref
        for ref, row in truth(simulator, start - timedelta(days=1)).items()
        if (datetime.fromisoformat(row["diperbarui"]), ref) > key
    ]
    assert len(changed_meanwhile) > 10
    assert_stored_equals(truth(simulator, start - timedelta(days=30)), sla_days(simulator))
    source.refresh_from_db()
    assert source.records_last_run == len(changed_meanwhile)


@pytest.mark.django_db
def test_small_pages_over_several_runs_store_the_same_as_one_run(perizinan, simulator, clock):
    source, url = perizinan
    runs = 0
    while True:
        assert run_source(source, coordinator(url, page_size=100, max_pages=4)) is True
        runs += 1
        source.refresh_from_db()
        if source.records_last_run == 0:
            break
        assert runs < 20
    assert runs >= 5
    assert_stored_equals(truth(simulator, clock.moment() - timedelta(days=30)), sla_days(simulator))


@pytest.mark.django_db
def test_summary_and_tile_count_what_the_simulator_has(perizinan, simulator, clock):
    source, url = perizinan
    run_source(source, coordinator(url))
    now = clock.moment()
    today = now.astimezone(WIB).date()
    expected = truth(simulator, now - timedelta(days=30))

    def local_day(raw):
        return datetime.fromisoformat(raw).astimezone(WIB).date()

    applied_today = sum(1 for row in expected.values() if local_day(row["tanggal_pengajuan"]) == today)
    issued_today = sum(1 for row in expected.values() if row["status"] == "terbit" and local_day(row["tanggal_selesai"]) == today)
    issued_window = [
        row
        for row in expected.values()
        if row["status"] == "terbit" and datetime.fromisoformat(row["tanggal_selesai"]) > now - timedelta(days=30)
    ]
    sla = sla_days(simulator)
    within = sum(
        1
        for row in issued_window
        if datetime.fromisoformat(row["tanggal_selesai"]) - datetime.fromisoformat(row["tanggal_pengajuan"])
        <= timedelta(days=sla[row["jenis_izin"]])
    )

    summary = permits_summary(now)
    assert (summary["applied_today"], summary["issued_today"]) == (applied_today, issued_today)
    assert applied_today > 5
    assert (summary["issued_30_days"], summary["issued_within_sla_30_days"]) == (len(issued_window), within)
    assert 70 < summary["within_sla_percent_30_days"] < 95
    assert summary["daily"][-1] == {"date": today.isoformat(), "applied": applied_today, "issued": issued_today}
    month_types = Counter(
        row["jenis_izin"] for row in expected.values() if local_day(row["tanggal_pengajuan"]).month == today.month
    )
    assert {row["code"]: row["applied"] for row in summary["by_type_this_month"] if row["applied"]} == month_types
    assert sum(row["applied"] for row in summary["by_kecamatan_this_month"]) == sum(month_types.values())

    tile = permits_tile(now)
    assert tile.key == "permits" and tile.source == "perizinan" and tile.audience == "public"
    assert [figure.value for figure in tile.figures[:3]] == [issued_today, applied_today, summary["within_sla_percent_30_days"]]
    assert [row.value for row in tile.rows] == [
        count for _, count in sorted(month_types.items(), key=lambda item: (-item[1], item[0]))
    ][:6]
    assert tile.rows[0].label == "Izin Usaha Mikro dan Kecil (NIB berbasis risiko)"


@pytest.mark.django_db
def test_tile_is_absent_before_any_permit(reference_data):
    assert permits_tile() is None


def _drop_status(body):
    del body["data"][3]["status"]


def _date_as_number(body):
    body["data"][0]["tanggal_pengajuan"] = 20261125


def _unknown_region(body):
    body["data"][0]["kode_kelurahan"] = "36.71.01.1999"


def _unknown_type(body):
    body["data"][1]["jenis_izin"] = "IMB-LAMA"


def _unknown_status(body):
    body["data"][0]["status"] = "hilang"


def _issued_without_date(body):
    for row in body["data"]:
        if row["status"] == "terbit":
            row["tanggal_selesai"] = None
            return


def _sla_as_text(body):
    body["data"][0]["sla_hari"] = "28"


def _naive_time(body):
    body["data"][0]["diperbarui"] = body["data"][0]["diperbarui"][:19]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path_part", "mutate", "message"),
    [
        ("/permohonan", _drop_status, "Perizinan applications: data.3.status: Field required"),
        ("/permohonan", _date_as_number, "data.0.tanggal_pengajuan"),
        ("/permohonan", _unknown_region, "unknown kelurahan code '36.71.01.1999'"),
        ("/permohonan", _unknown_type, "unknown permit type 'IMB-LAMA'"),
        ("/permohonan", _unknown_status, "data.0.status"),
        ("/permohonan", _issued_without_date, "is terbit without tanggal_selesai"),
        ("/permohonan", _naive_time, "timezone"),
        ("/jenis-izin", _sla_as_text, "Perizinan permit types: data.0.sla_hari"),
    ],
)
def test_bad_data_is_refused_and_keeps_what_is_stored(perizinan, simulator, clock, path_part, mutate, message):
    source, url = perizinan

    def breaks():
        clock.advance(minutes=60)
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


def _slow(request):
    time.sleep(1.0)
    return None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fault", "options", "kind", "message"),
    [
        (
            lambda request: Response(200, b'{"status": "ok", "data": [{"nomor_permohonan": "DPM', "application/json"),
            {},
            "invalid",
            "malformed JSON",
        ),
        (lambda request: Response(200, b"<html>Bad gateway</html>", "text/html"), {}, "invalid", "malformed JSON"),
        (lambda request: Response.json({"error": "internal"}, status=500), {}, "server", "HTTP 500"),
        (
            lambda request: Response.json({"pesan": "token"}, status=401) if "permohonan" in request.path else None,
            {},
            "auth",
            "HTTP 401",
        ),
        (lambda request: Response.json({"data": {"x": 1}}), {}, "invalid", "Perizinan permit types: data"),
        (_slow, {"timeout_seconds": 0.3}, "unreachable", "did not answer within 0.3 s"),
    ],
)
def test_broken_responses_are_refused_and_keep_what_is_stored(perizinan, simulator, clock, fault, options, kind, message):
    source, url = perizinan

    def breaks():
        clock.advance(minutes=60)
        simulator.fault = fault
        return options

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
def test_unreachable_server_is_reported_and_keeps_what_is_stored(perizinan):
    source, url = perizinan
    run_source(source, coordinator(url))
    before = stored_state()
    port = closed_port()

    assert run_source(source, coordinator(f"http://127.0.0.1:{port}", timeout_seconds=2)) is False

    source.refresh_from_db()
    assert source.last_error_kind == "unreachable"
    assert "Perizinan is unreachable" in source.last_error
    assert stored_state() == before


@pytest.mark.django_db
def test_changes_publish_the_permits_tile_once(perizinan, clock, django_capture_on_commit_callbacks):
    source, url = perizinan
    first, unchanged, later = published_per_run(
        django_capture_on_commit_callbacks, lambda: run_source(source, coordinator(url)), lambda: clock.advance(minutes=30)
    )
    assert first == 2  # tile.permits + source.health
    assert unchanged == 1  # source.health only
    assert later == 2
