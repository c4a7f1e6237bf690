from datetime import date

import pytest

from komando.imports.demo import import_demo_revenue
from komando.imports.models import RevenueRealisation
from komando.sources.models import Source

pytestmark = pytest.mark.django_db


def test_the_demo_file_imports_once_and_makes_pendapatan_live(personas):
    message = import_demo_revenue(date(2026, 11, 28))
    assert "Imported" in message
    assert set(RevenueRealisation.objects.values_list("month", flat=True)) == set(range(1, 11))
    assert Source.objects.get(slug="pendapatan").last_success_at is not None
    count = RevenueRealisation.objects.count()
    assert "already imported" in import_demo_revenue(date(2026, 11, 28))
    assert RevenueRealisation.objects.count() == count
