"""The connector kit for tests: shared helpers and the contract every connector passes.

Helpers (used by every connector's own tests): ``Clock`` (the simulator's idea of now, moved by the
test), ``closed_port`` (a port nothing listens on), ``served``/``corrupting``/``truncating``/``slow``
(faults injected into a simulator's own answers), ``coordinator_at`` (a connector's coordinator
pointed at a URL) and ``stored_state`` (everything the domain stores, as text).

The contract (``komando/connectors/tests/test_contract.py`` runs it for every connector slug of
``komando.sources.registry.manifests``): over real HTTP, coordinator → ``FaultProxy`` (see
``komando.sources.faults``) → the connector's simulator, a pull connector

- records a healthy run on success;
- records each fault on its source's health with its kind and stores nothing: HTTP 500 (server),
  a hanging server past the client's timeout (unreachable), truncated JSON, wrong types and unknown
  region codes (invalid), refused credentials (auth);
- stores idempotently (the same fetch twice changes nothing);
- resumes from its cursor after an outage, with no gap (a run from scratch then adds nothing);
- changes nothing stored on bad input (an item without its fields).

A connector describes what the contract needs in ``komando/connectors/<slug>/tests/contract.py``
(``CONTRACT = Contract(...)``): how to build its simulator, which credentials it takes, and, for
each part that does not apply to it, why (``not_applicable``). A push-fed connector (its
coordinator says ``pull = False``: a webhook or MQTT feeds it) has nothing to fetch, so the parts
about fetching do not apply; it names a ``push`` callable and runs the parts about what it receives.
"""

from __future__ import annotations

import importlib
import json
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote_plus

from komando.core.clock import city_zone
from komando.sources.faults import FaultMode, FaultProxy, first_item_emptied, unknown_regions
from komando.sources.simulation import Response, SimulatorApp, running_simulator

# A Wednesday in the morning rush hour: every simulator has something to say then.
CONTRACT_START = datetime(2026, 11, 25, 8, 2, 30, tzinfo=city_zone())


class Clock:
    """The simulator's idea of now (seconds since the epoch), moved by the test."""

    def __init__(self, moment: datetime):
        self.now = moment.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, minutes: float = 0, hours: float = 0, days: float = 0) -> None:
        self.now += minutes * 60 + hours * 3600 + days * 86400

    def moment(self, tz=UTC) -> datetime:
        return datetime.fromtimestamp(self.now, tz)


def closed_port() -> int:
    """A local port nothing listens on (bound once, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def closed_url() -> str:
    return f"http://127.0.0.1:{closed_port()}"


def served(app: SimulatorApp, request) -> Response:
    """What ``app``'s routes answer to ``request`` (without its ``fault``)."""
    for method, pattern, handler in app.routes:
        match = pattern.match(request.path)
        if match and method == request.method:
            return handler(request, **match.groupdict())
    raise AssertionError(f"no route for {request.path}")


def corrupting(app: SimulatorApp, path_part: str, mutate: Callable[[Any], Any]):
    """A fault that changes (in place) the simulator's JSON answer for paths containing ``path_part``."""

    def fault(request):
        if path_part not in request.path:
            return None
        body = json.loads(served(app, request).body)
        mutate(body)
        return Response.json(body)

    return fault


