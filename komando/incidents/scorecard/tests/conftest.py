"""Fixtures of the scorecard tests: the incident fixtures (city, categories, playbooks, ``report``) and
an empty cache around each test (the scorecard is cached for a minute)."""

from __future__ import annotations

import pytest

from komando.incidents.tests.conftest import (  # noqa: F401  (fixtures shared with the incidents tests)
    incident_data,
    operator,
    reference_data,
    report,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
