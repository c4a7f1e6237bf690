"""Who may do what, and bad input: a clear refusal and nothing stored."""

from __future__ import annotations

import pytest

from komando.audit.models import AuditRecord
from komando.situation import access
from komando.situation.actions import (
    SituationError,
    SituationRefused,
    do_add_action_item,
    do_add_attendee,
    do_add_note,
    do_close_session,
    do_link_incident,
    do_open_session,
    do_record_decision,
    do_update_action_item,
)
from komando.situation.models import ActionItem, Attendee, Decision, IncidentLink, Session, TimelineEntry

pytestmark = pytest.mark.django_db


def counts():
    return [model.objects.count() for model in (Session, Attendee, IncidentLink, Decision, ActionItem, TimelineEntry)]


@pytest.mark.parametrize(
    "role, allowed",
    [("operator", True), ("executive", True), ("administrator", True), ("opd_officer", False), ("outsider", False)],
)
def test_who_opens_a_session(personas, role, allowed):
    if allowed:
        session = do_open_session("Banjir Periuk", acting_user=personas[role])
        assert session.chair == personas[role] and session.is_open
        assert AuditRecord.objects.filter(action="situation.open", object_id=str(session.pk)).exists()
        assert list(session.attendees.values_list("user__username", flat=True)) == [role]
    else:
        with pytest.raises(SituationRefused):
            do_open_session("Banjir Periuk", acting_user=personas[role])
        assert Session.objects.count() == 0


@pytest.mark.parametrize(
    "title, message",
    [("", "Title is required"), ("   ", "Title is required"), ("x" * 201, "longer than 200"), (42, "must be text")],
)
def test_a_bad_title_is_refused_and_nothing_stored(personas, title, message):
    with pytest.raises(SituationError, match=message):
        do_open_session(title, acting_user=personas["operator"])
    assert counts() == [0] * 6


def test_the_chair_must_be_allowed_to_chair(personas):
    with pytest.raises(SituationError, match="chair must be"):
        do_open_session("Banjir", acting_user=personas["operator"], chair=personas["opd_officer"])
    assert Session.objects.count() == 0


def test_a_kelurahan_outside_the_kecamatan_is_refused(personas):
    from komando.regions.models import Region

    periuk = Region.objects.get(level="kecamatan", name__icontains="Periuk")
    elsewhere = Region.objects.filter(level="kelurahan").exclude(parent=periuk).first()
    with pytest.raises(SituationError, match="not in that kecamatan"):
        do_open_session("Banjir", acting_user=personas["operator"], kecamatan=periuk, kelurahan=elsewhere)
    inside = Region.objects.filter(level="kelurahan", parent=periuk).first()
    session = do_open_session("Banjir", acting_user=personas["operator"], kelurahan=inside)
    assert session.kecamatan == periuk


@pytest.mark.parametrize(
    "role, allowed",
    [("operator", True), ("administrator", True), ("executive", False), ("opd_officer", False), ("outsider", False)],
)
def test_only_the_chair_or_an_administrator_records_decisions_and_closes(session, personas, role, allowed):
    assert session.chair == personas["operator"]
    if allowed:
        decision = do_record_decision(session, "Evakuasi warga RW 05", acting_user=personas[role])
        assert decision.decided_by == session.chair and decision.recorded_by == personas[role]
        assert AuditRecord.objects.filter(action="situation.decision", object_id=str(decision.pk)).exists()
        do_close_session(session, acting_user=personas[role])
        assert not session.is_open
    else:
        with pytest.raises(SituationRefused):
            do_record_decision(session, "Evakuasi warga RW 05", acting_user=personas[role])
        with pytest.raises(SituationRefused):
            do_close_session(session, acting_user=personas[role])
        assert Decision.objects.count() == 0 and session.is_open


def test_a_decision_needs_words_and_a_real_deadline(session, personas):
    before = counts()
    with pytest.raises(SituationError, match="Decision is required"):
        do_record_decision(session, "  ", acting_user=personas["operator"])
    with pytest.raises(SituationError, match="not a date"):
        do_record_decision(session, "Evakuasi", acting_user=personas["operator"], deadline="besok")
    assert counts() == before


def test_a_correction_must_be_of_the_same_session(session, personas):
    other = do_open_session("Kebakaran Pasar", acting_user=personas["operator"])
    foreign = do_record_decision(other, "Tutup jalan", acting_user=personas["operator"])
    with pytest.raises(SituationError, match="not one of this session"):
        do_record_decision(session, "Buka jalan", acting_user=personas["operator"], corrects=foreign)
    assert session.decisions.count() == 0


def test_nothing_is_recorded_in_a_closed_session(session, personas, report, dinkes):
    item = do_add_action_item(session, "Pompa", acting_user=personas["operator"], assigned_agency=dinkes)
    do_close_session(session, acting_user=personas["operator"], note="Air surut")
    before = counts()
    for step in (
        lambda: do_record_decision(session, "Lagi", acting_user=personas["operator"]),
        lambda: do_add_note(session, "Catatan", acting_user=personas["operator"]),
        lambda: do_link_incident(session, report("BANJIR"), acting_user=personas["operator"]),
        lambda: do_add_attendee(session, acting_user=personas["operator"], name="BPBD Provinsi"),
        lambda: do_update_action_item(item, "done", acting_user=personas["operator"]),
        lambda: do_close_session(session, acting_user=personas["operator"]),
    ):
        with pytest.raises(SituationError, match="session is closed"):
            step()
    assert counts()[:5] == before[:5] and counts()[5] == before[5]


