"""Settings of the server `bench/incident_intake.py` starts: Komando's own, with the bench's URLs
(``bench.intake_urls``: Komando's plus the bare one-INSERT view). Not for production."""

from komando.settings import *  # noqa: F403  (the benchmark runs Komando as it is)

ROOT_URLCONF = "bench.intake_urls"
