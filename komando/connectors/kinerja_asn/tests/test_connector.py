"""Kinerja ASN connector against its simulator over real HTTP."""

import json
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from komando.connectors.kinerja_asn.coordinator import Coordinator
from komando.connectors.kinerja_asn.simulator import build_simulator
from komando.services.models import AttendanceDay
from komando.services.selectors import workforce_summary, workforce_tile
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response, running_simulator
from komando.sources.testing import Clock, closed_port, published_per_run, refused_and_nothing_stored

WIB = ZoneInfo("Asia/Jakarta")
# A Wednesday, mid-morning: everyone who comes has checked in.
MORNING = datetime(2026, 11, 25, 10, 15, tzinfo=WIB)


@pytest.fixture
def clock():
    return Clock(MORNING)


@pytest.fixture
def simulator(clock):
    return build_simulator(settings.KOMANDO_CITY_DIR, clock=clock)


@pytest.fixture
def kinerja(reference_data, simulator):
    with running_simulator(simulator) as url:
        yield Source.objects.get(slug="kinerja-asn"), url


def coordinator(url, **options):
    return Coordinator(manifests()["kinerja-asn"], Coordinator.config_class(base_url=url, **options))


FIELDS = ("asn_count", "present", "on_time", "late", "on_leave", "sick", "absent", "performance_score")
API_FIELDS = ("jumlah_asn", "hadir", "tepat_waktu", "terlambat", "cuti", "sakit", "tanpa_keterangan", "rata_rata_capaian_skp")


def stored_state():
    return sorted(AttendanceDay.objects.values_list("agency__code", "date", *FIELDS, "source_updated_at"))


def truth(simulator, days):
    """The simulator's figures per (OPD, day), computed from its model (not through the API)."""
    model = simulator.model
    now = model.now()
    return {
        (code, day): tuple(model.row(code, day, now)[name] for name in API_FIELDS)
        for day in days
        if model.is_working_day(day)
        for code in model.agencies
    }


def stored():
    return {(row[0], row[1]): tuple(row[2:]) for row in AttendanceDay.objects.values_list("agency__code", "date", *FIELDS)}


def days_back(end: date, count: int) -> list[date]:
    return [end - timedelta(days=offset) for offset in range(count - 1, -1, -1)]


@pytest.mark.django_db
def test_first_run_stores_the_last_week_per_opd_as_the_simulator_has_it(kinerja, simulator):
    source, url = kinerja
    assert run_source(source, coordinator(url)) is True

    expected = truth(simulator, days_back(MORNING.date(), 7))
    assert len(expected) == 5 * 20  # five working days, twenty OPD
    assert stored() == expected
    dindik = AttendanceDay.objects.get(agency__code="dindik", date=MORNING.date())
    assert dindik.asn_count == 5150
    assert dindik.present == dindik.on_time + dindik.late > 4500
    assert dindik.source_updated_at == MORNING
    source.refresh_from_db()
    assert source.cursor == {"date": "2026-11-25"}
    assert source.records_last_run == 100


@pytest.mark.django_db
def test_rerun_stores_everything_once(kinerja):
    source, url = kinerja
    run_source(source, coordinator(url))
    first = stored_state()

    assert run_source(source, coordinator(url)) is True
    source.refresh_from_db()
    source.cursor = {}
    source.save()
    assert run_source(source, coordinator(url)) is True

    assert stored_state() == first
    assert AttendanceDay.objects.count() == 100


@pytest.mark.django_db
def test_today_is_updated_as_people_check_in(reference_data, clock):
    clock.now = datetime(2026, 11, 25, 7, 0, tzinfo=WIB).timestamp()
    simulator = build_simulator(settings.KOMANDO_CITY_DIR, clock=clock)
    with running_simulator(simulator) as url:
        source = Source.objects.get(slug="kinerja-asn")
        run_source(source, coordinator(url))
        early = AttendanceDay.objects.get(agency__code="dinkes", date=date(2026, 11, 25))
        clock.advance(minutes=180)
        run_source(source, coordinator(url))
    later = AttendanceDay.objects.get(agency__code="dinkes", date=date(2026, 11, 25))
    assert early.late == 0 and early.absent == 0
    assert later.present > early.present and later.late > 0 and later.absent > 0
    assert AttendanceDay.objects.filter(date=date(2026, 11, 25)).count() == 20
    assert stored()[("dinkes", date(2026, 11, 25))] == truth(simulator, [date(2026, 11, 25)])[("dinkes", date(2026, 11, 25))]


@pytest.mark.django_db
def test_run_after_an_outage_of_days_resumes_from_the_cursor_without_gap(kinerja, simulator, clock):
    source, url = kinerja
    run_source(source, coordinator(url))
    asked = []

    def record(request):
        asked.append(request.arg("tanggal"))
        return None

    clock.advance(minutes=60 * 24)
    simulator.fault = lambda request: Response.json({"error": "maintenance"}, status=503)
    assert run_source(source, coordinator(url)) is False
    clock.advance(minutes=60 * 24 * 2)  # Saturday morning
    simulator.fault = record
    assert run_source(source, coordinator(url)) is True

    assert asked == [None, "2026-11-25", "2026-11-26", "2026-11-27"]
    expected = truth(simulator, days_back(date(2026, 11, 28), 10))
    assert {key for key in expected if key[1] >= date(2026, 11, 19)} == set(stored())
    assert stored() == {key: value for key, value in expected.items() if key[1] >= date(2026, 11, 19)}
    # The 25th was reported again once the day had closed.
    closed = AttendanceDay.objects.get(agency__code="dlh", date=date(2026, 11, 25))
    assert closed.source_updated_at == datetime(2026, 11, 25, 23, 0, tzinfo=WIB)
    source.refresh_from_db()
    assert source.cursor == {"date": "2026-11-28"}


