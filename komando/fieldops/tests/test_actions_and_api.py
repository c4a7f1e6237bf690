"""The fieldops actions' own rules, the tiles without data, and the API access rules."""

from datetime import UTC, date, datetime

import pytest

from komando.assets.models import Asset
from komando.fieldops.actions import (
    ActivityRow,
    DutyRow,
    LevelRow,
    RouteRow,
    do_record_flood,
    do_record_public_order,
    do_record_waste,
)
from komando.fieldops.models import OrderActivityDay, UnitDuty, WasteRouteDay
from komando.fieldops.selectors import flood_tile, public_order_panel, public_order_tile, waste_tile
from komando.sources.framework import SourceDataInvalid
from komando.sources.models import Source

DAY = date(2026, 11, 25)


def truck(ref="dlh-truk-01"):
    return {"source_ref": ref, "name": f"Truk {ref}", "region_code": "36.71.01", "attributes": {"plate": "B 1 CYT"}}


def route(ref="RT-01", status="done", truck_ref="dlh-truk-01", kecamatan="36.71.01"):
    return RouteRow(
        route_ref=ref,
        date=DAY,
        name="Rute A",
        truck_ref=truck_ref,
        kecamatan_code=kecamatan,
        status=status,
        tps_total=3,
        tps_served=3,
        tonnage_t=4.5,
        started_at=None,
        finished_at=None,
    )


def gauge(ref="pos-x"):
    return {
        "source_ref": ref,
        "name": "Pos X",
        "lat": -6.2,
        "lon": 106.6,
        "region_code": "36.71.10",
        "attributes": {"river": "Sungai Cisadane", "normal_m": 2.2, "siaga_3_m": 3.5, "siaga_2_m": 4.5, "siaga_1_m": 5.5},
    }


@pytest.mark.django_db
def test_tiles_are_absent_without_data(reference_data):
    assert waste_tile() is None and public_order_tile() is None and flood_tile() is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ([route(status="late")], "unknown status 'late'"),
        ([route(truck_ref="dlh-truk-77")], "not in the roster"),
        ([route(kecamatan="36.71.77")], "unknown region code '36.71.77'"),
        ([route(), route()], "reported twice"),
    ],
)
def test_waste_action_refuses_bad_routes_and_writes_nothing(reference_data, routes, message):
    source = Source.objects.get(slug="kebersihan")
    with pytest.raises(SourceDataInvalid, match=message):
        do_record_waste(source, [truck()], [], routes)
    assert Asset.objects.count() == 0 and WasteRouteDay.objects.count() == 0


@pytest.mark.django_db
def test_waste_action_refuses_a_roster_listing_a_truck_twice(reference_data):
    source = Source.objects.get(slug="kebersihan")
    with pytest.raises(SourceDataInvalid, match="listed twice"):
        do_record_waste(source, [truck(), truck()], [], [])


@pytest.mark.django_db
def test_waste_action_updates_a_route_of_the_day_in_place(reference_data):
    source = Source.objects.get(slug="kebersihan")
    assert do_record_waste(source, [truck()], [], [route(status="in_progress")]) == 1
    assert do_record_waste(source, [truck()], [], [route(status="in_progress")]) == 0
    assert do_record_waste(source, [truck()], [], [route(status="done")]) == 1
    assert list(WasteRouteDay.objects.values_list("route_ref", "date", "status")) == [("RT-01", DAY, "done")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("duties", "activities", "message"),
    [
        ([DutyRow("satpol-x", "on_duty", "", None)], [], "not in the roster"),
        ([DutyRow("satpol-1", "sleeping", "", None)], [], "unknown duty status"),
        ([], [ActivityRow(DAY, "razia", 1)], "unknown activity kind"),
        ([], [ActivityRow(DAY, "patroli", -1)], "negative count"),
    ],
)
def test_public_order_action_refuses_bad_rows_and_writes_nothing(reference_data, duties, activities, message):
    source = Source.objects.get(slug="ketertiban")
    officer = {"source_ref": "satpol-1", "name": "Petugas Satpol PP 01", "attributes": {"regu": "Regu A"}}
    with pytest.raises(SourceDataInvalid, match=message):
        do_record_public_order(source, [officer], [], duties, activities)
    assert Asset.objects.count() == 0 and UnitDuty.objects.count() == 0 and OrderActivityDay.objects.count() == 0


