"""A generous limit on new reports per client address, against a script flooding the form.

``settings.KOMANDO_REPORT_RATE_LIMIT`` is ``"<reports>/<seconds>"`` (default ``"30/600"``; ``"0/…"``
turns it off). Counted in Django's cache per address and fixed window; a form sent again with the same
key (the same report) is never counted twice nor refused. The address is ``REMOTE_ADDR``: behind a
reverse proxy every resident would share the proxy's address, so set the limit off there (or have
the proxy limit) until the proxy's forwarded address is trusted. Mobile networks put many residents
behind one address (CGNAT), hence the generous default."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

DEFAULT = "30/600"


def limit_and_window() -> tuple[int, int]:
    text = str(getattr(settings, "KOMANDO_REPORT_RATE_LIMIT", DEFAULT) or "0/1")
    count, _, seconds = text.partition("/")
    return int(count), max(1, int(seconds or 1))


def allow(request, source_ref: str) -> bool:
    limit, window = limit_and_window()
    if limit <= 0:
        return True
    seen = f"komando:lapor:seen:{source_ref}"
    if cache.get(seen):
        return True
    address = request.META.get("REMOTE_ADDR") or "unknown"
    bucket = f"komando:lapor:rate:{address}:{int(time.time() // window)}"
    cache.add(bucket, 0, window)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, window)
        count = 1
    if count > limit:
        return False
    cache.set(seen, 1, window)
    return True
