"""Test helpers shared by the field-operation connectors' tests (clock, fault injection)."""

from __future__ import annotations

import json
import socket
from datetime import datetime

from komando.sources.simulation import Response


class Clock:
    """The simulator's idea of now, moved by the test."""

    def __init__(self, moment: datetime):
        self.now = moment.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float = 0, hours: float = 0, days: float = 0) -> None:
        self.now += minutes * 60 + hours * 3600 + days * 86400


def served(app, request):
    for method, pattern, handler in app.routes:
        match = pattern.match(request.path)
        if match and method == request.method:
            return handler(request, **match.groupdict())
    raise AssertionError(f"no route for {request.path}")


def corrupting(app, path_part, mutate):
    """A fault that changes the simulator's JSON answer for paths containing ``path_part``."""

    def fault(request):
        if path_part not in request.path:
            return None
        body = json.loads(served(app, request).body)
        mutate(body)
        return Response.json(body)

    return fault


def truncating(app, path_part):
    def fault(request):
        if path_part not in request.path:
            return None
        body = served(app, request).body
        return Response(200, body[: len(body) // 2], "application/json")

    return fault


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def slow(path_part, seconds):
    import time

    def fault(request):
        if path_part in request.path:
            time.sleep(seconds)
        return None

    return fault
