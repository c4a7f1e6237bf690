"""What the connector contract (komando.sources.testing) needs to know about e-Monev."""

from django.conf import settings

from komando.connectors.emonev.simulator import build_simulator
from komando.connectors.emonev.tests.conftest import TEST_PASSWORD, TEST_USERNAME, TODAY
from komando.sources.testing import Contract

CONTRACT = Contract(
    slug="emonev",
    build_simulator=lambda clock: build_simulator(
        settings.KOMANDO_CITY_DIR, username=TEST_USERNAME, password=TEST_PASSWORD, today=TODAY
    ),
    config={"username": TEST_USERNAME, "password": TEST_PASSWORD, "fiscal_year": TODAY.year},
    wrong_credentials={"password": "not-the-password"},
)
