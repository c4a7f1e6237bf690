"""Complaints API access rules, tiles and map layers (data made through the actions)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from komando.agencies.models import Agency
from komando.complaints.actions import do_record_complaints, do_record_emergency_call
from komando.complaints.models import Channel, Complaint
from komando.complaints.records import ComplaintRecord, EmergencyCallRecord
from komando.complaints.selectors import (
    calls_tile,
    complaints_tile,
    emergency_calls_layer,
    lapor_tile,
    open_complaints_layer,
    working_days_between,
)
from komando.sources.models import Source


def laksa_record(
    ref,
    status="waiting",
    code="JLN-RUSAK",
    agency="Dinas PUPR",
    reported=None,
    region="36.71.05.1001",
    lat=-6.1862,
    lon=106.683,
    updated=None,
):
    reported = reported or timezone.now() - timedelta(hours=1)
    return ComplaintRecord(
        source_ref=ref,
        status=status,
        source_status={"waiting": "menunggu", "in_progress": "proses", "resolved": "selesai"}[status],
        reported_at=reported,
        source_updated_at=updated or reported,
        category_code=code,
        category={"JLN-RUSAK": "Jalan rusak / berlubang", "PJU-MATI": "Lampu PJU mati"}[code],
        agency_code=agency,
        region_code=region,
        lat=lat,
        lon=lon,
        description="Jalan berlubang",
    )


@pytest.fixture
def complaints(reference_data):
    laksa = Source.objects.get(slug="laksa")
    lapor = Source.objects.get(slug="lapor")
    now = timezone.now()
    do_record_complaints(
        laksa,
        Channel.LAKSA,
        [
            laksa_record("LAKSA-1"),
            laksa_record("LAKSA-2", status="in_progress"),
            laksa_record("LAKSA-3", status="resolved", reported=now - timedelta(days=3)),
            laksa_record("LAKSA-4", code="PJU-MATI", agency="Dishub", lat=None, lon=None, region=""),
            laksa_record("LAKSA-5", status="resolved", reported=now - timedelta(days=40)),
        ],
    )
    do_record_complaints(
        lapor,
        Channel.LAPOR,
        [
            ComplaintRecord(
                source_ref="1916449",
                status="waiting",
                source_status="didisposisikan",
                reported_at=now - timedelta(days=20),
                disposed_at=now - timedelta(days=19),
                source_updated_at=now - timedelta(days=19),
                category_code="21",
                category="Infrastruktur",
                title="Jalan rusak",
                region_code="36.71.01.1001",
                lat=-6.17,
                lon=106.63,
            ),
            ComplaintRecord(
                source_ref="1916450",
                status="waiting",
                source_status="didisposisikan",
                reported_at=now - timedelta(hours=5),
                disposed_at=now - timedelta(hours=2),
                source_updated_at=now - timedelta(hours=2),
                category_code="42",
                category="Kesehatan",
                confidential=True,
            ),
        ],
    )
    Complaint.objects.filter(source_ref="LAKSA-1").update(contact_name="Pak RT", contact_phone="0812000111")
    return Complaint.objects.get(source_ref="LAKSA-1")


@pytest.mark.django_db
def test_complaints_api_is_for_staff_only(client, personas, complaints):
    assert client.get("/api/complaints/").status_code == 403
    client.force_login(personas["outsider"])
    assert client.get("/api/complaints/").status_code == 403
    assert client.get("/api/emergency-calls/").status_code == 403
    client.force_login(personas["executive"])
    body = client.get("/api/complaints/").json()
    assert body["count"] == 7
    assert client.get("/api/complaints/?channel=lapor&open=1").json()["count"] == 2
    assert client.get("/api/complaints/?channel=fax").status_code == 400
    assert client.get("/api/complaints/?limit=0").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "agency", "sees_contact"),
    [
        ("operator", None, True),
        ("administrator", None, True),
        ("executive", None, False),
        ("opd_officer", "pupr", True),
    ],
)
def test_contact_only_for_handling_roles(client, personas, complaints, persona, agency, sees_contact):
    user = personas[persona]
    if agency:
        user.profile.agency = Agency.objects.get(code=agency)
        user.profile.save()
    client.force_login(user)
    detail = client.get(f"/api/complaints/{complaints.pk}/").json()
    listed = next(c for c in client.get("/api/complaints/").json()["complaints"] if c["id"] == complaints.pk)
    for shown in (detail, listed):
        assert ("contact_phone" in shown) is sees_contact
        if sees_contact:
            assert (shown["contact_name"], shown["contact_phone"]) == ("Pak RT", "0812000111")
    assert detail["agency_code"] == "pupr" and detail["kelurahan_code"] == "36.71.05.1001"
    assert detail["kecamatan_code"] == "36.71.05"


@pytest.mark.django_db
def test_opd_officer_reads_only_their_own_opds_complaints(client, personas, complaints):
    """Issue 14: a Dinkes officer read every complaint of the city; now only Dinkes's, and another
    OPD's complaint answers 404 like a missing id (no contact, no title, no position leaks)."""
    officer = personas["opd_officer"]  # Dinkes; the complaint with a contact belongs to PUPR
    Complaint.objects.filter(source_ref="1916450").update(agency=Agency.objects.get(code="dinkes"))
    dinkes_complaint = Complaint.objects.get(source_ref="1916450").pk
    client.force_login(officer)
    listed = client.get("/api/complaints/").json()
    assert [c["id"] for c in listed["complaints"]] == [dinkes_complaint]
    assert listed["count"] == 1 and listed["complaints"][0]["agency_code"] == "dinkes"
    assert client.get(f"/api/complaints/{dinkes_complaint}/").status_code == 200
    assert complaints.pk not in {c["id"] for c in listed["complaints"]}
    refused = client.get(f"/api/complaints/{complaints.pk}/")
    assert refused.status_code == 404
    assert "Pak RT" not in refused.content.decode()
    officer.profile.agency = Agency.objects.get(code="pupr")
    officer.profile.save()
    assert client.get(f"/api/complaints/{complaints.pk}/").json()["contact_name"] == "Pak RT"
    officer.profile.agency = None
    officer.profile.save()
    assert client.get("/api/complaints/").json() == {"count": 0, "complaints": []}


