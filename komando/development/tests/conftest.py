from datetime import date
from decimal import Decimal

import pytest

from komando.development.actions import do_sync_development
from komando.development.records import MonthProgressRecord, ProjectRecord
from komando.sources.models import Source

YEAR = 2026


def record(ref, agency, budget, months, *, kelurahan=None, name=None) -> ProjectRecord:
    """``months``: [(planned_physical, realised_physical | None), …] from January on; financial = physical − 5."""
    rows = []
    for index, (planned, realised) in enumerate(months, start=1):
        rows.append(
            MonthProgressRecord(
                month=date(YEAR, index, 1),
                planned_physical=Decimal(str(planned)),
                realised_physical=None if realised is None else Decimal(str(realised)),
                planned_financial=Decimal(str(max(0, planned - 5))),
                realised_financial=None if realised is None else Decimal(str(max(0, realised - 5))),
            )
        )
    return ProjectRecord(
        source_ref=ref,
        agency_code=agency,
        name=name or f"Kegiatan {ref}",
        fiscal_year=YEAR,
        budget=budget,
        kelurahan_code=kelurahan,
        lat=-6.2 if kelurahan else None,
        lon=106.63 if kelurahan else None,
        months=rows,
    )


# Three months reported (Jan–Mar), plans for April too.
PROJECTS = [
    # Dinkes: one on track (3 bn), one kritis (1 bn: planned 40, realised 28 → −12).
    record("DK-1", "dinkes", 3_000_000_000, [(10, 10), (20, 22), (40, 41), (60, None)], kelurahan="36.71.09.1001"),
    record("DK-2", "dinkes", 1_000_000_000, [(10, 8), (20, 15), (40, 28), (60, None)]),
    # PUPR: terlambat (planned 50, realised 43 → −7).
    record("PU-1", "pupr", 10_000_000_000, [(10, 10), (30, 25), (50, 43), (70, None)], kelurahan="36.71.05.1001"),
    # Dishub: waspada (planned 80, realised 77 → −3).
    record("DH-1", "dishub", 2_000_000_000, [(30, 30), (60, 58), (80, 77), (95, None)]),
]


@pytest.fixture
def emonev_source(reference_data):
    return Source.objects.get(slug="emonev")


@pytest.fixture
def development_data(emonev_source):
    do_sync_development(emonev_source, PROJECTS)
    return PROJECTS
