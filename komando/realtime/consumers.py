import asyncio

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from komando.core import events


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Pushes live events to a screen. Every screen gets public events. A user allowed to see
    development data joins exactly one development group: the unscoped one, or (OPD officers) the
    group of their own OPD, whose events carry only that OPD's rows."""

    async def connect(self):
        events.bind_event_loop(asyncio.get_running_loop())
        self.groups_joined = [events.group_name(events.PUBLIC)]
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            from komando.accounts.access import can_view_internal
            from komando.development.events import development_audience

            if await sync_to_async(can_view_internal)(user):
                self.groups_joined.append(events.group_name(events.STAFF))
            self.incident_agency = await sync_to_async(_incident_agency_code)(user)
            self.alerts_scoped = await sync_to_async(_alerts_scoped)(user)

            audience = await sync_to_async(development_audience)(user)
            if audience is not None:
                self.groups_joined.append(events.group_name(audience))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        # The build this server runs (the wall's build id, one source of truth): a screen that sees
        # another one after a reconnection reloads itself (komando/static/komando/live.js).
        from komando.wall.selectors import build_id

        await self.send_json({"type": "hello", "data": {"groups": self.groups_joined, "build": build_id()}})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, message):
        event = message["event"]
        scope = getattr(self, "incident_agency", None)
        if (
            scope is not None
            and event.get("type") == "incidents.changed"
            and scope not in (event.get("data") or {}).get("agencies", ())
        ):
            return  # an OPD officer hears only of their own OPD's incidents
        if event.get("type") == "alerts.changed" and getattr(self, "alerts_scoped", False):
            # The event carries every open alert; an OPD officer is sent only those they may see.
            from komando.alerts.selectors import open_alerts

            user = self.scope["user"]
            event = {**event, "data": {**(event.get("data") or {}), "open": await sync_to_async(open_alerts)(user)}}
        await self.send_json(event)


def _incident_agency_code(user) -> str | None:
    """None: every incident's events; else the only OPD (code) whose incident events this user hears."""
    from komando.agencies.models import Agency
    from komando.incidents.access import incident_scope

    scope = incident_scope(user)
    if scope is None:
        return None
    return Agency.objects.filter(pk=scope).values_list("code", flat=True).first() or "-"


def _alerts_scoped(user) -> bool:
    """Whether this user sees only some alerts (then ``alerts.changed`` is cut to theirs)."""
    from komando.alerts.access import alert_scope

    return alert_scope(user) is not None