@pytest.mark.django_db
def test_emergency_calls_share_the_operator_maps_gate(client, personas, reference_data):
    """Issue 14: /api/emergency-calls/ refused nobody on staff while /api/map/layers/calls/ refused
    the OPD officer; both now ask one gate."""
    for persona, allowed in [("opd_officer", False), ("outsider", False), ("operator", True), ("executive", True)]:
        client.force_login(personas[persona])
        api = client.get("/api/emergency-calls/").status_code
        layer = client.get("/api/map/layers/calls/").status_code
        assert (api, layer) == ((200, 200) if allowed else (403, 403)), persona


@pytest.mark.django_db
def test_emergency_calls_api_lists_the_last_hours(client, personas, reference_data):
    source = Source.objects.get(slug="call-112")
    now = timezone.now()
    do_record_emergency_call(source, EmergencyCallRecord("C-1", now - timedelta(hours=2), "medis", region_code="36.71.07.1001"))
    do_record_emergency_call(source, EmergencyCallRecord("C-2", now - timedelta(hours=30), "iseng", -6.17, 106.63))
    client.force_login(personas["operator"])
    body = client.get("/api/emergency-calls/").json()
    assert [c["call_id"] for c in body["calls"]] == ["C-1"]
    assert body["calls"][0]["kecamatan_code"] == "36.71.07"
    assert [c["call_id"] for c in client.get("/api/emergency-calls/?hours=48").json()["calls"]] == ["C-1", "C-2"]
    assert client.get("/api/emergency-calls/?hours=x").status_code == 400


@pytest.mark.django_db
def test_complaints_tile(complaints):
    tile = complaints_tile()
    figures = {f.label: f.value for f in tile.figures}
    assert tile.audience == "staff" and tile.source == "laksa"
    assert figures["Terbuka"] == 3  # the interface speaks Bahasa Indonesia by default
    an_hour_ago_was_today = timezone.localdate(timezone.now() - timedelta(hours=1)) == timezone.localdate()
    assert figures["Baru hari ini"] == (3 if an_hour_ago_was_today else 0)  # LAKSA-1/2/4 were reported an hour ago
    assert figures["Selesai, 30 hari terakhir"] == 25.0  # 1 of the 4 reported in 30 days
    assert [(r.label, r.value) for r in tile.rows] == [("Jalan rusak / berlubang", 2), ("Lampu PJU mati", 1)]


