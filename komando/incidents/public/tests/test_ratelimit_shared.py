"""The /lapor/ rate limit counts in Django's cache: with RedisCache, two clients (as two web processes
would hold) share one count, and a fresh client (a restarted process) keeps it."""

import os
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory, override_settings

from komando.incidents.public import ratelimit

REDIS_URL = os.environ.get("KOMANDO_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def redis_cache(prefix: str) -> RedisCache:
    return RedisCache(REDIS_URL, {"KEY_PREFIX": prefix})


@override_settings(KOMANDO_REPORT_RATE_LIMIT="3/600")
def test_limit_holds_across_two_cache_clients_and_a_restart(monkeypatch):
    prefix = f"test-infra-{uuid.uuid4().hex}"
    first, second = redis_cache(prefix), redis_cache(prefix)
    request = RequestFactory().post("/lapor/", REMOTE_ADDR="203.0.113.9")
    results = []
    for number, client in enumerate([first, second, first, second]):
        monkeypatch.setattr(ratelimit, "cache", client)
        results.append(ratelimit.allow(request, f"ref-{number}"))
    assert results == [True, True, True, False]
    # A restarted process: a brand-new client on the same Redis still refuses a new report...
    monkeypatch.setattr(ratelimit, "cache", redis_cache(prefix))
    assert ratelimit.allow(request, "ref-after-restart") is False
    # ...but the same report sent again (an accepted key) is never refused.
    assert ratelimit.allow(request, "ref-0") is True
    # Another address has its own count.
    other = RequestFactory().post("/lapor/", REMOTE_ADDR="203.0.113.10")
    assert ratelimit.allow(other, "ref-other") is True


@override_settings(KOMANDO_REPORT_RATE_LIMIT="0/600")
def test_limit_zero_turns_it_off(monkeypatch):
    monkeypatch.setattr(ratelimit, "cache", redis_cache(f"test-infra-{uuid.uuid4().hex}"))
    request = RequestFactory().post("/lapor/", REMOTE_ADDR="203.0.113.9")
    assert all(ratelimit.allow(request, f"ref-{n}") for n in range(5))


def test_bad_limit_setting_is_a_clear_error():
    with override_settings(KOMANDO_REPORT_RATE_LIMIT="many/600"), pytest.raises(ValueError):
        ratelimit.limit_and_window()
