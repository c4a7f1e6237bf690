"""Actions, selectors, tiles and API of permits, ASN attendance and hospital beds (no network)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from komando.dashboard.tiles import TILE_SELECTORS, visible_tiles
from komando.services.actions import do_record_attendance, do_record_beds, do_sync_permits
from komando.services.models import AttendanceDay, BedSnapshot, PermitApplication, PermitType
from komando.services.records import AttendanceRecord, BedRecord, PermitRecord, PermitTypeItem
from komando.services.selectors import beds_summary, permits_summary, workforce_summary
from komando.sources.framework import SourceDataInvalid
from komando.sources.models import Source

WIB = ZoneInfo("Asia/Jakarta")
TYPES = [PermitTypeItem("PBG", "Persetujuan Bangunan Gedung", 28), PermitTypeItem("SIPA", "Surat Izin Praktik Apoteker", 5)]


def permit(ref, kind="PBG", kelurahan="36.71.01.1005", status="issued", applied=None, issued=None, within=True):
    # Three hours ago, but never before today's WIB midnight: a test run just after midnight counts it today.
    local_midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    applied = applied or max(timezone.now() - timedelta(hours=3), local_midnight)
    return PermitRecord(
        source_ref=ref,
        permit_type=kind,
        kelurahan_code=kelurahan,
        status=status,
        applied_at=applied,
        issued_at=issued if status == "issued" else None,
        within_sla=within if status == "issued" else None,
        updated_at=issued or applied,
    )


def attendance(code="dishub", day=None, present=280, late=20, asn=310):
    return AttendanceRecord(
        agency_code=code,
        date=day or timezone.localdate(),
        asn_count=asn,
        present=present,
        on_time=present - late,
        late=late,
        on_leave=10,
        sick=4,
        absent=2,
        performance_score=88.5,
        updated_at=timezone.now().replace(microsecond=0),
    )


HOSPITAL = {
    "source_ref": "3671015",
    "name": "RSUD Kota Tangerang",
    "lat": -6.18672,
    "lon": 106.64012,
    "region_code": "36.71.01.1006",
    "online": True,
    "attributes": {},
}


def bed(ward, free, total=10, at=None):
    return BedRecord(
        hospital_ref="3671015",
        ward=ward,
        total=total,
        occupied=total - free,
        free=free,
        observed_at=at or datetime(2026, 11, 25, 7, 0, tzinfo=UTC),
    )


def snapshot_of_permits():
    return sorted(PermitApplication.objects.values_list("source_ref", "status", "issued_at", "within_sla"))


@pytest.mark.django_db
def test_permits_are_stored_once_and_updated_when_their_status_changes(reference_data, django_capture_on_commit_callbacks):
    source = Source.objects.get(slug="perizinan")
    now = timezone.now()
    first = [permit("A/1", status="in_process"), permit("A/2", kind="SIPA", issued=now, within=False)]
    with django_capture_on_commit_callbacks() as events:
        assert do_sync_permits(source, TYPES, first) == 2
    assert do_sync_permits(source, TYPES, first) == 0
    assert PermitApplication.objects.count() == 2 and PermitType.objects.count() == 2
    assert do_sync_permits(source, TYPES, [permit("A/1", issued=now)]) == 1
    assert PermitApplication.objects.get(source_ref="A/1").status == "issued"
    assert len(events) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("record", "message"),
    [
        (permit("B/1", kelurahan="36.71.01.1999"), "unknown kelurahan code '36.71.01.1999'"),
        (permit("B/1", kelurahan="36.71.01"), "unknown kelurahan code '36.71.01'"),
        (permit("B/1", kind="IMB"), "unknown permit type 'IMB'"),
    ],
)
def test_permits_with_unknown_codes_write_nothing(reference_data, record, message):
    source = Source.objects.get(slug="perizinan")
    do_sync_permits(source, TYPES, [permit("A/1")])
    before = snapshot_of_permits()
    with pytest.raises(SourceDataInvalid, match=message):
        do_sync_permits(source, TYPES, [permit("A/2"), record])
    assert snapshot_of_permits() == before


@pytest.mark.django_db
def test_permit_summary_counts_today_and_the_service_time(reference_data):
    source = Source.objects.get(slug="perizinan")
    now = datetime(2026, 11, 25, 15, 0, tzinfo=WIB)
    morning = datetime(2026, 11, 25, 9, 0, tzinfo=WIB)
    do_sync_permits(
        source,
        TYPES,
        [
            permit("C/1", applied=morning, issued=morning + timedelta(hours=2)),
            permit("C/2", kind="SIPA", applied=morning - timedelta(days=9), issued=morning, within=False),
            permit("C/3", applied=morning, status="submitted"),
            permit("C/4", applied=morning - timedelta(days=40), issued=morning - timedelta(days=35)),
        ],
    )
    summary = permits_summary(now)
    assert (summary["applied_today"], summary["issued_today"], summary["in_process"]) == (2, 2, 1)
    assert (summary["issued_30_days"], summary["issued_within_sla_30_days"]) == (2, 1)
    assert summary["within_sla_percent_30_days"] == 50.0
    assert {row["code"]: (row["applied"], row["issued"]) for row in summary["by_type_this_month"]} == {
        "PBG": (2, 1),
        "SIPA": (1, 1),
    }
    assert summary["by_kecamatan_this_month"] == [{"code": "36.71.01", "name": "Tangerang", "applied": 3, "issued": 2}]
    assert len(summary["daily"]) == 30 and summary["daily"][-1]["applied"] == 2


@pytest.mark.django_db
def test_attendance_is_stored_once_and_replaced_by_a_later_report(reference_data):
    source = Source.objects.get(slug="kinerja-asn")
    report = [attendance(), attendance("dinkes", asn=1450, present=1300)]
    assert do_record_attendance(source, report) == 2
    assert do_record_attendance(source, report) == 0  # the same report again (its time is part of it)
    assert do_record_attendance(source, [attendance(present=290)]) == 1
    assert AttendanceDay.objects.count() == 2
    assert AttendanceDay.objects.get(agency__code="dishub").present == 290


@pytest.mark.django_db
def test_attendance_of_an_unknown_agency_writes_nothing(reference_data):
    source = Source.objects.get(slug="kinerja-asn")
    do_record_attendance(source, [attendance()])
    with pytest.raises(SourceDataInvalid, match="unknown agency code 'dinas-x'"):
        do_record_attendance(source, [attendance(present=100), attendance("dinas-x")])
    assert list(AttendanceDay.objects.values_list("present", flat=True)) == [280]


@pytest.mark.django_db
def test_workforce_summary_orders_the_lowest_attendance_first(reference_data):
    source = Source.objects.get(slug="kinerja-asn")
    do_record_attendance(
        source,
        [
            attendance("dishub", present=155, asn=310),
            attendance("dlh", present=360, asn=380),
            attendance("bpbd", present=70, asn=70),
        ],
    )
    summary = workforce_summary()
    assert [row["agency_code"] for row in summary["by_agency"]] == ["dishub", "dlh", "bpbd"]
    assert summary["by_agency"][0]["attendance_percent"] == 50.0
    assert summary["attendance_percent"] == round(100 * 585 / 760, 1)


@pytest.mark.django_db
def test_beds_history_is_kept_and_the_latest_report_is_selected(reference_data):
    source = Source.objects.get(slug="bed-rsud")
    early, later = datetime(2026, 11, 25, 7, 0, tzinfo=UTC), datetime(2026, 11, 25, 7, 5, tzinfo=UTC)
    assert do_record_beds(source, [HOSPITAL], [bed("icu", 3, at=early), bed("igd", 6, at=early)]) == 2
    assert do_record_beds(source, [HOSPITAL], [bed("icu", 3, at=early), bed("igd", 6, at=early)]) == 0
    assert do_record_beds(source, [HOSPITAL], [bed("icu", 1, at=later), bed("igd", 6, at=later)]) == 2
    assert BedSnapshot.objects.count() == 4
    summary = beds_summary()
    assert {row["ward"]: row["free"] for row in summary["by_ward"]} == {"igd": 6, "icu": 1}
    assert summary["hospitals"][0]["updated_at"] == later


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hospitals", "beds", "message"),
    [
        ([HOSPITAL], [BedRecord("9999", "icu", 10, 5, 5, datetime(2026, 11, 25, tzinfo=UTC))], "unknown hospital"),
        ([HOSPITAL], [bed("kamar", 2)], "unknown ward 'kamar'"),
        ([{**HOSPITAL, "region_code": "36.71.99.1001"}], [bed("icu", 2)], "unknown region code"),
    ],
)
def test_beds_with_unknown_codes_write_nothing(reference_data, hospitals, beds, message):
    source = Source.objects.get(slug="bed-rsud")
    do_record_beds(source, [HOSPITAL], [bed("icu", 3)])
    before = sorted(BedSnapshot.objects.values_list("ward", "free", "observed_at"))
    with pytest.raises(SourceDataInvalid, match=message):
        do_record_beds(source, hospitals, [bed("igd", 4, at=datetime(2026, 11, 25, 8, tzinfo=UTC)), *beds])
    assert sorted(BedSnapshot.objects.values_list("ward", "free", "observed_at")) == before


@pytest.mark.django_db
def test_workforce_tile_is_for_staff_only_and_public_tiles_for_everyone(reference_data):
    assert {"permits", "workforce", "beds"} <= set(TILE_SELECTORS)
    do_sync_permits(Source.objects.get(slug="perizinan"), TYPES, [permit("D/1")])
    do_record_attendance(Source.objects.get(slug="kinerja-asn"), [attendance()])
    do_record_beds(Source.objects.get(slug="bed-rsud"), [HOSPITAL], [bed("icu", 3), bed("igd", 6)])
    public = {tile["key"] for tile in visible_tiles(staff=False)}
    staff = {tile["key"] for tile in visible_tiles(staff=True)}
    assert {"permits", "beds"} <= public and "workforce" not in public
    assert {"permits", "beds", "workforce"} <= staff


# --- API ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_permits_and_beds_are_public(client, reference_data):
    do_sync_permits(Source.objects.get(slug="perizinan"), TYPES, [permit("E/1"), permit("E/2", status="submitted")])
    do_record_beds(Source.objects.get(slug="bed-rsud"), [HOSPITAL], [bed("icu", 3), bed("igd", 6, total=24)])

    permits = client.get("/api/permits/")
    assert permits.status_code == 200
    body = permits.json()
    assert (body["source"], body["applied_today"], body["in_process"]) == ("perizinan", 2, 1)
    assert body["by_type_this_month"][0]["code"] == "PBG"

    beds = client.get("/api/beds/")
    assert beds.status_code == 200
    body = beds.json()
    assert (body["free_total"], body["beds_total"], body["hospitals_reporting"]) == (9, 34, 1)
    hospital = body["hospitals"][0]
    assert (hospital["name"], hospital["kelurahan_code"]) == ("RSUD Kota Tangerang", "36.71.01.1006")
    assert {w["ward"]: (w["free"], w["total"]) for w in hospital["wards"]} == {"igd": (6, 24), "icu": (3, 10)}
    assert "occupied" not in hospital["wards"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "status"),
    [(None, 403), ("outsider", 403), ("operator", 200), ("opd_officer", 200), ("executive", 200), ("administrator", 200)],
)
def test_workforce_only_for_roles_that_see_internal_sources(client, personas, username, status):
    do_record_attendance(Source.objects.get(slug="kinerja-asn"), [attendance()])
    if username:
        client.force_login(personas[username])
    response = client.get("/api/workforce/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert (body["agencies_reporting"], body["present"], body["by_agency"][0]["agency_code"]) == (1, 280, "dishub")
    else:
        assert "by_agency" not in response.json()


@pytest.mark.django_db
def test_workforce_of_another_day_and_a_bad_day(client, personas):
    day = date(2026, 11, 24)
    do_record_attendance(Source.objects.get(slug="kinerja-asn"), [attendance(day=day)])
    client.force_login(personas["operator"])
    assert client.get("/api/workforce/?date=2026-11-24").json()["present"] == 280
    assert client.get("/api/workforce/?date=2026-11-23").json()["agencies_reporting"] == 0
    assert client.get("/api/workforce/?date=24-11-2026").status_code == 400


@pytest.mark.django_db
def test_openapi_documents_the_three_endpoints(client, reference_data):
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/permits/", "/api/beds/", "/api/workforce/"):
        assert "200" in schema["paths"][path]["get"]["responses"], path
    assert "403" in schema["paths"]["/api/workforce/"]["get"]["responses"]
    assert "within_sla_percent_30_days" in schema["components"]["schemas"]["PermitsSummary"]["properties"]
    assert "free" in schema["components"]["schemas"]["WardBeds"]["properties"]