@pytest.mark.django_db
def test_assignment_text_is_kept_only_while_on_assignment(reference_data):
    source = Source.objects.get(slug="ketertiban")
    officer = {"source_ref": "satpol-1", "name": "Petugas Satpol PP 01", "attributes": {"regu": "Regu A"}}
    do_record_public_order(source, [officer], [], [DutyRow("satpol-1", "on_assignment", "Penertiban PKL", None)], [])
    assert UnitDuty.objects.get().assignment == "Penertiban PKL"
    do_record_public_order(source, [officer], [], [DutyRow("satpol-1", "on_duty", "Penertiban PKL", None)], [])
    assert (UnitDuty.objects.get().status, UnitDuty.objects.get().assignment) == ("on_duty", "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ([LevelRow("pos-y", 1.0, datetime(2026, 11, 25, tzinfo=UTC))], "not in the registry"),
        ([LevelRow("pos-x", 1.0, datetime(2026, 11, 25))], "no time zone"),
        ([LevelRow("pos-x", 1.0, datetime(2026, 11, 25, tzinfo=UTC))] * 2, "reported twice"),
    ],
)
def test_flood_action_refuses_bad_levels_and_writes_nothing(reference_data, levels, message):
    source = Source.objects.get(slug="banjir")
    with pytest.raises(SourceDataInvalid, match=message):
        do_record_flood(source, [gauge()], [], [], levels)
    assert Asset.objects.count() == 0


@pytest.fixture
def public_order_data(reference_data):
    source = Source.objects.get(slug="ketertiban")
    officer = {"source_ref": "satpol-1", "name": "Petugas Satpol PP 01", "attributes": {"regu": "Regu A"}}
    do_record_public_order(
        source, [officer], [], [DutyRow("satpol-1", "on_assignment", "Penertiban PKL", None)], [ActivityRow(DAY, "penertiban", 3)]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 403), ("outsider", 403), ("operator", 200), ("opd_officer", 200), ("executive", 200), ("administrator", 200)],
)
def test_public_order_api_is_for_staff_only(client, personas, public_order_data, who, status):
    if who:
        client.force_login(personas[who])
    response = client.get("/api/public-order/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body == public_order_panel()
        assert body["units"][0]["assignment"] == "Penertiban PKL"
        assert body["summary"]["on_assignment"] == 1


@pytest.mark.django_db
def test_waste_and_flood_apis_are_public(client, reference_data):
    do_record_waste(Source.objects.get(slug="kebersihan"), [truck()], [], [route()])
    do_record_flood(
        Source.objects.get(slug="banjir"), [gauge()], [], [], [LevelRow("pos-x", 3.5, datetime(2026, 11, 25, 8, tzinfo=UTC))]
    )
    waste = client.get("/api/waste/")
    flood = client.get("/api/flood/")
    assert (waste.status_code, flood.status_code) == (200, 200)
    assert waste.json()["trucks"][0]["plate"] == "B 1 CYT"
    gauges = flood.json()["gauges"]
    assert (gauges[0]["level_m"], gauges[0]["status"]) == (3.5, "siaga_3")
    assert flood.json()["summary"]["gauges_at_siaga"] == 1


@pytest.mark.django_db
def test_openapi_documents_the_field_operation_endpoints(client, reference_data):
    document = client.get("/api/openapi.json").json()
    for path in ("/api/waste/", "/api/flood/", "/api/public-order/"):
        assert "200" in document["paths"][path]["get"]["responses"], path
    assert document["paths"]["/api/public-order/"]["get"].get("security")
    assert "status" in document["components"]["schemas"]["Gauge"]["properties"]


@pytest.mark.django_db
def test_public_order_tile_goes_to_staff_and_waste_tile_to_everyone(
    reference_data, monkeypatch, django_capture_on_commit_callbacks
):
    import komando.core.tiles as tiles

    sent = []
    monkeypatch.setattr(tiles, "send_event_on_commit", sent.append)
    officer = {"source_ref": "satpol-1", "name": "Petugas Satpol PP 01", "attributes": {"regu": "Regu A"}}
    do_record_public_order(Source.objects.get(slug="ketertiban"), [officer], [], [DutyRow("satpol-1", "on_duty", "", None)], [])
    from django.utils import timezone

    do_record_waste(Source.objects.get(slug="kebersihan"), [truck()], [], [route()._replace(date=timezone.localdate())])
    assert [(event.type, event.audience) for event in sent] == [("tile.public_order", "staff"), ("tile.waste", "public")]
