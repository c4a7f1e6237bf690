from komando.incidents.tests.conftest import incident_data, reference_data  # noqa: F401  (the incidents' fast fixtures)
