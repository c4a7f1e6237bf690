"""SP4N-LAPOR! connector and follow-ups against the simulator over real HTTP."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from komando.audit.models import AuditRecord
from komando.complaints.models import Channel, Complaint, LaporFollowUp
from komando.connectors.lapor.client import HttpLaporGateway
from komando.connectors.lapor.coordinator import Coordinator
from komando.connectors.lapor.follow_up import do_send_lapor_follow_up
from komando.connectors.lapor.simulator import build_simulator
from komando.sources.framework import SourceAuthFailed
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response, running_simulator
from komando.sources.testing import Clock, closed_port

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 25, 10, 0, 30, tzinfo=WIB)
KEY = "test-keytoken-lapor"


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def simulator(clock):
    return build_simulator(settings.KOMANDO_CITY_DIR, clock=clock, keytoken=KEY)


@pytest.fixture
def lapor(reference_data, simulator):
    with running_simulator(simulator) as url:
        yield Source.objects.get(slug="lapor"), url


def coordinator(url, keytoken=KEY, **options):
    return Coordinator(manifests()["lapor"], Coordinator.config_class(base_url=url, keytoken=keytoken, **options))


def truth(simulator) -> dict[str, dict]:
    now = simulator.model.now()
    found = {}
    for report in simulator.model.reports():
        status, changed, _note = simulator.model.state(report, now)
        found[report["tracking_id"]] = {"status": status, "changed": changed, "report": report}
    return found


def stored_state():
    return sorted(
        Complaint.objects.values_list(
            "source_ref", "status", "source_status", "source_updated_at", "category_code", "kelurahan__code", "confidential"
        )
    )


@pytest.mark.django_db
def test_first_run_stores_every_disposed_report(lapor, simulator):
    source, url = lapor
    assert run_source(source, coordinator(url)) is True, Source.objects.get(slug="lapor").last_error

    expected = truth(simulator)
    assert len(expected) > 200  # several pages of 50
    assert Complaint.objects.filter(source=source, channel=Channel.LAPOR).count() == len(expected)
    status_of = {"didisposisikan": "waiting", "ditindaklanjuti": "in_progress", "selesai": "resolved"}
    for complaint in Complaint.objects.select_related("kelurahan"):
        known = expected[complaint.source_ref]
        report = known["report"]
        assert complaint.source_ref.isdigit()
        assert (complaint.status, complaint.source_status) == (status_of[known["status"]], known["status"])
        assert complaint.source_updated_at == known["changed"]
        assert complaint.disposed_at == report["disposed"]
        assert complaint.confidential == (report["confidential"] or report["anonymous"])
        if report["place"]:
            assert complaint.kelurahan.code == report["place"]["kode_kelurahan"]
            assert (complaint.lat, complaint.lon) == (report["place"]["lat"], report["place"]["lon"])
        else:
            assert complaint.kelurahan is None and complaint.lat is None


@pytest.mark.django_db
def test_reporters_names_are_never_stored(lapor, simulator):
    source, url = lapor
    run_source(source, coordinator(url))
    names = {r["reporter"] for r in simulator.model.reports() if r["reporter"]}
    assert names
    dump = json.dumps(list(Complaint.objects.values()), default=str)
    for name in names:
        assert name not in dump
    assert not Complaint.objects.exclude(contact_name="", contact_phone="", contact_email="").exists()


@pytest.mark.django_db
def test_rerun_is_idempotent_and_resumes_from_the_cursor(lapor, simulator, clock):
    source, url = lapor
    run_source(source, coordinator(url))
    before = stored_state()
    assert run_source(source, coordinator(url)) is True
    assert stored_state() == before

    source.refresh_from_db()
    cursor = datetime.fromisoformat(source.cursor["updated_since"])
    asked = []

    def record(request):
        if request.path.endswith("/disposisi"):
            asked.append(request.json().get("sejak"))
        return None

    simulator.fault = record
    clock.advance(minutes=24 * 60)
    assert run_source(source, coordinator(url)) is True
    assert datetime.fromisoformat(asked[0]) == cursor - timedelta(seconds=300)
    expected = truth(simulator)
    stored = {
        ref: (status, changed)
        for ref, status, changed in Complaint.objects.values_list("source_ref", "source_status", "source_updated_at")
    }
    assert {ref: (item["status"], item["changed"]) for ref, item in expected.items()} == {ref: stored[ref] for ref in expected}
    assert len(set(expected) - {row[0] for row in before}) > 10


@pytest.mark.django_db
def test_follow_up_reaches_lapor_is_audited_and_comes_back(lapor, simulator, clock, personas):
    source, url = lapor
    run_source(source, coordinator(url))
    complaint = Complaint.objects.filter(channel=Channel.LAPOR, source_status="didisposisikan").first()
    gateway = HttpLaporGateway(url, KEY)

    follow_up = do_send_lapor_follow_up(
        complaint, "ditindaklanjuti", "Petugas PUPR sudah meninjau lokasi.", personas["operator"], gateway=gateway
    )

    assert simulator.model.follow_ups[-1]["tracking_id"] == complaint.source_ref
    assert (simulator.model.follow_ups[-1]["status"], simulator.model.follow_ups[-1]["isi"]) == (
        "ditindaklanjuti",
        "Petugas PUPR sudah meninjau lokasi.",
    )
    assert follow_up.ok and follow_up.sent_by == personas["operator"]
    complaint.refresh_from_db()
    assert (complaint.status, complaint.source_status) == ("in_progress", "ditindaklanjuti")
    audit = AuditRecord.objects.get(action="lapor.follow_up")
    assert audit.actor == personas["operator"] and audit.object_id == str(complaint.pk)
    assert audit.after["ok"] is True and audit.before["status"] == "waiting"

    clock.advance(minutes=5)
    assert run_source(source, coordinator(url)) is True
    complaint.refresh_from_db()
    assert complaint.source_status == "ditindaklanjuti"
    assert complaint.status_notes == "Petugas PUPR sudah meninjau lokasi."


@pytest.mark.django_db
def test_refused_follow_up_is_recorded_and_raised(lapor, simulator, personas):
    source, url = lapor
    run_source(source, coordinator(url))
    complaint = Complaint.objects.filter(channel=Channel.LAPOR, source_status="didisposisikan").first()
    before = (complaint.status, complaint.source_status)

    with pytest.raises(SourceAuthFailed, match="refused the KEYTOKEN"):
        do_send_lapor_follow_up(
            complaint, "selesai", "Sudah selesai.", personas["operator"], gateway=HttpLaporGateway(url, "wrong-key")
        )

    assert simulator.model.follow_ups == []
    failed = LaporFollowUp.objects.get()
    assert not failed.ok and "HTTP 401" in failed.error
    complaint.refresh_from_db()
    assert (complaint.status, complaint.source_status) == before
    assert AuditRecord.objects.get(action="lapor.follow_up").after["ok"] is False
    with pytest.raises(ValueError):
        do_send_lapor_follow_up(complaint, "didisposisikan", "x", personas["operator"], gateway=HttpLaporGateway(url, KEY))
    with pytest.raises(ValueError):
        do_send_lapor_follow_up(complaint, "selesai", "  ", personas["operator"], gateway=HttpLaporGateway(url, KEY))


def _served(app, request):
    for method, pattern, handler in app.routes:
        match = pattern.match(request.path)
        if match and method == request.method:
            return handler(request, **match.groupdict())
    raise AssertionError(request.path)


def corrupting(app, mutate):
    def fault(request):
        if not request.path.endswith("/disposisi"):
            return None
        body = json.loads(_served(app, request).body)
        if body.get("data"):
            mutate(body)
        return Response.json(body)

    return fault


def _tracking_as_number(body):
    body["data"][0]["tracking_id"] = int(body["data"][0]["tracking_id"])


def _tracking_not_numeric(body):
    body["data"][0]["tracking_id"] = "LAP-1"


def _unknown_topic(body):
    body["data"][0]["topik_id"] = "999"


def _unknown_status(body):
    body["data"][0]["status"] = "ditolak"


def _unknown_kelurahan(body):
    body["data"][0]["lokasi"] = {"lat": -6.17, "lon": 106.63, "kode_kelurahan": "36.71.01.1999", "alamat": "x"}


def _missing_update(body):
    del body["data"][0]["tanggal_update"]


def _flag_as_text(body):
    body["data"][0]["rahasia"] = "ya"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_tracking_as_number, "data.0.tracking_id: Input should be a valid string"),
        (_tracking_not_numeric, "data.0.tracking_id: String should match pattern"),
        (_unknown_topic, "unknown topic '999'"),
        (_unknown_status, "data.0.status"),
        (_unknown_kelurahan, "unknown region code '36.71.01.1999'"),
        (_missing_update, "data.0.tanggal_update: Field required"),
        (_flag_as_text, "data.0.rahasia"),
    ],
)
def test_bad_data_is_refused_and_keeps_what_is_stored(lapor, simulator, clock, mutate, message):
    source, url = lapor
    run_source(source, coordinator(url))
    before = stored_state()
    source.refresh_from_db()
    cursor = source.cursor
    clock.advance(minutes=12 * 60)
    simulator.fault = corrupting(simulator, mutate)
    assert run_source(source, coordinator(url)) is False
    source.refresh_from_db()
    assert source.last_error_kind == "invalid"
    assert message in source.last_error, source.last_error
    assert stored_state() == before and source.cursor == cursor


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fault", "keytoken", "kind", "message"),
    [
        (None, "wrong", "auth", "refused the KEYTOKEN (HTTP 401)"),
        (None, "", "auth", "KEYTOKEN is not set"),
        (lambda r: Response(200, b'{"status": "ok", "data": [', "application/json"), KEY, "invalid", "malformed JSON"),
        (lambda r: Response.json({"status": "error"}, status=500), KEY, "server", "HTTP 500"),
        (
            lambda r: (
                Response.json({"status": "ok", "halaman": 1, "jumlah_halaman": 1}) if r.path.endswith("/disposisi") else None
            ),
            KEY,
            "invalid",
            "data: Field required",
        ),
        (
            lambda r: (
                Response.json({"status": "ok", "halaman": 2, "jumlah_halaman": 1, "data": []})
                if r.path.endswith("/disposisi")
                else None
            ),
            KEY,
            "invalid",
            "asked page 1, got 2",
        ),
    ],
)
def test_broken_answers_are_refused(lapor, simulator, fault, keytoken, kind, message):
    source, url = lapor
    run_source(source, coordinator(url))
    before = stored_state()
    simulator.fault = fault
    assert run_source(source, coordinator(url, keytoken=keytoken)) is False
    source.refresh_from_db()
    assert (source.last_error_kind, message in source.last_error) == (kind, True), source.last_error
    assert stored_state() == before


@pytest.mark.django_db
def test_timeout_and_unreachable(lapor, simulator):
    import time

    source, url = lapor

    def slow(request):
        time.sleep(1.5)
        return None

    simulator.fault = slow
    assert run_source(source, coordinator(url, timeout_seconds=0.5)) is False
    source.refresh_from_db()
    assert source.last_error_kind == "unreachable" and "did not answer within 0.5 s" in source.last_error
    port = closed_port()
    assert run_source(source, coordinator(f"http://127.0.0.1:{port}", timeout_seconds=2)) is False
    source.refresh_from_db()
    assert source.last_error_kind == "unreachable" and "SP4N-LAPOR! is unreachable" in source.last_error
    assert Complaint.objects.count() == 0
