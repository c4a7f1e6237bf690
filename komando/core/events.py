"""The live bus: one function sends every event a screen shows, once, after the transaction commits.

Events go to channel-layer groups that WebSocket consumers join (see ``komando.realtime``).
With the in-memory layer (the default, single process) events raised in worker threads are
handed to the event loop that serves the WebSockets; with Redis they cross processes.
"""

import asyncio
import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

logger = logging.getLogger("komando.events")

# Audiences: the public PIS, signed-in staff (internal sources, field units), and viewers of
# restricted development data.
PUBLIC = "public"
STAFF = "staff"
DEVELOPMENT_VIEWERS = "development"

_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


@dataclass(frozen=True)
class LiveEvent:
    """A typed event: ``type`` names the schema (e.g. ``panel.population``), ``data`` carries it."""

    type: str
    data: dict[str, Any]
    audience: str = PUBLIC
    meta: dict[str, Any] = field(default_factory=dict)

    def message(self) -> dict[str, Any]:
        # Round-trip through Django's encoder so dates, decimals and UUIDs are plain JSON.
        body = json.loads(json.dumps({"type": self.type, "data": self.data, "meta": self.meta}, cls=DjangoJSONEncoder))
        return {"type": "live.event", "event": body}


def bind_event_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Called by the WebSocket consumer: the loop that in-memory events must be delivered on."""
    global _loop
    with _loop_lock:
        _loop = loop


def group_name(audience: str) -> str:
    return f"live.{audience}"


def publish(event: LiveEvent) -> None:
    """Send now. Prefer ``send_event_on_commit`` from actions."""
    layer = get_channel_layer()
    if layer is None:
        return
    coro_args = (group_name(event.audience), event.message())
    loop = _loop
    if isinstance(layer, InMemoryChannelLayer):
        if loop is None or loop.is_closed():
            return  # nobody is listening in this process yet
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.create_task(layer.group_send(*coro_args))
        else:
            asyncio.run_coroutine_threadsafe(layer.group_send(*coro_args), loop)
        return
    try:
        async_to_sync(layer.group_send)(*coro_args)
    except Exception:  # the bus must never break the write that raised the event
        logger.exception("live event %s could not be published", event.type)


def send_event_on_commit(event: LiveEvent) -> None:
    transaction.on_commit(lambda: publish(event))
