"""What the connector contract (komando.sources.testing) needs to know about e-Puskesmas."""

from django.conf import settings

from komando.connectors.epuskesmas.config import EpuskesmasConfig
from komando.connectors.epuskesmas.coordinator import clear_caches
from komando.connectors.epuskesmas.simulator import build_simulator
from komando.connectors.epuskesmas.tests.conftest import SMALL_VOLUME
from komando.sources.faults import numeric_strings_as_numbers
from komando.sources.testing import Contract

CLIENT_ID = EpuskesmasConfig.model_fields["client_id"].default.get_secret_value()
CLIENT_SECRET = EpuskesmasConfig.model_fields["client_secret"].default.get_secret_value()


def unknown_fhir_regions(value):
    """Every Kemendagri code as FHIR carries it (undotted: kelurahan 10 digits, kecamatan 6) made one of no region."""
    if isinstance(value, str):
        if value.isdigit() and len(value) == 10:
            return "9999999999"
        if value.isdigit() and len(value) == 6:
            return "999999"
        return value
    if isinstance(value, dict):
        return {key: unknown_fhir_regions(item) for key, item in value.items()}
    if isinstance(value, list):
        return [unknown_fhir_regions(item) for item in value]
    return value


def first_resource_emptied(value):
    """A FHIR Bundle whose first resource has lost every field but its type (an Encounter without
    status or class, an Organization without identifier…)."""
    if isinstance(value, dict) and value.get("resourceType") == "Bundle" and value.get("entry"):
        first = value["entry"][0]
        resource = first.get("resource") or {}
        return {**value, "entry": [{**first, "resource": {"resourceType": resource.get("resourceType")}}, *value["entry"][1:]]}
    return value


CONTRACT = Contract(
    slug="epuskesmas",
    build_simulator=lambda clock: build_simulator(
        settings.KOMANDO_CITY_DIR,
        now=lambda: clock.moment(),
        daily_volume=SMALL_VOLUME,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    ),
    wrong_credentials={"client_secret": "not-the-secret"},
    reset=clear_caches,
    known_gaps={
        "wrong_types": "fhir.resources validates FHIR JSON laxly (ids and codes given as numbers pass)",
        "unknown_region": "the 15 minutes between runs bring no new Organization, so no region code is read",
        "bad_input": "fhir.resources accepts an Encounter without its required status and class",
    },
    # FHIR JSON carries numbers as numbers; its codes and ids are text: wrong types are numbers there.
    rewrite_wrong_types=numeric_strings_as_numbers,
    rewrite_unknown_region=unknown_fhir_regions,
    rewrite_bad_input=first_resource_emptied,  # each part's simulator is a new server (ports get reused)
)