def test_an_action_item_needs_an_assignee(session, personas):
    with pytest.raises(SituationError, match="assigned to an OPD or a person"):
        do_add_action_item(session, "Pasang pompa", acting_user=personas["operator"])
    assert ActionItem.objects.count() == 0


def test_action_status_moves_forward_only(session, personas, dinkes):
    item = do_add_action_item(session, "Pasang pompa", acting_user=personas["operator"], assigned_agency=dinkes)
    do_update_action_item(item, "done", acting_user=personas["operator"])
    with pytest.raises(SituationError, match="cannot become"):
        do_update_action_item(item, "in_progress", acting_user=personas["operator"])
    with pytest.raises(SituationError, match="Unknown status"):
        do_update_action_item(item, "finished", acting_user=personas["operator"])
    assert item.updates.count() == 2


def test_an_opd_officer_sees_sessions_of_their_opd_and_updates_its_action_items(session, personas, report, dinkes):
    from komando.agencies.models import Agency

    officer = personas["opd_officer"]  # Dinkes
    assert access.can_use_situation_room(officer)
    assert not access.can_view_session(officer, session)
    do_link_incident(session, report("BANJIR"), acting_user=personas["operator"])  # a BPBD incident
    assert not access.can_view_session(officer, session)
    do_link_incident(session, report("MEDIS", lat=-6.1731, lon=106.6322), acting_user=personas["operator"])
    assert access.can_view_session(officer, session)

    other = do_open_session("Kebakaran", acting_user=personas["operator"])
    dlh_item = do_add_action_item(
        other, "Angkut puing", acting_user=personas["operator"], assigned_agency=Agency.objects.get(code="dlh")
    )
    assert not access.can_view_session(officer, other)
    do_record_decision(other, "Posko kesehatan", acting_user=personas["operator"], assigned_agency=dinkes)
    assert access.can_view_session(officer, other)
    dinkes_item = do_add_action_item(other, "Kirim ambulans", acting_user=personas["operator"], assigned_agency=dinkes)
    do_update_action_item(dinkes_item, "in_progress", acting_user=officer, note="Ambulans 2 berangkat")
    with pytest.raises(SituationRefused):
        do_update_action_item(dlh_item, "done", acting_user=officer)
    assert dlh_item.updates.count() == 1
    # …but records no decision, opens no session, links nothing
    with pytest.raises(SituationRefused):
        do_record_decision(other, "Saya putuskan", acting_user=officer)
    with pytest.raises(SituationRefused):
        do_add_note(other, "Catatan", acting_user=officer)
    assert not access.can_view_session(personas["outsider"], other)


def test_an_item_assigned_to_a_person_is_updated_by_that_person(session, personas):
    item = do_add_action_item(session, "Hubungi PLN", acting_user=personas["operator"], assigned_user=personas["executive"])
    do_update_action_item(item, "done", acting_user=personas["executive"], note="PLN padamkan gardu")
    assert item.updates.last().by == personas["executive"]


def test_attendees_are_listed_once(session, personas):
    do_add_attendee(session, acting_user=personas["operator"], user=personas["executive"])
    do_add_attendee(session, acting_user=personas["operator"], name="PLN UP3 Cikokol")
    with pytest.raises(SituationError, match="already listed"):
        do_add_attendee(session, acting_user=personas["operator"], user=personas["executive"])
    with pytest.raises(SituationError, match="Name one attendee"):
        do_add_attendee(session, acting_user=personas["operator"])
    with pytest.raises(SituationError, match="Name one attendee"):
        do_add_attendee(session, acting_user=personas["operator"], user=personas["administrator"], name="Dua")
    assert [a.label for a in session.attendees.all()] == ["operator", "executive", "PLN UP3 Cikokol"]


def test_an_incident_is_linked_once(session, personas, report):
    incident = report("BANJIR")
    do_link_incident(session, incident, acting_user=personas["operator"])
    with pytest.raises(SituationError, match="already linked"):
        do_link_incident(session, incident, acting_user=personas["executive"])
    assert session.incident_links.count() == 1
    assert session.timeline.filter(kind="incident", incident=incident).count() == 1


def test_every_step_is_audited(session, personas, report, dinkes):
    operator = personas["operator"]
    do_add_attendee(session, acting_user=operator, name="BPBD")
    do_link_incident(session, report("BANJIR"), acting_user=operator)
    do_add_note(session, "Hujan berhenti", acting_user=operator)
    decision = do_record_decision(session, "Evakuasi", acting_user=operator)
    do_record_decision(session, "Evakuasi RW 05 dan 06", acting_user=operator, corrects=decision)
    item = do_add_action_item(session, "Tenda", acting_user=operator, assigned_agency=dinkes)
    do_update_action_item(item, "in_progress", acting_user=operator)
    do_close_session(session, acting_user=operator)
    actions = set(AuditRecord.objects.filter(actor=operator).values_list("action", flat=True))
    assert {
        "situation.open",
        "situation.attendee",
        "situation.link_incident",
        "situation.note",
        "situation.decision",
        "situation.correct_decision",
        "situation.action_item",
        "situation.action_update",
        "situation.close",
    } <= actions