@pytest.mark.django_db
def test_lapor_tile_counts_overdue_after_five_working_days(complaints):
    tile = lapor_tile()
    figures = [f.value for f in tile.figures]
    assert figures[0] == 2  # open
    assert figures[2] == 1  # only the one disposed 19 days ago is overdue
    assert tile.audience == "staff"
    assert working_days_between(datetime(2026, 11, 20).date(), datetime(2026, 11, 27).date()) == 5  # Fri → Fri
    assert working_days_between(datetime(2026, 11, 21).date(), datetime(2026, 11, 23).date()) == 1  # Sat → Mon


@pytest.mark.django_db
def test_calls_tile_and_layer(reference_data):
    assert calls_tile() is None
    source = Source.objects.get(slug="call-112")
    now = timezone.now()
    for n, kind in enumerate(["medis", "medis", "iseng", "kebakaran"]):
        do_record_emergency_call(source, EmergencyCallRecord(f"T-{n}", now - timedelta(minutes=n), kind, -6.17, 106.63))
    do_record_emergency_call(source, EmergencyCallRecord("OLD", now - timedelta(hours=25), "medis", region_code="36.71.01.1001"))
    do_record_emergency_call(
        source, EmergencyCallRecord("KEL", now - timedelta(minutes=9), "bencana", region_code="36.71.01.1001")
    )
    tile = calls_tile()
    assert tile.rows[0].value == 2 and tile.rows[0].label == "Medis"
    assert tile.figures[2].value == 1  # one prank
    layer = emergency_calls_layer()
    assert layer["type"] == "FeatureCollection"
    ids = {f["properties"]["call_id"]: f for f in layer["features"]}
    assert set(ids) == {"T-0", "T-1", "T-2", "T-3", "KEL"}
    assert ids["T-0"]["geometry"]["coordinates"] == [106.63, -6.17]  # [lon, lat]
    assert ids["KEL"]["properties"]["approximate"] is True
    for feature in layer["features"]:
        assert {"id", "name", "kind", "status", "tone", "source", "observed_at"} <= set(feature["properties"])


@pytest.mark.django_db
def test_open_complaints_layer_has_open_located_complaints_of_both_channels(complaints):
    layer = open_complaints_layer()
    refs = {f["properties"]["source_ref"]: f for f in layer["features"]}
    assert set(refs) == {"LAKSA-1", "LAKSA-2", "1916449"}
    assert refs["LAKSA-1"]["geometry"]["coordinates"] == [106.683, -6.1862]
    assert refs["1916449"]["properties"]["channel"] == "lapor"
    assert "contact_name" not in refs["LAKSA-1"]["properties"]
    for feature in layer["features"]:
        assert {"id", "name", "kind", "status", "tone", "source", "observed_at"} <= set(feature["properties"])


@pytest.mark.django_db
def test_status_change_is_applied_once_and_sets_resolved_at(reference_data, django_capture_on_commit_callbacks):
    source = Source.objects.get(slug="laksa")
    t0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    do_record_complaints(source, Channel.LAKSA, [laksa_record("L-9", reported=t0)])
    resolved = laksa_record("L-9", status="resolved", reported=t0, updated=t0 + timedelta(hours=5))
    with django_capture_on_commit_callbacks() as first:
        result = do_record_complaints(source, Channel.LAKSA, [resolved])
    with django_capture_on_commit_callbacks() as second:
        again = do_record_complaints(source, Channel.LAKSA, [resolved])
    assert (result.updated, again.updated, again.unchanged) == (1, 0, 1)
    assert (len(first), len(second)) == (1, 0)  # the tile is published only when something changed
    complaint = Complaint.objects.get(source_ref="L-9")
    assert (complaint.status, complaint.resolved_at) == ("resolved", t0 + timedelta(hours=5))
