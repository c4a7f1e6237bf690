"""The live bus: every recorded step tells the session screens after commit (``situation.changed``
with the session id, audience staff); signed-in staff hear it over /ws/live/, the public does not."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from komando.core import events
from komando.realtime.consumers import LiveConsumer
from komando.situation.actions import do_add_note, do_open_session

pytestmark = pytest.mark.django_db


async def connect(user):
    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), "/ws/live/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=2))["type"] == "hello"
    return communicator


def test_the_event_is_sent_only_after_commit(personas, django_capture_on_commit_callbacks, captured_events):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        session = do_open_session("Banjir Periuk", acting_user=personas["operator"])
        assert captured_events == []  # not before the commit
    for callback in callbacks:
        callback()
    assert [(e.type, e.data, e.audience) for e in captured_events] == [
        ("situation.changed", {"session": session.pk, "what": "opened"}, events.STAFF)
    ]


def test_staff_hear_of_a_session_change_and_the_public_does_not(personas, django_capture_on_commit_callbacks, monkeypatch):
    real_publish = events.publish
    sent = []
    monkeypatch.setattr("komando.core.events.publish", sent.append)
    session = do_open_session("Banjir Periuk", acting_user=personas["operator"])
    with django_capture_on_commit_callbacks(execute=True):
        do_add_note(session, "Pompa menyala", acting_user=personas["operator"])
    event = sent[-1]

    async def scenario():
        staff = await connect(personas["executive"])
        officer = await connect(personas["opd_officer"])
        public = await connect(AnonymousUser())
        try:
            real_publish(event)  # what the commit hook does, on the bus the consumers listen to
            heard_staff = await staff.receive_json_from(timeout=2)
            heard_officer = await officer.receive_json_from(timeout=2)
            public_silent = await public.receive_nothing(timeout=0.5)
            return heard_staff, heard_officer, public_silent
        finally:
            for communicator in (staff, officer, public):
                await communicator.disconnect()

    heard_staff, heard_officer, public_silent = async_to_sync(scenario)()
    assert heard_staff == {"type": "situation.changed", "data": {"session": session.pk, "what": "note"}, "meta": {}}
    assert heard_officer["data"]["session"] == session.pk  # re-reads and is told 404 if the session is not theirs
    assert public_silent
