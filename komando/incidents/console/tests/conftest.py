from komando.incidents.tests.conftest import (  # noqa: F401  (fixtures shared with the incidents tests)
    _english_messages,
    incident_data,
    operator,
    reference_data,
    report,
)
