"""Bad input from e-Puskesmas: a clear error on the source's health, nothing stored changes.

Tampering changes the last resource of a search's first page: the first ones may be in the overlap
window, already counted by the previous run and so skipped before they are mapped.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from komando.connectors.epuskesmas.simulator import FHIR
from komando.connectors.epuskesmas.tests.conftest import tamper
from komando.connectors.epuskesmas.tests.test_connector import snapshot
from komando.sources.models import Source
from komando.sources.runner import run_source
from komando.sources.simulation import Response


def drop_status(bundle):
    del bundle["entry"][-1]["resource"]["status"]


def wrong_type(bundle):
    bundle["entry"][-1]["resource"]["class"] = [{"code": "AMB"}]  # R5 shape: a list


def condition_in_encounter_search(bundle):
    bundle["entry"][-1]["resource"] = {"resourceType": "Condition", "id": "x", "subject": {"reference": "Patient/1"}}


def unknown_organization(bundle):
    bundle["entry"][-1]["resource"]["serviceProvider"] = {"reference": "Organization/99999999"}


def no_icd10(bundle):
    bundle["entry"][-1]["resource"]["code"]["coding"][0]["system"] = "http://snomed.info/sct"


def not_a_bundle(bundle):
    bundle.clear()
    bundle.update({"resourceType": "OperationOutcome", "issue": []})


CASES = {
    "missing status": ("Encounter", drop_status, "invalid", "invalid Encounter/"),
    "wrong type": ("Encounter", wrong_type, "invalid", "invalid Encounter/"),
    "wrong resource type": ("Encounter", condition_in_encounter_search, "invalid", "expected a Encounter"),
    "unknown organization": ("Encounter", unknown_organization, "invalid", "Organization/99999999"),
    "condition without ICD-10": ("Condition", no_icd10, "invalid", "no http://hl7.org/fhir/sid/icd-10 coding"),
    "not a bundle": ("MedicationRequest", not_a_bundle, "invalid", "did not return a Bundle"),
}


@pytest.fixture
def stored_once(source, simulator, simulator_url, make_coordinator, clock):
    """One good run, then the clock moves on so that the next run has new resources to read."""
    clock.now -= timedelta(hours=1)
    assert run_source(source, make_coordinator(simulator_url)) is True
    clock.now += timedelta(hours=1)
    return snapshot()


@pytest.mark.parametrize("case", CASES)
def test_invalid_resources_fail_the_run_and_change_nothing(case, stored_once, source, simulator, simulator_url, make_coordinator):
    kind, mutate, kind_of_error, message = CASES[case]
    tamper(simulator, kind, mutate)
    assert run_source(source, make_coordinator(simulator_url)) is False
    source = Source.objects.get(pk=source.pk)
    assert source.last_error_kind == kind_of_error
    assert message in source.last_error
    assert snapshot() == stored_once


def test_malformed_json_fails_the_run_and_changes_nothing(stored_once, source, simulator, simulator_url, make_coordinator):
    simulator.fault = lambda request: (
        Response(200, b'{"resourceType": "Bundle", "entry": [', "application/fhir+json")
        if request.path == f"{FHIR}/Encounter"
        else None
    )
    assert run_source(source, make_coordinator(simulator_url)) is False
    source = Source.objects.get(pk=source.pk)
    assert source.last_error_kind == "invalid"
    assert "not valid JSON" in source.last_error
    assert snapshot() == stored_once


def test_server_error_fails_the_run_and_changes_nothing(stored_once, source, simulator, simulator_url, make_coordinator):
    simulator.fault = lambda request: (
        Response.json(
            {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "fatal", "code": "exception", "details": {"text": "database is down"}}],
            },
            status=500,
        )
        if request.path == f"{FHIR}/Condition"
        else None
    )
    assert run_source(source, make_coordinator(simulator_url)) is False
    source = Source.objects.get(pk=source.pk)
    assert source.last_error_kind == "server"
    assert "HTTP 500" in source.last_error and "database is down" in source.last_error
    assert snapshot() == stored_once


def test_revoked_token_shows_as_an_auth_error(stored_once, source, simulator, simulator_url, make_coordinator):
    simulator.fault = lambda request: (
        Response.json(
            {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": "login", "details": {"text": "Invalid access token"}}],
            },
            status=401,
        )
        if request.path.startswith(FHIR)
        else None
    )
    assert run_source(source, make_coordinator(simulator_url)) is False
    source = Source.objects.get(pk=source.pk)
    assert source.last_error_kind == "auth"
    assert "Invalid access token" in source.last_error
    assert snapshot() == stored_once


def test_the_run_after_a_failure_recovers_without_gap(stored_once, source, simulator, simulator_url, make_coordinator):
    tamper(simulator, "Encounter", drop_status)
    assert run_source(source, make_coordinator(simulator_url)) is False
    simulator.fault = None
    assert run_source(source, make_coordinator(simulator_url)) is True
    source = Source.objects.get(pk=source.pk)
    assert source.consecutive_failures == 0 and source.records_last_run > 0
