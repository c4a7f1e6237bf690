"""The record is append-only at every level: model, queryset, database (triggers, on SQLite and
PostgreSQL alike), the admin and the API. A correction is a new decision pointing at the old one."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from komando.situation.actions import do_add_action_item, do_record_decision, do_update_action_item
from komando.situation.models import (
    APPEND_ONLY_MODELS,
    ActionItem,
    ActionItemUpdate,
    AppendOnlyError,
    Decision,
    Session,
    TimelineEntry,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(session, personas, dinkes):
    return do_record_decision(
        session,
        "Buka posko kesehatan di Kelurahan Gebang Raya",
        acting_user=personas["operator"],
        basis="Laporan BPBD: 300 warga mengungsi",
        assigned_agency=dinkes,
    )


@pytest.fixture
def full_record(session, decision, personas, report, dinkes):
    """One row or more of every table of the record, the session closed at the end."""
    from komando.situation.actions import do_add_attendee, do_close_session, do_link_incident

    do_add_attendee(session, acting_user=personas["operator"], name="PLN UP3 Cikokol")
    do_link_incident(session, report("BANJIR"), acting_user=personas["operator"])
    item = do_add_action_item(session, "Kirim ambulans", acting_user=personas["operator"], assigned_agency=dinkes)
    do_update_action_item(item, "in_progress", acting_user=personas["operator"])
    do_close_session(session, acting_user=personas["operator"])
    return session


def test_a_recorded_decision_cannot_be_saved_again(decision):
    decision.text = "Something else"
    with pytest.raises(AppendOnlyError):
        decision.save()
    with pytest.raises(AppendOnlyError):
        decision.save(update_fields=["text"])
    assert Decision.objects.get(pk=decision.pk).text == "Buka posko kesehatan di Kelurahan Gebang Raya"


def test_a_recorded_decision_cannot_be_deleted(decision):
    with pytest.raises(AppendOnlyError):
        decision.delete()
    assert Decision.objects.filter(pk=decision.pk).exists()


@pytest.mark.parametrize("model", APPEND_ONLY_MODELS, ids=lambda model: model.__name__)
def test_querysets_refuse_bulk_updates_and_deletes(model, full_record):
    assert model.objects.exists()
    with pytest.raises(AppendOnlyError):
        model.objects.all().update(id=0)
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        model.objects.bulk_update(list(model.objects.all()), ["id"])
    assert model.objects.exists()


def test_an_incident_link_cannot_be_removed_through_the_many_to_many(session, personas, report):
    from komando.situation.actions import do_link_incident

    incident = report("BANJIR")
    do_link_incident(session, incident, acting_user=personas["operator"])
    with pytest.raises(AppendOnlyError), transaction.atomic():
        session.incidents.remove(incident)
    with pytest.raises(AppendOnlyError), transaction.atomic():
        session.incidents.clear()
    assert list(session.incidents.all()) == [incident]


TABLES = [
    "situation_session",
    "situation_sessionclosure",
    "situation_attendee",
    "situation_incidentlink",
    "situation_decision",
    "situation_actionitem",
    "situation_actionitemupdate",
    "situation_timelineentry",
]


@pytest.mark.parametrize("table", TABLES)
def test_the_database_refuses_update_and_delete_underneath_the_orm(table, full_record):
    """Raw SQL, as another program would write: the triggers of migration 0002 refuse it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
        before = cursor.fetchone()[0]
    assert before > 0
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone()[0] == before


def test_the_database_still_takes_new_rows(session, personas):
    """The guard refuses changes, not inserts: notes keep coming."""
    from komando.situation.actions import do_add_note

    count = TimelineEntry.objects.filter(session=session).count()
    do_add_note(session, "Pompa Periuk 2 menyala", acting_user=personas["operator"])
    assert TimelineEntry.objects.filter(session=session).count() == count + 1


def test_a_correction_is_a_new_decision_pointing_at_the_old_one(session, decision, personas, dinkes):
    first_text = decision.text
    correction = do_record_decision(
        session,
        "Buka posko kesehatan di Kelurahan Gebang Raya dan Sangiang Jaya",
        acting_user=personas["operator"],
        corrects=decision,
        assigned_agency=dinkes,
    )
    second = do_record_decision(
        session,
        "Posko kesehatan di Gebang Raya saja; Sangiang Jaya oleh Puskesmas",
        acting_user=personas["operator"],
        corrects=correction,
    )
    decision.refresh_from_db()
    assert decision.text == first_text  # the corrected one stays as it was
    assert decision.correction_or_none == correction
    assert correction.corrects == decision and correction.correction_or_none == second
    assert Decision.objects.filter(session=session).count() == 3

    from komando.situation.selectors import decision_rows

    rows = {row["id"]: row for row in decision_rows(session)}
    assert rows[decision.pk]["corrected_by"] == correction.pk and rows[decision.pk]["corrected_by_number"] == 2
    assert rows[correction.pk]["corrects_number"] == 1 and rows[correction.pk]["corrected_by_number"] == 3
    assert rows[second.pk]["corrected_by"] is None


def test_a_decision_is_corrected_once_then_its_correction_is_corrected(session, decision, personas):
    from komando.situation.actions import SituationError

    do_record_decision(session, "Koreksi pertama", acting_user=personas["operator"], corrects=decision)
    count = Decision.objects.count()
    with pytest.raises(SituationError, match="already been corrected"):
        do_record_decision(session, "Koreksi kedua atas yang sama", acting_user=personas["operator"], corrects=decision)
    assert Decision.objects.count() == count


def test_action_status_changes_are_appended_rows(session, personas, dinkes):
    item = do_add_action_item(session, "Distribusi obat ke posko", acting_user=personas["operator"], assigned_agency=dinkes)
    do_update_action_item(item, "in_progress", acting_user=personas["opd_officer"], note="Tim berangkat")
    do_update_action_item(item, "done", acting_user=personas["opd_officer"], note="Obat diterima posko")
    statuses = list(ActionItemUpdate.objects.filter(action_item=item).values_list("status", flat=True))
    assert statuses == ["open", "in_progress", "done"]
    assert ActionItem.objects.get(pk=item.pk).text == "Distribusi obat ke posko"


# --- the admin ---------------------------------------------------------------------------------


@pytest.mark.parametrize("model", APPEND_ONLY_MODELS, ids=lambda model: model.__name__)
def test_the_admin_shows_the_record_but_offers_no_add_change_or_delete(model, client, personas, full_record):
    from django.urls import reverse

    client.force_login(personas["administrator"])  # a superuser
    row = model.objects.first()
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    listing = client.get(reverse(f"{prefix}_changelist"))
    assert listing.status_code == 200
    assert b"action-checkbox" not in listing.content  # no bulk delete
    view = client.get(reverse(f"{prefix}_change", args=[row.pk]))
    assert view.status_code == 200 and b'name="_save"' not in view.content  # shown read-only
    assert client.post(reverse(f"{prefix}_change", args=[row.pk]), {}).status_code == 403
    assert client.get(reverse(f"{prefix}_add")).status_code == 403
    assert client.post(reverse(f"{prefix}_add"), {}).status_code == 403
    assert client.get(reverse(f"{prefix}_delete", args=[row.pk])).status_code == 403
    assert client.post(reverse(f"{prefix}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


def test_a_session_row_is_not_changed_when_it_closes(session, personas):
    from komando.situation.actions import do_close_session

    closure = do_close_session(session, acting_user=personas["operator"], note="Air surut")
    fresh = Session.objects.get(pk=session.pk)
    assert not fresh.is_open and fresh.closed_at == closure.closed_at
