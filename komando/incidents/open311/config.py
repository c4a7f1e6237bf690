"""Configuration of the Open311 endpoint: who may post (API keys) and which jurisdiction it serves.

API keys are settings, not database rows: ``KOMANDO_OPEN311_API_KEYS`` is a comma-separated list of
``client-name=key`` pairs (e.g. ``fixmystreet=4f1c…,laksa=9ab2…``), read from the environment (or
from the file named by ``KOMANDO_OPEN311_API_KEYS_FILE``, for Docker/Kubernetes secrets) unless the
Django setting of the same name is set. With no key configured, every POST is refused (403).
The client name is what Komando records as the report's origin; keys are never echoed.
"""

from __future__ import annotations

import hmac

from django.conf import settings

from komando.core.city import current_city
from komando.core.env import env_str

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MIN_KEY_LENGTH = 8


def parse_api_keys(raw) -> dict[str, str]:
    """``{key: client name}`` from ``"name=key,name=key"`` (or a mapping ``{name: key}``). Pairs
    without a name or with a key shorter than ``MIN_KEY_LENGTH`` are ignored (a typo must not open
    the endpoint to a guessable key)."""
    if isinstance(raw, dict):
        pairs = [(str(name), str(key)) for name, key in raw.items()]
    else:
        pairs = []
        for part in str(raw or "").split(","):
            name, sep, key = part.strip().partition("=")
            if sep:
                pairs.append((name.strip(), key.strip()))
    return {key: name[:40] for name, key in pairs if name and len(key) >= MIN_KEY_LENGTH}


def api_keys() -> dict[str, str]:
    raw = getattr(settings, "KOMANDO_OPEN311_API_KEYS", None)
    if raw is None:
        raw = env_str("KOMANDO_OPEN311_API_KEYS", "")
    return parse_api_keys(raw)


def client_for_key(key: str | None) -> str | None:
    """The client name of an API key, or None. Every configured key is compared in constant time."""
    if not key:
        return None
    found = None
    given = str(key).encode()
    for known, name in api_keys().items():
        if hmac.compare_digest(given, known.encode()):
            found = name
    return found


def jurisdiction_id() -> str:
    """``KOMANDO_OPEN311_JURISDICTION_ID``, else the city's ``open311_jurisdiction_id`` (``komando.core.city``)."""
    return str(getattr(settings, "KOMANDO_OPEN311_JURISDICTION_ID", "") or current_city().open311_jurisdiction_id)