@pytest.mark.django_db
def test_summary_and_tile_show_today_and_the_lowest_attendance(kinerja, simulator, clock):
    source, url = kinerja
    run_source(source, coordinator(url))
    expected = truth(simulator, [MORNING.date()])
    present = sum(row[1] for row in expected.values())
    total = sum(row[0] for row in expected.values())

    summary = workforce_summary(MORNING.date())
    assert (summary["present"], summary["asn_count"]) == (present, total)
    assert summary["attendance_percent"] == round(100 * present / total, 1)
    assert summary["agencies_reporting"] == 20

    tile = workforce_tile(clock.moment())
    assert (tile.key, tile.source, tile.audience) == ("workforce", "kinerja-asn", "staff")
    assert [f.value for f in tile.figures[:3]] == [summary["attendance_percent"], summary["late"], summary["on_leave"]]
    lowest = sorted(((round(100 * row[1] / row[0], 1), code) for (code, _day), row in expected.items()))[:5]
    assert [(row.value, row.label) for row in tile.rows] == [
        (percent, AttendanceDay.objects.filter(agency__code=code).first().agency.short_name) for percent, code in lowest
    ]


@pytest.mark.django_db
def test_tile_on_a_weekend_shows_the_last_working_day(kinerja, clock):
    source, url = kinerja
    run_source(source, coordinator(url))
    sunday = datetime(2026, 11, 29, 9, 0, tzinfo=WIB)
    tile = workforce_tile(sunday)
    assert tile is not None
    assert "25-11-2026" in tile.title
    assert workforce_summary(date(2026, 11, 29))["agencies_reporting"] == 0


@pytest.mark.django_db
def test_tile_is_absent_without_data(reference_data):
    assert workforce_tile() is None


def _unknown_agency(body):
    body["data"][0]["kode_opd"] = "dinas-rahasia"


def _count_as_text(body):
    body["data"][1]["hadir"] = str(body["data"][1]["hadir"])


def _missing_field(body):
    del body["data"][2]["cuti"]


def _not_adding_up(body):
    body["data"][0]["hadir"] += 3


def _more_than_employed(body):
    body["data"][0]["sakit"] = body["data"][0]["jumlah_asn"]


def _negative(body):
    body["data"][0]["terlambat"] = -1


def _twice(body):
    body["data"].append(dict(body["data"][0]))


def _wrong_day(body):
    body["tanggal"] = "2026-11-01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_unknown_agency, "unknown agency code 'dinas-rahasia'"),
        (_count_as_text, "data.1.hadir: Input should be a valid integer"),
        (_missing_field, "data.2.cuti: Field required"),
        (_not_adding_up, "is not tepat_waktu + terlambat"),
        (_more_than_employed, "ASN accounted for, but only"),
        (_negative, "data.0.terlambat"),
        (_twice, "reported twice"),
        (_wrong_day, "the answer is for 2026-11-01"),
    ],
)
def test_bad_data_is_refused_and_keeps_what_is_stored(kinerja, simulator, clock, mutate, message):
    source, url = kinerja
    assert run_source(source, coordinator(url)) is True
    before = stored_state()
    source.refresh_from_db()
    cursor = source.cursor

    clock.advance(minutes=60 * 24)

    def fault(request):
        if request.arg("tanggal") != "2026-11-25":
            return None
        handler = simulator.routes[0][2]
        body = json.loads(handler(request).body)
        mutate(body)
        return Response.json(body)

    simulator.fault = fault
    assert run_source(source, coordinator(url)) is False

    source.refresh_from_db()
    assert source.last_error_kind == "invalid"
    assert message in source.last_error, source.last_error
    assert stored_state() == before
    assert source.cursor == cursor


def _slow(request):
    time.sleep(1.0)
    return None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fault", "options", "kind", "message"),
    [
        (
            lambda request: Response(200, b'{"status": "ok", "tanggal": "2026-11-25", "data": [{"kode', "application/json"),
            {},
            "invalid",
            "malformed JSON",
        ),
        (lambda request: Response.json([1, 2, 3]), {}, "invalid", "Kinerja ASN recap of today"),
        (lambda request: Response.json({"error": "internal"}, status=500), {}, "server", "HTTP 500"),
        (lambda request: Response.json({"pesan": "token tidak valid"}, status=401), {}, "auth", "HTTP 401"),
        (_slow, {"timeout_seconds": 0.3}, "unreachable", "did not answer within 0.3 s"),
    ],
)
def test_broken_responses_are_refused_and_keep_what_is_stored(kinerja, simulator, clock, fault, options, kind, message):
    source, url = kinerja

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
def test_unreachable_server_is_reported_and_keeps_what_is_stored(kinerja):
    source, url = kinerja
    run_source(source, coordinator(url))
    before = stored_state()
    port = closed_port()

    assert run_source(source, coordinator(f"http://127.0.0.1:{port}", timeout_seconds=2)) is False

    source.refresh_from_db()
    assert source.last_error_kind == "unreachable"
    assert "Kinerja ASN is unreachable" in source.last_error
    assert stored_state() == before


@pytest.mark.django_db
def test_changes_publish_the_workforce_tile_to_staff_once(kinerja, clock, django_capture_on_commit_callbacks):
    source, url = kinerja
    first, unchanged, later = published_per_run(
        django_capture_on_commit_callbacks, lambda: run_source(source, coordinator(url)), lambda: clock.advance(minutes=5)
    )
    assert (first, unchanged, later) == (2, 1, 2)
