"""A tiny HTTP framework for the simulators of the city's applications (standard library only).

A simulator is a ``SimulatorApp``: routes from (method, path regex) to handlers that return a
``Response``. ``serve`` runs it in the foreground; ``running_simulator`` runs it in a thread (tests).
No Django here: a simulator stands in for another organisation's server.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger("komando.simulators")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def basic_auth(self) -> tuple[str, str] | None:
        header = self.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return user, password


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, content_type: str = "application/json") -> Response:
        return cls(status, json.dumps(data, ensure_ascii=False).encode(), content_type)


Handler = Callable[..., Response]


class SimulatorApp:
    def __init__(self, name: str):
        self.name = name
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        # Tests switch faults on to see how connectors cope: None, or a callable(request) -> Response|None.
        self.fault: Callable[[Request], Response | None] | None = None

    def route(self, method: str, pattern: str):
        def decorator(handler: Handler) -> Handler:
            self.routes.append((method, re.compile(f"^{pattern}$"), handler))
            return handler

        return decorator

    def handle(self, request: Request) -> Response:
        if self.fault is not None:
            faulty = self.fault(request)
            if faulty is not None:
                return faulty
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                return handler(request, **match.groupdict())
        return Response.json({"error": "not found", "path": request.path}, status=404)


def _handler_class(app: SimulatorApp):
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _dispatch(self):
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            try:
                response = app.handle(request)
            except Exception:  # a simulator bug must look like a server error, not hang the client
                logger.exception("%s simulator failed on %s", app.name, self.path)
                response = Response.json({"error": "internal"}, status=500)
            try:
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(response.body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (e.g. its timeout)
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = _dispatch

        def log_message(self, format, *args):  # noqa: A002  (signature from the base class)
            logger.debug("%s %s", app.name, format % args)

    return _Handler


def make_server(app: SimulatorApp, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), _handler_class(app))
    server.daemon_threads = True
    return server


def serve(app: SimulatorApp, host: str, port: int) -> None:
    server = make_server(app, host, port)
    logger.info("%s simulator at http://%s:%s", app.name, host, port)
    try:
        server.serve_forever()
    finally:
        server.server_close()


@contextlib.contextmanager
def running_simulator(app: SimulatorApp, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` on a free port in a thread; yields its base URL (for tests)."""
    server = make_server(app, host, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
