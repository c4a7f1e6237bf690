"""LAKSA connector (Open311 GeoReport v2) against its simulator over real HTTP, JSON and XML."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from komando.complaints.models import Channel, Complaint
from komando.connectors.laksa.coordinator import Coordinator
from komando.connectors.laksa.simulator import build_simulator
from komando.sources.models import Source
from komando.sources.registry import manifests
from komando.sources.runner import run_source
from komando.sources.simulation import Response, running_simulator
from komando.sources.testing import Clock, closed_port, corrupting, refused_and_nothing_stored

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 25, 10, 0, 30, tzinfo=WIB)


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def simulator(clock):
    return build_simulator(settings.KOMANDO_CITY_DIR, clock=clock)


@pytest.fixture
def laksa(reference_data, simulator):
    with running_simulator(simulator) as url:
        yield Source.objects.get(slug="laksa"), url


def coordinator(url, **options):
    return Coordinator(manifests()["laksa"], Coordinator.config_class(base_url=url, **options))


def truth(simulator) -> dict[str, dict]:
    """What the server holds now, computed from its model (not through the API)."""
    now = simulator.model.now()
    found = {}
    for complaint in simulator.model.complaints():
        status, updated = simulator.model.state(complaint, now)
        found[complaint["id"]] = {
            "status": status,
            "updated": updated,
            "code": complaint["service"]["service_code"],
            "kelurahan": complaint["place"]["code"],
        }
    return found


def stored_state():
    return sorted(
        Complaint.objects.values_list(
            "source_ref", "status", "source_status", "source_updated_at", "category_code", "kelurahan__code", "lat", "lon"
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_first_run_stores_every_complaint_the_server_holds(laksa, simulator, fmt):
    source, url = laksa
    assert run_source(source, coordinator(url, format=fmt)) is True, Source.objects.get(slug="laksa").last_error

    expected = truth(simulator)
    assert len(expected) > 1000  # more than one Open311 page: the client paged
    assert Complaint.objects.filter(source=source, channel=Channel.LAKSA).count() == len(expected)
    status_of = {"menunggu": "waiting", "proses": "in_progress", "selesai": "resolved"}
    for complaint in Complaint.objects.select_related("kelurahan", "kecamatan", "agency"):
        known = expected[complaint.source_ref]
        assert complaint.status == status_of[known["status"]]
        assert complaint.source_status == known["status"]
        assert complaint.source_updated_at == known["updated"]
        assert complaint.category_code == known["code"]
        assert complaint.kelurahan.code == known["kelurahan"]
        assert complaint.kecamatan.code == known["kelurahan"].rsplit(".", 1)[0]
        assert complaint.agency is not None
    # Categories come with their OPD: road damage goes to PUPR, street lights to Dishub.
    assert set(Complaint.objects.filter(category_code="JLN-RUSAK").values_list("agency__code", flat=True)) == {"pupr"}
    assert set(Complaint.objects.filter(category_code="PJU-MATI").values_list("agency__code", flat=True)) == {"dishub"}
    assert Complaint.objects.exclude(contact_name="", contact_phone="", contact_email="").count() == 0
    source.refresh_from_db()
    newest = max(item["updated"] for item in expected.values())
    assert datetime.fromisoformat(source.cursor["updated_since"]) == newest
    assert source.data_as_of == newest.astimezone(UTC)


@pytest.mark.django_db
def test_json_and_xml_store_the_same(laksa, simulator):
    source, url = laksa
    run_source(source, coordinator(url, format="json"))
    from_json = stored_state()
    Complaint.objects.all().delete()
    source.cursor = {}
    source.save()
    run_source(source, coordinator(url, format="xml"))
    assert stored_state() == from_json


@pytest.mark.django_db
def test_rerun_stores_each_complaint_once(laksa, django_capture_on_commit_callbacks):
    source, url = laksa
    with django_capture_on_commit_callbacks() as first:
        run_source(source, coordinator(url))
    before = stored_state()
    with django_capture_on_commit_callbacks() as again:
        assert run_source(source, coordinator(url)) is True
    source.refresh_from_db()
    source.cursor = {}
    source.save()
    assert run_source(source, coordinator(url)) is True
    assert stored_state() == before
    assert len(first) == 2  # tile.complaints + source.health
    assert len(again) == 1  # nothing changed: source.health only


@pytest.mark.django_db
def test_status_changes_are_applied_and_resume_has_no_gap(laksa, simulator, clock):
    source, url = laksa
    run_source(source, coordinator(url))
    source.refresh_from_db()
    cursor = datetime.fromisoformat(source.cursor["updated_since"])
    before = {ref: status for ref, status in Complaint.objects.values_list("source_ref", "source_status")}
    asked = []

    def record(request):
        if request.path.startswith("/open311/v2/requests"):
            asked.append(request.arg("start_date"))
        return None

    simulator.fault = record
    clock.advance(minutes=180)  # an outage of three hours, then one run
    assert run_source(source, coordinator(url)) is True

    assert [datetime.fromisoformat(a) for a in asked] == [cursor - timedelta(seconds=300)]
    expected = truth(simulator)
    stored = {
        ref: (status, updated)
        for ref, status, updated in Complaint.objects.values_list("source_ref", "source_status", "source_updated_at")
    }
    # Every complaint the server still holds is stored as it is now: new ones and changed ones, no gap.
    assert {ref: (item["status"], item["updated"]) for ref, item in expected.items()} == {ref: stored[ref] for ref in expected}
    changed = [ref for ref in before if ref in expected and expected[ref]["status"] != before[ref]]
    assert len(changed) > 10
    assert Complaint.objects.filter(source_ref__in=changed, source_status="selesai").exclude(resolved_at=None).count() == sum(
        1 for ref in changed if expected[ref]["status"] == "selesai"
    )
    assert len(set(expected) - set(before)) > 20  # new complaints in three hours


@pytest.mark.django_db
def test_an_older_version_does_not_overwrite_a_newer_one(laksa, simulator, clock):
    from komando.complaints.actions import do_record_complaints
    from komando.connectors.laksa.client import LaksaClient
    from komando.connectors.laksa.coordinator import complaint_record

    source, url = laksa
    services, old = LaksaClient(url).fetch(None)
    clock.advance(minutes=600)
    run_source(source, coordinator(url))
    after = stored_state()
    by_code = {s.service_code: s for s in services}
    result = do_record_complaints(
        source,
        Channel.LAKSA,
        [complaint_record(r, by_code) for r in old if Complaint.objects.filter(source_ref=r.service_request_id).exists()],
    )
    assert result.updated == 0
    assert stored_state() == after


def _id_as_number(body):
    body[0]["service_request_id"] = 638344


def _unknown_service(body):
    body[0]["service_code"] = "PARKIR-TERBANG"


def _unknown_kelurahan(body):
    body[0]["extended_attributes"]["kode_kelurahan"] = "36.71.01.1999"


def _missing_requested(body):
    del body[1]["requested_datetime"]


def _lat_as_text(body):
    body[0]["lat"] = "-6.17 LS"


def _naive_time(body):
    body[0]["updated_datetime"] = body[0]["updated_datetime"][:19]


def _bad_status(body):
    body[0]["status"] = "pending"


def _contradicting_status(body):
    body[0]["status"] = "closed"
    body[0]["extended_attributes"]["laksa_status"] = "menunggu"


def _services_code_as_number(body):
    body[0]["service_code"] = 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path_part", "mutate", "message"),
    [
        ("/requests", _id_as_number, "0.service_request_id: Input should be a valid string"),
        ("/requests", _unknown_service, "unknown service_code 'PARKIR-TERBANG'"),
        ("/requests", _unknown_kelurahan, "unknown region code '36.71.01.1999'"),
        ("/requests", _missing_requested, "1.requested_datetime: Field required"),
        ("/requests", _lat_as_text, "0.lat"),
        ("/requests", _naive_time, "timezone"),
        ("/requests", _bad_status, "0.status"),
        ("/requests", _contradicting_status, "contradicts LAKSA status 'menunggu'"),
        ("/services", _services_code_as_number, "LAKSA services: 0.service_code"),
    ],
)
def test_bad_data_is_refused_and_keeps_what_is_stored(laksa, simulator, clock, path_part, mutate, message):
    source, url = laksa

    def breaks():
        clock.advance(minutes=120)
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


XML_REQUESTS = "/open311/v2/requests.xml"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fmt", "fault", "kind", "message"),
    [
        (
            "json",
            lambda r: Response(200, b'[{"service_request_id": "LAKSA-2026-1",', "application/json"),
            "invalid",
            "malformed JSON",
        ),
        (
            "json",
            lambda r: Response.json({"service_requests": []}),
            "invalid",
            "LAKSA services: body: Input should be a valid array",
        ),
        ("json", lambda r: Response.json([{"code": 500, "description": "db down"}], status=500), "server", "HTTP 500"),
        ("json", lambda r: Response.json([{"code": 401, "description": "no"}], status=401), "auth", "HTTP 401"),
        (
            "json",
            lambda r: Response.json([{"code": 404, "description": "jurisdiction_id not found"}], status=404),
            "server",
            "HTTP 404",
        ),
        (
            "xml",
            lambda r: (
                Response(200, b"<service_requests><request><service_request_id>1</serv", "text/xml")
                if r.path == XML_REQUESTS
                else None
            ),
            "invalid",
            "malformed XML",
        ),
        (
            "xml",
            lambda r: (
                Response(200, b"<errors><error><code>400</code></error></errors>", "text/xml") if r.path == XML_REQUESTS else None
            ),
            "invalid",
            "expected <service_requests>, got <errors>",
        ),
        (
            "xml",
            lambda r: (
                Response(
                    200,
                    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
                    b"<service_requests>&b;</service_requests>",
                    "text/xml",
                )
                if r.path == XML_REQUESTS
                else None
            ),
            "invalid",
            "malformed XML",
        ),
        (
            "xml",
            lambda r: (
                Response(
                    200,
                    b"<service_requests><request><service_request_id>X</service_request_id>"
                    b"<lat>utara</lat></request></service_requests>",
                    "text/xml",
                )
                if r.path == XML_REQUESTS
                else None
            ),
            "invalid",
            "0.lat: not a number",
        ),
    ],
)
def test_broken_responses_are_refused_and_keep_what_is_stored(laksa, simulator, clock, fmt, fault, kind, message):
    source, url = laksa
    run_source(source, coordinator(url, format=fmt))
    before = stored_state()
    clock.advance(minutes=60)
    simulator.fault = fault
    assert run_source(source, coordinator(url, format=fmt)) is False
    source.refresh_from_db()
    assert (source.last_error_kind, message in source.last_error) == (kind, True), source.last_error
    assert stored_state() == before


@pytest.mark.django_db
def test_timeout_and_unreachable_are_reported(laksa, simulator):
    import time

    source, url = laksa
    run_source(source, coordinator(url))
    before = stored_state()

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
    assert source.last_error_kind == "unreachable" and "LAKSA is unreachable" in source.last_error
    assert stored_state() == before


def test_simulator_speaks_the_samples_shapes(simulator):
    """Field names and types of the GeoReport v2 samples (shared/data/samples/open311/tangerang_demo_*)."""
    import httpx

    sample = (
        json.loads((settings.PROJECT_DIR.parent / "shared/data/samples/open311/tangerang_demo_requests.json").read_text())
        if (settings.PROJECT_DIR.parent / "shared/data/samples/open311").is_dir()
        else None
    )
    with running_simulator(simulator) as url:
        rows = httpx.get(f"{url}/open311/v2/requests.json", params={"status": "open"}).json()
        single = httpx.get(f"{url}/open311/v2/requests/{rows[0]['service_request_id']}.json").json()
        services = httpx.get(f"{url}/open311/v2/services.json").json()
        missing = httpx.get(f"{url}/open311/v2/requests/LAKSA-0.json")
        with_photo = next(row for row in rows if row["media_url"])
        picture = httpx.get(with_photo["media_url"])
        wrong = httpx.get(f"{url}/open311/v2/services.xml", params={"jurisdiction_id": "jakarta.go.id"})
        window = httpx.get(
            f"{url}/open311/v2/requests.json",
            params={"start_date": "2026-11-25T09:00:00+07:00", "end_date": "2026-11-25T09:30:00+07:00"},
        ).json()
    assert rows and {row["status"] for row in rows} == {"open"}
    for row in rows:
        assert isinstance(row["service_request_id"], str) and isinstance(row["service_code"], str)
        assert row["extended_attributes"]["laksa_status"] in ("menunggu", "proses")
    if sample is not None:
        assert set(sample[0]) <= set(rows[0])
    assert single == [rows[0]]
    assert set(services[0]) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    assert wrong.status_code == 404 and b"<errors><error><code>404</code>" in wrong.content
    assert window and all("2026-11-25T09:00:00+07:00" <= row["updated_datetime"] <= "2026-11-25T09:30:00+07:00" for row in window)
