"""Events sent by actions reach the screens' WebSockets, once, after commit, from any thread."""

import asyncio
import threading
import uuid

import pytest
from channels.testing import WebsocketCommunicator
from django.db import transaction

from komando.asgi import application
from komando.core.events import LiveEvent, publish, send_event_on_commit

HEADERS = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]


async def _connect():
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=HEADERS)
    connected, _ = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from()
    assert hello["type"] == "hello"
    return communicator, hello


@pytest.mark.django_db(transaction=True)
def test_event_published_from_a_worker_thread_reaches_the_screen():
    async def scenario():
        communicator, hello = await _connect()
        assert hello["data"]["groups"] == ["live.public"]
        worker = threading.Thread(target=publish, args=(LiveEvent(type="panel.test", data={"n": 1}),))
        worker.start()
        worker.join()
        event = await communicator.receive_json_from(timeout=3)
        assert event == {"type": "panel.test", "data": {"n": 1}, "meta": {}}
        await communicator.disconnect()

    asyncio.run(scenario())


@pytest.mark.django_db(transaction=True)
def test_event_is_sent_only_when_the_transaction_commits():
    async def scenario():
        communicator, _ = await _connect()

        def write(rollback: bool, n: int):
            try:
                with transaction.atomic():
                    send_event_on_commit(LiveEvent(type="panel.test", data={"n": n}))
                    if rollback:
                        raise RuntimeError("rolled back")
            except RuntimeError:
                pass

        for rollback, n in [(True, 1), (False, 2)]:
            worker = threading.Thread(target=write, args=(rollback, n))
            worker.start()
            worker.join()
        event = await communicator.receive_json_from(timeout=3)
        assert event["data"] == {"n": 2}
        assert await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()

    asyncio.run(scenario())


@pytest.mark.django_db(transaction=True)
def test_restricted_events_do_not_reach_anonymous_screens():
    async def scenario():
        communicator, _ = await _connect()
        publish(LiveEvent(type="panel.development", data={"secret": True}, audience="development"))
        assert await communicator.receive_nothing(timeout=0.5)
        await communicator.disconnect()

    asyncio.run(scenario())


@pytest.mark.django_db(transaction=True)
def test_events_cross_processes_over_the_redis_layer(settings):
    """With REDIS_URL set, Channels' Redis layer carries events from any process to the screens."""
    from channels.layers import channel_layers

    from komando.conftest import require_service

    require_service("Redis", "127.0.0.1", 6379)
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:6379/0"], "prefix": f"komando-test-{uuid.uuid4().hex}"},
        }
    }
    channel_layers.backends.clear()
    try:
        from channels.layers import get_channel_layer

        assert type(get_channel_layer()).__name__ == "RedisChannelLayer"

        async def scenario():
            communicator, _ = await _connect()
            # published from another thread with its own event loop, as a separate ingest process would
            worker = threading.Thread(target=publish, args=(LiveEvent(type="panel.test", data={"via": "redis"}),))
            worker.start()
            worker.join()
            event = await communicator.receive_json_from(timeout=5)
            assert event["data"] == {"via": "redis"}
            await communicator.disconnect()

        asyncio.run(scenario())
    finally:
        channel_layers.backends.clear()


@pytest.mark.django_db(transaction=True)
def test_hello_carries_the_build_the_server_runs():
    """Screens reload themselves when the build changes after a reconnect (live.js): the hello says
    which build it is, the same id the wall's state carries."""
    from komando.wall.selectors import build_id

    async def scenario():
        communicator, hello = await _connect()
        assert hello["data"]["build"] == build_id()
        assert hello["data"]["build"]
        await communicator.disconnect()

    asyncio.run(scenario())