def truncating(app: SimulatorApp, path_part: str):
    """A fault that cuts the simulator's answer for paths containing ``path_part`` in half."""

    def fault(request):
        if path_part not in request.path:
            return None
        body = served(app, request).body
        return Response(200, body[: len(body) // 2], "application/json")

    return fault


def slow(path_part: str, seconds: float):
    """A fault that delays the answer for paths containing ``path_part`` by ``seconds``."""

    def fault(request):
        if path_part in request.path:
            time.sleep(seconds)
        return None

    return fault


def coordinator_at(slug: str, url: str, **options):
    """Connector ``slug``'s coordinator, its config's ``base_url`` set to ``url``."""
    from komando.sources.registry import coordinator_class, manifests

    coordinator_cls = coordinator_class(slug)
    return coordinator_cls(manifests()[slug], coordinator_cls.config_class(base_url=url, **options))


HEALTH_APPS = frozenset({"sources"})  # the health a run records is not "what is stored"


def stored_state(exclude_apps: frozenset[str] = HEALTH_APPS) -> str:
    """Every row of every table, but the sources' health, as text: what must not change on a fault."""
    from django.apps import apps
    from django.core import serializers

    rows = []
    for model in apps.get_models():
        if model._meta.app_label in exclude_apps:
            continue
        rows.append(serializers.serialize("json", model._default_manager.order_by("pk")))
    return "\n".join(rows)


# --- the contract ---------------------------------------------------------------------------------

FAULTS = {
    # part of the contract: (what the proxy does, the kind on the source's health)
    "server_error": (FaultMode.SERVER_ERROR, "server"),
    "timeout": (FaultMode.HANG, "unreachable"),
    "truncated_json": (FaultMode.TRUNCATED, "invalid"),
    "wrong_types": (FaultMode.WRONG_TYPES, "invalid"),
    "unknown_region": (FaultMode.REWRITE, "invalid"),
    "auth_failure": (FaultMode.UNAUTHORIZED, "auth"),
}
PARTS = ("health", *FAULTS, "idempotent", "resume", "bad_input")
PULL_ONLY = {
    "server_error": "a push-fed source is not asked: the sender, not Komando, meets its own server errors",
    "timeout": "a push-fed source is not asked: Komando is the server and never waits for it",
    "resume": "a push-fed source has no cursor: the sender re-sends what Komando did not acknowledge",
}


@dataclass
class Contract:
    """What the contract needs to know about one connector."""

    slug: str
    # build_simulator(clock) -> SimulatorApp; None: the connector's own ``build_simulator(city_dir,
    # clock=clock)``.
    build_simulator: Callable[[Clock], SimulatorApp] | None = None
    start: datetime = CONTRACT_START
    config: dict[str, Any] = field(default_factory=dict)  # config fields besides base_url
    # Config that the simulator refuses (the real authentication failure); None: the proxy answers
    # 401 as a gateway in front of an application without credentials would.
    wrong_credentials: dict[str, Any] | None = None
    fault_path: str = ""  # only requests under this path misbehave ("": every request)
    advance_minutes: float = 15  # how far the clock moves between runs
    # The cursor's values show in the query of the run that resumes (False where the source is always
    # asked for everything, or by day, and the cursor filters on Komando's side).
    cursor_in_query: bool = False
    rewrite_unknown_region: Callable[[Any], Any] = unknown_regions
    # None: every number as a string (``FaultMode.WRONG_TYPES``); a source whose real format is all
    # text gives the opposite rewrite.
    rewrite_wrong_types: Callable[[Any], Any] | None = None
    rewrite_bad_input: Callable[[Any], Any] = first_item_emptied
    # part → why it does not apply to this connector (said here, in code, and shown as the skip reason)
    not_applicable: dict[str, str] = field(default_factory=dict)
    # part → what this connector still gets wrong there: the part runs and is expected to fail
    # (strict xfail), so fixing it shows at once.
    known_gaps: dict[str, str] = field(default_factory=dict)
    # Called before and after each part (a connector that caches what a server sent forgets it).
    reset: Callable[[], None] | None = None
    # A push-fed connector: push(part) runs that part of the contract against its receiver.
    push: Callable[[str], None] | None = None

    def simulator(self, clock: Clock) -> SimulatorApp:
        if self.build_simulator is not None:
            return self.build_simulator(clock)
        from django.conf import settings

        from komando.sources.registry import simulator_builder

        return simulator_builder(self.slug)(settings.KOMANDO_CITY_DIR, clock=clock)

    def reason_not_applicable(self, part: str) -> str | None:
        if part in self.not_applicable:
            return self.not_applicable[part]
        if self.push is not None and part in PULL_ONLY:
            return PULL_ONLY[part]
        return None


def contract_of(slug: str) -> Contract:
    """The contract description of connector ``slug`` (``<package>/tests/contract.py``)."""
    from komando.sources.registry import package_name

    module = importlib.import_module(package_name(slug) + ".tests.contract")
    contract = module.CONTRACT
    if contract.slug != slug:
        raise AssertionError(f"{module.__name__} describes {contract.slug!r}, not {slug!r}")
    return contract


@dataclass
class PullHarness:
    """A connector's coordinator → fault proxy → its simulator, all over real HTTP."""

    contract: Contract
    source: Any
    clock: Clock
    simulator: SimulatorApp
    proxy: FaultProxy
    url: str

    def run(self, **options) -> bool:
        from komando.sources.runner import run_source

        config = {**self.contract.config, **options}
        ok = run_source(self.source, coordinator_at(self.contract.slug, self.url, **config))
        self.source.refresh_from_db()
        return ok


@contextmanager
def pull_harness(contract: Contract) -> Iterator[PullHarness]:
    from komando.sources.models import Source

    if contract.reset is not None:
        contract.reset()
    clock = Clock(contract.start)
    simulator = contract.simulator(clock)
    source = Source.objects.select_related("agency").get(slug=contract.slug)
    with running_simulator(simulator) as upstream:
        proxy = FaultProxy(upstream, hang_seconds=5, path_prefix=contract.fault_path)
        try:
            with running_simulator(proxy.app) as url:
                try:
                    yield PullHarness(contract, source, clock, simulator, proxy, url)
                finally:
                    proxy.close()
        finally:
            proxy.close()
            if contract.reset is not None:
                contract.reset()


def check_health_on_success(harness: PullHarness) -> None:
    from komando.sources.selectors import HealthStatus, health_status

    assert harness.run() is True, harness.source.last_error
    source = harness.source
    assert (source.last_error_kind, source.consecutive_failures) == ("", 0)
    assert source.last_success_at is not None and source.last_success_at >= source.last_attempt_at
    assert health_status(source) == HealthStatus.OK
    assert stored_state() != "", "a healthy run stores something"


def check_fault(harness: PullHarness, part: str) -> None:
    """A healthy run, then the fault: recorded with its kind, nothing stored changed, cursor kept."""
    assert harness.run() is True, harness.source.last_error
    before, cursor = stored_state(), harness.source.cursor
    harness.clock.advance(minutes=harness.contract.advance_minutes)
    mode, kind = FAULTS[part]
    options: dict[str, Any] = {}
    if part == "timeout":
        options["timeout_seconds"] = 0.5
    if part == "unknown_region":
        harness.proxy.rewrite = harness.contract.rewrite_unknown_region
    if part == "wrong_types" and harness.contract.rewrite_wrong_types is not None:
        mode, harness.proxy.rewrite = FaultMode.REWRITE, harness.contract.rewrite_wrong_types
    if part == "auth_failure" and harness.contract.wrong_credentials is not None:
        mode, options = FaultMode.PASS, dict(harness.contract.wrong_credentials)
    harness.proxy.mode = mode
    try:
        assert harness.run(**options) is False, f"{part}: the run should fail"
    finally:
        harness.proxy.mode = FaultMode.PASS
        harness.proxy.release()
    source = harness.source
    assert source.last_error_kind == kind, (part, source.last_error_kind, source.last_error)
    assert source.last_error, "the health says what went wrong"
    if part == "unknown_region":
        assert "99.99.99" in source.last_error or "999999" in source.last_error, source.last_error
    assert stored_state() == before, f"{part}: something stored changed"
    assert source.cursor == cursor, f"{part}: the cursor moved"


def check_idempotent(harness: PullHarness) -> None:
    assert harness.run() is True, harness.source.last_error
    first = stored_state()
    assert harness.run() is True, harness.source.last_error
    assert stored_state() == first, "the same fetch twice changed what is stored"


def check_resume(harness: PullHarness) -> None:
    """Healthy, then down across a stretch of time, then healthy again: what the source said during
    the outage is stored (a run from an empty cursor afterwards adds nothing), and the cursor moved."""
    assert harness.run() is True, harness.source.last_error
    cursor_before = harness.source.cursor
    harness.proxy.mode = FaultMode.SERVER_ERROR
    harness.clock.advance(minutes=harness.contract.advance_minutes)
    assert harness.run() is False
    harness.clock.advance(minutes=harness.contract.advance_minutes)
    harness.proxy.mode = FaultMode.PASS
    asked_from = len(harness.proxy.log)
    assert harness.run() is True, harness.source.last_error
    assert harness.source.consecutive_failures == 0
    resumed = [path for _method, path, _mode in harness.proxy.log[asked_from:]]
    marks = [value for value in (cursor_before or {}).values() if isinstance(value, str) and value]
    if marks and harness.contract.cursor_in_query:
        assert any(mark in unquote_plus(path) for mark in marks for path in resumed), (
            f"the run after the outage did not ask from the cursor {cursor_before}: {resumed}"
        )
    after = stored_state()
    harness.source.cursor = {}
    harness.source.save(update_fields=["cursor"])
    assert harness.run() is True, harness.source.last_error
    assert stored_state() == after, "a run from scratch found data the resumed run had missed (a gap)"


def check_bad_input(harness: PullHarness) -> None:
    assert harness.run() is True, harness.source.last_error
    before, cursor = stored_state(), harness.source.cursor
    harness.clock.advance(minutes=harness.contract.advance_minutes)
    harness.proxy.rewrite = harness.contract.rewrite_bad_input
    harness.proxy.mode = FaultMode.REWRITE
    try:
        assert harness.run() is False, "an item without its fields must be refused"
    finally:
        harness.proxy.mode = FaultMode.PASS
    assert harness.source.last_error_kind == "invalid", harness.source.last_error
    assert stored_state() == before
    assert harness.source.cursor == cursor


def run_pull_part(contract: Contract, part: str) -> None:
    with pull_harness(contract) as harness:
        if part == "health":
            check_health_on_success(harness)
        elif part in FAULTS:
            check_fault(harness, part)
        elif part == "idempotent":
            check_idempotent(harness)
        elif part == "resume":
            check_resume(harness)
        elif part == "bad_input":
            check_bad_input(harness)
        else:
            raise AssertionError(f"unknown part of the contract: {part}")


def run_contract_part(slug: str, part: str) -> str | None:
    """Run one part of the contract for connector ``slug``. Returns why the part does not apply to
    it (the caller skips with that reason), or None when it ran."""
    contract = contract_of(slug)
    reason = contract.reason_not_applicable(part)
    if reason is not None:
        return reason
    if contract.push is not None:
        contract.push(part)
    else:
        run_pull_part(contract, part)
    return None


# --- the shapes of a connector's own fault tests --------------------------------------------------


def refused_and_nothing_stored(
    source,
    run: Callable[..., bool],
    stored: Callable[[], Any],
    *,
    kind: str,
    message: str,
    breaks: Callable[[], dict[str, Any] | None],
    keeps_cursor: bool = False,
    first_must_succeed: bool = True,
) -> None:
    """A good run, then ``breaks()`` (moves the clock, sets a fault; may return options for the next
    ``run``), then a run that fails with ``kind`` and ``message`` on the source's health while what
    ``stored()`` shows (and, with ``keeps_cursor``, the cursor) stays as it was."""
    first = run()
    if first_must_succeed:
        assert first is True, source.last_error
    source.refresh_from_db()
    before, cursor = stored(), source.cursor
    options = breaks() or {}
    assert run(**options) is False
    source.refresh_from_db()
    assert (source.last_error_kind, message in source.last_error) == (kind, True), (kind, message, source.last_error)
    assert stored() == before
    if keeps_cursor:
        assert source.cursor == cursor


def published_per_run(capture, run: Callable[[], Any], between: Callable[[], Any]) -> tuple[int, int, int]:
    """How many live events a first run, the same run again, and a run after ``between()`` (new data)
    publish on commit (``capture``: pytest-django's ``django_capture_on_commit_callbacks``)."""
    counts = []
    for step in (None, None, between):
        if step is not None:
            step()
        with capture() as callbacks:
            run()
        counts.append(len(callbacks))
    return counts[0], counts[1], counts[2]


def truncated_slow_and_unreachable(
    source,
    run: Callable[..., bool],
    stored: Callable[[], Any],
    simulator: SimulatorApp,
    *,
    truncate: str,
    slow_path: str,
    application: str,
    between: Callable[[], Any] | None = None,
) -> None:
    """After a good run: a truncated answer under ``truncate`` (invalid, malformed JSON), a slow one
    under ``slow_path`` past a 0.5 s timeout, and a closed port (unreachable, naming
    ``application``) each fail the run, and nothing stored changes. ``between()`` runs after the
    good run (to move the clock)."""
    run()
    before = stored()
    if between is not None:
        between()
    simulator.fault = truncating(simulator, truncate)
    assert run() is False
    source.refresh_from_db()
    assert source.last_error_kind == "invalid" and "malformed JSON" in source.last_error, source.last_error
    simulator.fault = slow(slow_path, 2)
    assert run(timeout_seconds=0.5) is False
    source.refresh_from_db()
    assert source.last_error_kind == "unreachable" and "did not answer within 0.5 s" in source.last_error
    assert run(url=closed_url(), timeout_seconds=2) is False
    source.refresh_from_db()
    assert source.last_error_kind == "unreachable" and f"{application} is unreachable" in source.last_error
    assert stored() == before
