"""Hand-offs to another OPD, another kelurahan or an outside party count only once the receiver
acknowledges them."""

import pytest

from komando.agencies.models import Agency
from komando.audit.models import AuditRecord
from komando.incidents.actions import do_acknowledge_handoff, do_hand_off_incident, do_transition_incident
from komando.incidents.choices import HandoffTarget, Status, TimelineKind
from komando.incidents.errors import HandoffError, TransitionNotAllowed
from komando.incidents.models import Handoff, TimelineEntry
from komando.incidents.selectors import public_timeline
from komando.incidents.tests.conftest import bring_to
from komando.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(report, operator):
    return bring_to(report("SAMPAH"), Status.DIVERIFIKASI, operator)


def test_a_hand_off_to_another_opd_counts_when_that_opd_acknowledges(verified, operator, personas):
    dinkes = Agency.objects.get(code="dinkes")
    handoff = do_hand_off_incident(verified, reason="Genangan sarang nyamuk DBD", acting_user=operator, to_agency=dinkes)
    verified.refresh_from_db()
    assert verified.status == Status.DIALIHKAN and verified.agency.code == "dlh"  # still the sender's
    assert handoff.is_pending and verified.responded_at is None
    officer = personas["opd_officer"]  # of Dinkes
    do_acknowledge_handoff(handoff, acting_user=officer, note="Diterima, tim fogging dijadwalkan")
    verified.refresh_from_db()
    handoff.refresh_from_db()
    assert (verified.status, verified.agency) == (Status.DITUGASKAN, dinkes)
    assert verified.responded_at == handoff.acknowledged_at and handoff.acknowledged_by == officer
    rows = list(verified.timeline.filter(kind=TimelineKind.HANDOFF).order_by("id"))
    assert [(r.from_status, r.to_status, r.data["acknowledged"]) for r in rows] == [
        (Status.DIVERIFIKASI, Status.DIALIHKAN, False),
        (Status.DIALIHKAN, Status.DITUGASKAN, True),
    ]
    assert rows[1].actor == officer and rows[1].comment == "Diterima, tim fogging dijadwalkan"
    assert list(
        AuditRecord.objects.filter(object_id=str(verified.pk), action__startswith="incident.handoff")
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["incident.handoff", "incident.handoff_ack"]


def test_a_hand_off_to_another_kelurahan_moves_the_incident_there(verified, operator):
    cipondoh_indah = Region.objects.get(code="36.71.05.1003")
    handoff = do_hand_off_incident(
        verified, reason="Lokasi sebenarnya di seberang kali", acting_user=operator, to_kelurahan=cipondoh_indah
    )
    do_acknowledge_handoff(handoff, acting_user=operator, note="Lurah menerima")
    verified.refresh_from_db()
    assert (verified.kelurahan.code, verified.kecamatan.code) == ("36.71.05.1003", "36.71.05")
    assert verified.status == Status.DITUGASKAN


def test_a_hand_off_to_an_outside_party_waits_on_them(verified, operator):
    handoff = do_hand_off_incident(verified, reason="Kabel PLN menjuntai", acting_user=operator, to_party="pln")
    verified.refresh_from_db()
    assert verified.next_escalation_at is not None  # still the city's problem until PLN acknowledges
    do_acknowledge_handoff(handoff, acting_user=operator, note="PLN UP3 Cikokol menerima, tiket 4411")
    verified.refresh_from_db()
    assert verified.status == Status.DIALIHKAN and verified.responded_at is not None
    assert verified.next_escalation_at is None  # the city waits on PLN: no escalation inside the city
    shown = public_timeline(verified)
    assert shown[-1]["handed_to"] == str(Handoff.objects.get().get_to_party_display())
    do_transition_incident(verified, Status.SELESAI, acting_user=operator, comment="PLN selesai memperbaiki")
    assert verified.status == Status.SELESAI


@pytest.mark.parametrize(
    "receiver, error",
    [
        ({}, HandoffError),
        ({"to_party": "pln", "to_agency": "dishub"}, HandoffError),
        ({"to_agency": "dlh"}, HandoffError),  # already with DLH
        ({"to_kelurahan": "36.71.01.1001"}, HandoffError),  # already there
        ({"to_kelurahan": "36.71.05"}, HandoffError),  # a kecamatan, not a kelurahan
        ({"to_party": "pertamina"}, HandoffError),
    ],
)
def test_a_bad_hand_off_is_refused_and_stores_nothing(verified, operator, receiver, error):
    if "to_agency" in receiver:
        receiver["to_agency"] = Agency.objects.get(code=receiver["to_agency"])
    if "to_kelurahan" in receiver:
        receiver["to_kelurahan"] = Region.objects.get(code=receiver["to_kelurahan"])
    rows = TimelineEntry.objects.count()
    with pytest.raises(error):
        do_hand_off_incident(verified, reason="alasan", acting_user=operator, **receiver)
    verified.refresh_from_db()
    assert verified.status == Status.DIVERIFIKASI
    assert not Handoff.objects.exists() and TimelineEntry.objects.count() == rows


def test_a_hand_off_needs_a_reason(verified, operator):
    with pytest.raises(HandoffError, match="reason"):
        do_hand_off_incident(verified, reason=" ", acting_user=operator, to_party="pdam")
    assert not Handoff.objects.exists()


def test_a_new_incident_must_be_verified_before_it_is_handed_off(report, operator):
    incident = report()
    with pytest.raises(TransitionNotAllowed):
        do_hand_off_incident(incident, reason="PDAM", acting_user=operator, to_party="pdam")
    assert not Handoff.objects.exists()


def test_a_hand_off_is_acknowledged_once(verified, operator):
    handoff = do_hand_off_incident(verified, reason="Pipa PDAM bocor", acting_user=operator, to_party="pdam")
    do_acknowledge_handoff(handoff, acting_user=operator)
    with pytest.raises(HandoffError, match="not waiting"):
        do_acknowledge_handoff(handoff, acting_user=operator)
    assert Handoff.objects.get().target == HandoffTarget.EXTERNAL
    assert verified.timeline.filter(kind=TimelineKind.HANDOFF).count() == 2


def test_a_hand_off_row_must_name_exactly_one_receiver(verified, operator):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Handoff.objects.create(
            incident=verified,
            target=HandoffTarget.EXTERNAL,
            to_party="",
            from_agency_id=verified.agency_id,
            from_status=Status.DIVERIFIKASI,
            reason="x",
        )
