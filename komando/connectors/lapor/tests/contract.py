"""What the connector contract (komando.sources.testing) needs to know about SP4N-LAPOR!."""

from django.conf import settings

from komando.connectors.lapor.simulator import build_simulator
from komando.sources.testing import Contract

KEYTOKEN = "contract-keytoken"

CONTRACT = Contract(
    slug="lapor",
    build_simulator=lambda clock: build_simulator(settings.KOMANDO_CITY_DIR, clock=clock, keytoken=KEYTOKEN),
    config={"keytoken": KEYTOKEN},
    wrong_credentials={"keytoken": "not-the-keytoken"},
    # LAPOR! is asked by POST: the cursor travels in the body, which the proxy's log does not keep.
    cursor_in_query=False,
)
