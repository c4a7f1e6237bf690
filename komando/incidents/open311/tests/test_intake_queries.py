"""What an Open311 POST costs the database: the statements of one report, counted, so that a redundant
query on the intake path (the hottest write path of the city) shows up as a failing test."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from komando.incidents import catalogue, geo
from komando.incidents.models import Incident, IncidentReport, TicketSequence
from komando.incidents.open311.tests.conftest import BASE, SUKARASA


def post(open311, api_key, **extra):
    form = {
        "api_key": api_key,
        "service_code": "SAMPAH",
        "lat": str(SUKARASA[0]),
        "long": str(SUKARASA[1]),
        "description": "Sampah menumpuk di pinggir jalan",
        "email": "warga@contoh.id",
    }
    return open311.post(f"{BASE}/requests.json", form, **extra)


def statements(queries, table: str) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if f'"{table}"' in query["sql"]]


def test_a_report_without_a_reference_of_its_own_is_not_looked_up_and_takes_its_ticket_in_one_statement(
    open311, api_key, monkeypatch
):
    for cached in (catalogue, geo):  # a slow machine must not make the second report a checking one
        monkeypatch.setattr(cached, "CHECK_SECONDS", 3600.0)
    assert post(open311, api_key).status_code == 201  # the month's ticket counter exists from here on
    with CaptureQueriesContext(connection) as queries:
        assert post(open311, api_key).status_code == 201
    assert Incident.objects.count() == 2
    assert [sql.split()[0] for sql in statements(queries, IncidentReport._meta.db_table)] == ["INSERT"]
    assert [sql.split()[0] for sql in statements(queries, TicketSequence._meta.db_table)] == ["UPDATE"]
    # The category, its SOP and the kelurahan come from the per-process catalogues (their fingerprints
    # were read by the first report, and are read again at most once a second); the duplicate search
    # is one query of plain values.
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    for table in ("incidents_category", "incidents_playbookversion", "regions_region"):
        assert not [sql for sql in reads if sql.startswith(f'SELECT "{table}"')], table
    assert len([sql for sql in reads if '"incidents_incident"' in sql]) == 1
    # One transaction (a savepoint inside the test's own), no inner savepoint for a reference that cannot clash.
    assert len([q for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]) == 1
    assert len(queries.captured_queries) <= 7, [q["sql"][:80] for q in queries.captured_queries]


def test_a_retried_post_with_its_idempotency_key_is_looked_up_and_stored_once(open311, api_key):
    first = post(open311, api_key, HTTP_IDEMPOTENCY_KEY="retry-1")
    with CaptureQueriesContext(connection) as queries:
        again = post(open311, api_key, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert [sql.split()[0] for sql in statements(queries, IncidentReport._meta.db_table)] == ["SELECT"]
    assert IncidentReport.objects.count() == 1 and TicketSequence.objects.get().last == 1
