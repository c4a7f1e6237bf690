"""Dispatch: the nearest available units of the responsible OPD, and a unit's way to the incident."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from komando.assets.models import Asset, AssetKind
from komando.devices.models import DeviceState
from komando.incidents.actions.dispatch import DispatchError, do_dispatch_units, do_update_dispatch
from komando.incidents.choices import DispatchStatus, Status, TimelineKind
from komando.incidents.dispatch import recommend_units
from komando.incidents.models import Dispatch, DispatchStatusChange
from komando.incidents.tests.conftest import SUKARASA, bring_to
from komando.sources.models import Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(reference_data):
    """A field unit with a live position ``metres_north`` of Sukarasa (about 111 m per 0.001°)."""

    def make(name, *, source="kebersihan", kind=AssetKind.TRUCK, metres_north=0, minutes_ago=1, online=True):
        asset = Asset.objects.create(kind=kind, source=Source.objects.get(slug=source), source_ref=name, name=name, online=online)
        DeviceState.objects.create(
            asset=asset,
            observed_at=timezone.now() - timedelta(minutes=minutes_ago),
            lat=SUKARASA[0] + metres_north / 111_320,
            lon=SUKARASA[1],
        )
        return asset

    return make


@pytest.fixture
def verified(report, operator):
    return bring_to(report("SAMPAH"), Status.DIVERIFIKASI, operator)


def test_recommendation_is_the_nearest_available_units_of_the_responsible_opd(unit, verified, operator):
    far, near = unit("truk-far", metres_north=3000), unit("truk-near", metres_north=200)
    middle = unit("truk-mid", metres_north=900)
    unit("satpol-closest", source="ketertiban", kind=AssetKind.OFFICER, metres_north=10)  # another OPD
    unit("truk-offline", metres_north=50, online=False)
    stale = unit("truk-silent", metres_north=100, minutes_ago=45)  # silent: listed after the fresh ones
    busy = unit("truk-busy", metres_north=20)
    names = [c.name for c in recommend_units(verified)]
    assert names == ["truk-busy", "truk-near", "truk-mid", "truk-far", "truk-silent"]
    do_dispatch_units(verified, [busy], acting_user=operator)
    candidates = recommend_units(verified)
    assert [c.unit_id for c in candidates] == [near.pk, middle.pk, far.pk, stale.pk]
    assert candidates[0].distance_m == pytest.approx(200, abs=5) and not candidates[0].stale and candidates[-1].stale
    assert [c.name for c in recommend_units(verified, limit=1, any_agency=True)] == ["satpol-closest"]


def test_dispatch_assigns_the_incident_and_records_each_step_with_time_and_position(unit, verified, operator):
    truck, second = unit("truk-1", metres_north=500), unit("truk-2", metres_north=800)
    dispatches = do_dispatch_units(verified, [truck, second], acting_user=operator, note="Segera angkut")
    verified.refresh_from_db()
    assert verified.status == Status.DITUGASKAN and verified.responded_at is not None
    assert {d.status for d in dispatches} == {DispatchStatus.DISPATCHED}
    first, sent_at = dispatches[0], timezone.now()
    with time_machine.travel(sent_at + timedelta(minutes=5)):
        do_update_dispatch(first, DispatchStatus.EN_ROUTE, acting_user=operator)
    with time_machine.travel(sent_at + timedelta(minutes=12)):
        do_update_dispatch(first, DispatchStatus.ON_SCENE, acting_user=operator, lat=-6.1729, lon=106.6318)
    verified.refresh_from_db()
    assert verified.status == Status.DALAM_PENANGANAN  # the first unit on scene
    with time_machine.travel(sent_at + timedelta(minutes=40)):
        do_update_dispatch(first, DispatchStatus.DONE, acting_user=operator, note="Sampah terangkut")
    steps = list(DispatchStatusChange.objects.filter(dispatch=first).values_list("status", "lat", "lon"))
    assert [s[0] for s in steps] == ["dispatched", "en_route", "on_scene", "done"]
    assert steps[0][1] == pytest.approx(SUKARASA[0] + 500 / 111_320)  # its live position when sent
    assert steps[2][1:] == (-6.1729, 106.6318)  # the position the officer's phone gave
    times = list(DispatchStatusChange.objects.filter(dispatch=first).values_list("at", flat=True))
    assert times == sorted(times) and times[2] - times[0] >= timedelta(minutes=12)
    kinds = list(verified.timeline.values_list("kind", flat=True))
    assert kinds.count(TimelineKind.ASSIGNMENT) == 4  # the dispatch and three steps of truk-1


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (DispatchStatus.DISPATCHED, DispatchStatus.DONE),
        (DispatchStatus.EN_ROUTE, DispatchStatus.DISPATCHED),
        (DispatchStatus.DONE, DispatchStatus.EN_ROUTE),
        (DispatchStatus.CANCELLED, DispatchStatus.ON_SCENE),
        (DispatchStatus.DISPATCHED, "parked"),
    ],
)
def test_an_illegal_unit_step_is_refused_and_changes_nothing(unit, verified, operator, old, new):
    dispatch = do_dispatch_units(verified, [unit("truk-1")], acting_user=operator)[0]
    path = {
        DispatchStatus.EN_ROUTE: [DispatchStatus.EN_ROUTE],
        DispatchStatus.DONE: [DispatchStatus.ON_SCENE, DispatchStatus.DONE],
        DispatchStatus.CANCELLED: [DispatchStatus.CANCELLED],
    }.get(old, [])
    for step in path:
        do_update_dispatch(dispatch, step, acting_user=operator)
    before = DispatchStatusChange.objects.count()
    with pytest.raises(DispatchError):
        do_update_dispatch(dispatch, new, acting_user=operator)
    assert DispatchStatusChange.objects.count() == before
    dispatch.refresh_from_db()
    assert dispatch.status == old


def test_refused_dispatches_store_nothing(unit, report, verified, operator):
    busy = unit("truk-busy")
    do_dispatch_units(verified, [busy], acting_user=operator)
    other = bring_to(report("SAMPAH", lat=-6.1800, lon=106.6880), Status.DIVERIFIKASI, operator)
    gauge = Asset.objects.create(kind=AssetKind.GAUGE, source=Source.objects.get(slug="banjir"), source_ref="pos-1", name="Pos 1")
    free = unit("truk-free")
    fresh = report("SAMPAH", lat=-6.1900, lon=106.6300)  # baru: not verified yet
    count = Dispatch.objects.count()
    with pytest.raises(DispatchError, match="already dispatched"):
        do_dispatch_units(other, [free, busy], acting_user=operator)
    with pytest.raises(DispatchError, match="not a field unit"):
        do_dispatch_units(other, [gauge], acting_user=operator)
    with pytest.raises(DispatchError, match="at least one"):
        do_dispatch_units(other, [], acting_user=operator)
    with pytest.raises(DispatchError, match="cannot be dispatched"):
        do_dispatch_units(fresh, [free], acting_user=operator)
    with pytest.raises(DispatchError, match="latitude"):
        dispatch = Dispatch.objects.get(unit=busy)
        do_update_dispatch(dispatch, DispatchStatus.EN_ROUTE, acting_user=operator, lat="utara", lon=106.6)
    assert Dispatch.objects.count() == count
    other.refresh_from_db()
    assert other.status == Status.DIVERIFIKASI
