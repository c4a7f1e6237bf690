import pytest

from komando.core.events import STAFF
from komando.imports.actions import do_import_file
from komando.imports.selectors import revenue_tile
from komando.imports.tests.factories import csv_bytes, revenue_rows, upload

pytestmark = pytest.mark.django_db


def test_no_tile_before_any_import(reference_data):
    assert revenue_tile() is None


def test_tile_shows_the_latest_month_against_the_year_target(personas, django_capture_on_commit_callbacks):
    rows = [row for row in revenue_rows(200) if row[0] == 2020 and row[1] <= 6]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        do_import_file(
            "pendapatan", "pendapatan-bulanan", upload(csv_bytes(rows), "p.csv"), acting_user=personas["administrator"]
        )
    assert callbacks, "the import publishes the tile"
    tile = revenue_tile()
    assert tile.audience == STAFF and tile.source == "pendapatan" and "2020" in tile.title
    june = [row for row in rows if row[1] == 6]
    expected = round(100 * sum(row[6] for row in june) / sum(row[4] for row in june), 1)
    assert tile.figures[0].value == expected and tile.figures[0].unit == "%"
    assert tile.figures[3].value == 50.0  # six of twelve months
    assert 50 - 15 <= expected < 50 - 5 and tile.figures[0].tone == "warn"  # 6/14 of the target by June: behind
    assert len(tile.rows) == 5 and all(row.unit == "%" for row in tile.rows)
    assert [row.value for row in tile.rows] == sorted(row.value for row in tile.rows)
