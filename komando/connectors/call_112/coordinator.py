"""Call Center 112 is fed by push (``komando.connectors.call_112.webhook.call_112_webhook``): nothing to fetch.

Each accepted call records a successful run on the source's health, so the source is live while
calls come and stale after two schedule intervals without one."""

from __future__ import annotations

from komando.connectors.call_112.config import Call112Config
from komando.sources.framework import BaseCoordinator, FetchResult


class Coordinator(BaseCoordinator):
    config_class = Call112Config
    pull = False  # the scheduler never runs it

    def fetch(self, cursor: dict) -> FetchResult:
        raise NotImplementedError("Call Center 112 pushes its calls to /api/webhooks/call-112/")

    def store(self, source, result: FetchResult) -> None:
        raise NotImplementedError("Call Center 112 pushes its calls to /api/webhooks/call-112/")
