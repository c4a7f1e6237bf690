"""A fault-injecting HTTP proxy for tests and demos: put it in front of a real simulator (or any
application) and switch it to misbehave the way city servers do.

    proxy = FaultProxy(upstream_url)
    with running_simulator(proxy.app) as url:     # point the connector at ``url``
        proxy.mode = FaultMode.SERVER_ERROR       # answer HTTP 500
        proxy.mode = FaultMode.HANG               # keep the request open past the client's timeout
        proxy.mode = FaultMode.TRUNCATED          # the real JSON answer, cut in half
        proxy.mode = FaultMode.WRONG_TYPES        # the real JSON answer, every number as a string
        proxy.mode = FaultMode.UNAUTHORIZED       # answer HTTP 401, as a gateway refusing the credentials
        proxy.rewrite = unknown_regions           # with REWRITE: the real JSON answer, changed
        proxy.mode = FaultMode.REWRITE
        proxy.mode = FaultMode.PASS               # healthy again
        proxy.release()                           # end any hanging requests (done on ``close`` too)

Every request is forwarded over real HTTP; ``proxy.requests`` counts what reached the proxy and
``proxy.log`` keeps (method, path with query, mode) of each. WRONG_TYPES and REWRITE change JSON answers
only (an XML or image answer passes as it is). No Django here.
"""

from __future__ import annotations

import enum
import json
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx

from komando.sources.simulation import Request, Response, SimulatorApp


class FaultMode(enum.StrEnum):
    PASS = "pass"
    SERVER_ERROR = "server_error"
    HANG = "hang"
    TRUNCATED = "truncated"
    WRONG_TYPES = "wrong_types"
    UNAUTHORIZED = "unauthorized"
    REWRITE = "rewrite"


KELURAHAN_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
KECAMATAN_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
UNKNOWN_KELURAHAN = "99.99.99.9999"
UNKNOWN_KECAMATAN = "99.99.99"


def numbers_as_strings(value: Any) -> Any:
    """A JSON value with every number (not booleans) turned into a string: a typed client must refuse it."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        return {key: numbers_as_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [numbers_as_strings(item) for item in value]
    return value


def numeric_strings_as_numbers(value: Any) -> Any:
    """A JSON value with every string that reads as a number turned into that number (for sources whose
    real format is all text, as BMKG's): a typed client must refuse it."""
    if isinstance(value, str):
        try:
            return float(value) if any(mark in value for mark in ".eE") else int(value)
        except ValueError:
            return value
    if isinstance(value, dict):
        return {key: numeric_strings_as_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [numeric_strings_as_numbers(item) for item in value]
    return value


def unknown_regions(value: Any) -> Any:
    """A JSON value with every Kemendagri kelurahan/kecamatan code replaced by a well-formed code of
    no region (``99.99.99.9999`` / ``99.99.99``): a connector must refuse the data and store nothing."""
    if isinstance(value, str):
        if KELURAHAN_CODE.match(value):
            return UNKNOWN_KELURAHAN
        if KECAMATAN_CODE.match(value):
            return UNKNOWN_KECAMATAN
        return value
    if isinstance(value, dict):
        return {key: unknown_regions(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unknown_regions(item) for item in value]
    return value


def first_item_emptied(value: Any) -> Any:
    """A JSON value whose first object inside a list has lost every field: a typed client must refuse it."""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return [{}, *value[1:]]
        return [first_item_emptied(item) for item in value]
    if isinstance(value, dict):
        changed = dict(value)
        for key, item in value.items():
            rewritten = first_item_emptied(item)
            if rewritten != item:
                changed[key] = rewritten
                return changed
    return value


class FaultProxy:
    def __init__(self, upstream: str, *, hang_seconds: float = 30.0, path_prefix: str = ""):
        self.upstream = upstream.rstrip("/")
        self.hang_seconds = hang_seconds
        self.path_prefix = path_prefix  # only requests under this path misbehave ("" = all)
        self.mode = FaultMode.PASS
        self.rewrite: Callable[[Any], Any] = unknown_regions  # what REWRITE does to a JSON answer
        self.requests = 0
        self.log: list[tuple[str, str, str]] = []
        self._released = threading.Event()
        self._lock = threading.Lock()
        self.app = SimulatorApp("fault-proxy")
        self.app.route("GET", r"/.*")(self._handle)
        self.app.route("POST", r"/.*")(self._handle)

    def release(self) -> None:
        self._released.set()

    def _forward(self, request: Request) -> httpx.Response:
        url = self.upstream + request.path
        if request.query:
            url += "?" + urlencode(request.query, doseq=True)
        headers = {
            key: value
            for key, value in request.headers.items()
            if key not in {"host", "content-length", "connection", "accept-encoding"}
        }
        return httpx.request(request.method, url, headers=headers, content=request.body or None, timeout=30)

    def _handle(self, request: Request) -> Response:
        mode = self.mode
        with self._lock:
            self.requests += 1
            self.log.append(
                (request.method, request.path + ("?" + urlencode(request.query, doseq=True) if request.query else ""), str(mode))
            )
        if mode != FaultMode.PASS and not request.path.startswith(self.path_prefix):
            mode = FaultMode.PASS
        if mode == FaultMode.SERVER_ERROR:
            return Response.json({"status": "error", "pesan": "Internal Server Error"}, status=500)
        if mode == FaultMode.UNAUTHORIZED:
            return Response.json({"status": "error", "pesan": "Unauthorized"}, status=401)
        if mode == FaultMode.HANG:
            self._released.clear()
            self._released.wait(self.hang_seconds)
            return Response.json({"status": "error", "pesan": "Gateway Timeout"}, status=504)
        upstream = self._forward(request)
        body = upstream.content
        content_type = upstream.headers.get("content-type", "application/json")
        is_json = "json" in content_type
        if upstream.status_code == 200 and mode == FaultMode.TRUNCATED:
            body = body[: len(body) // 2]
        elif upstream.status_code == 200 and is_json and mode == FaultMode.WRONG_TYPES:
            body = json.dumps(numbers_as_strings(json.loads(body)), ensure_ascii=False).encode()
        elif upstream.status_code == 200 and is_json and mode == FaultMode.REWRITE:
            body = json.dumps(self.rewrite(json.loads(body)), ensure_ascii=False).encode()
        return Response(upstream.status_code, body, content_type)

    def close(self) -> None:
        self.release()
