"""The circuit breaker of a source: stop hammering an application that is down.

- closed: the scheduler runs the source on its schedule; a failed run is retried sooner with
  exponential backoff and jitter (``komando.sources.runner.retry_delay_seconds``: 5 s, 10 s, 20 s, …
  capped at the schedule interval);
- after ``KOMANDO_CIRCUIT_FAILURES`` (default 5) failures in a row the circuit **opens**: no regular
  runs until the cool-down has passed;
- cool-down = max(schedule interval, ``KOMANDO_CIRCUIT_COOLDOWN_SECONDS`` (60 s)) × 2^(trips − 1),
  at most ``KOMANDO_CIRCUIT_COOLDOWN_MAX_SECONDS`` (1 h), ±20 % jitter; ``trips`` counts how often
  the circuit opened since it last closed, so a source that stays down is probed ever less often;
- then the circuit is **half-open**: one probe run. Success closes it (schedule as usual); failure
  opens it again with the next, longer cool-down.

State lives on ``Source`` (``circuit_*`` fields) and is written only by ``komando.sources.actions``;
the state survives a restart of the scheduler. A run started by hand (``komando ingest --once``)
counts like a probe.
"""

from __future__ import annotations

import random

from komando.core.env import env_float, env_int

JITTER = 0.2


def failure_threshold() -> int:
    return max(1, env_int("KOMANDO_CIRCUIT_FAILURES", 5))


def cooldown_seconds(interval: float, trips: int, *, jitter: bool = True) -> float:
    """How long an opened circuit stays open before the next probe (``trips`` ≥ 1)."""
    floor = env_float("KOMANDO_CIRCUIT_COOLDOWN_SECONDS", 60.0)
    cap = env_float("KOMANDO_CIRCUIT_COOLDOWN_MAX_SECONDS", 3600.0)
    base = max(interval, floor)
    delay = min(max(cap, base), base * 2 ** max(0, trips - 1))
    return delay * random.uniform(1 - JITTER, 1 + JITTER) if jitter else delay
