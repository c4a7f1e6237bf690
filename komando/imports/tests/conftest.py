import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are asserted in English (the msgids), whatever translations the .po file gains."""
    with translation.override("en"):
        yield
