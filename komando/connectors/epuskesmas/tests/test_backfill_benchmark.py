"""A full day's back-fill at the city's real volume (opt-in: KOMANDO_BENCHMARK=1, takes ~a minute).

KOMANDO_BENCHMARK=1 .venv/bin/pytest komando/connectors/epuskesmas/tests/test_backfill_benchmark.py -s
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.db.models import Sum

from komando.connectors.epuskesmas.simulator import _us, build_simulator
from komando.metrics.models import DiagnosisCount, PrescriptionCount, VisitCount
from komando.sources.runner import run_source
from komando.sources.simulation import running_simulator

pytestmark = pytest.mark.skipif(
    os.environ.get("KOMANDO_BENCHMARK") != "1", reason="benchmark: set KOMANDO_BENCHMARK=1 to run a full day's back-fill"
)

# Tuesday 24 November 2026, 23:00 WIB: the whole day's visits are visible.
END_OF_TUESDAY = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
START_OF_TUESDAY = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def test_full_day_backfill_finishes_within_a_minute(source, make_coordinator, clock):
    clock.now = END_OF_TUESDAY
    app = build_simulator(settings.KOMANDO_CITY_DIR, now=clock, client_id="", client_secret="")
    expected = sum(1 for _ in app.simulation.matches("Encounter", _us(START_OF_TUESDAY), _us(END_OF_TUESDAY)))
    with running_simulator(app) as url:
        started = time.perf_counter()
        assert run_source(source, make_coordinator(url)) is True
        elapsed = time.perf_counter() - started
    source.refresh_from_db()
    visits = VisitCount.objects.aggregate(n=Sum("count"))["n"]
    diagnoses = DiagnosisCount.objects.aggregate(n=Sum("count"))["n"]
    prescriptions = PrescriptionCount.objects.aggregate(n=Sum("count"))["n"]
    print(
        f"\nback-fill of one day: {visits} visits, {diagnoses} diagnoses, {prescriptions} prescription "
        f"items ({source.records_last_run} resources) in {elapsed:.1f} s"
    )
    assert 10_000 <= visits == expected <= 12_500
    assert source.records_last_run == visits + diagnoses + prescriptions
    assert elapsed < 60
