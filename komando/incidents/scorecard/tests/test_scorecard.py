"""The public scorecard (/kinerja/ and /kinerja/data.json): exact figures on a crafted set of incidents,
small-cell suppression, periods (WIB month boundaries, the last 30 days, bad months), the cache, and
no personal data in the HTML or the JSON."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from komando.core.clock import city_zone
from komando.incidents.choices import Status
from komando.incidents.models import Incident
from komando.incidents.scorecard import selectors
from komando.incidents.scorecard.selectors import BadPeriod, compute_scorecard, month_period, parse_period
from komando.incidents.tests.conftest import CIPONDOH_INDAH, SUKARASA, bring_to

WIB = city_zone()  # Kota Tangerang's zone, read from its city.json
MAY = "2026-05"
JUNE_NOW = datetime(2026, 6, 15, 12, 0, tzinfo=WIB)
CONTACT = {"name": "Siti Rahmawati", "email": "siti.r@contoh.id", "phone": "0812 7788 9911"}
SECRET_DESCRIPTION = "Rumah Bu Siti nomor 17 kebanjiran sampah"


def wib(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


def craft(
    report,
    *,
    reported: str,
    category: str = "SAMPAH",
    place=SUKARASA,
    due_hours: float = 72,
    resolved_after_hours: float | None = None,
    status: str | None = None,
    reopen_count: int = 0,
    incident=None,
) -> Incident:
    """An incident reported through the real intake, then placed in time: reported at ``reported`` (WIB),
    its target ``due_hours`` later, resolved ``resolved_after_hours`` after the report (if given)."""
    incident = incident or report(category, lat=place[0], lon=place[1], description="Sampah menumpuk")
    reported_at = wib(reported)
    fields = {
        "reported_at": reported_at,
        "last_reported_at": reported_at,
        "resolve_due_at": reported_at + timedelta(hours=due_hours),
        "reopen_count": reopen_count,
    }
    if resolved_after_hours is not None:
        fields.update(status=Status.SELESAI, resolved_at=reported_at + timedelta(hours=resolved_after_hours))
    if status is not None:
        fields["status"] = status
    Incident.objects.filter(pk=incident.pk).update(**fields)
    incident.refresh_from_db()
    return incident


@pytest.fixture
def may(report, operator):
    """May 2026: eight incidents of the SAMPAH OPD in kecamatan Tangerang (one merged duplicate more,
    one rejected, one reopened, one open past its target, one just after midnight WIB on 1 May), two of
    the JLN-RUSAK OPD in kecamatan Cipondoh, and one on each side of May that must not count."""
    survivor = report("SAMPAH", lat=SUKARASA[0], lon=SUKARASA[1])
    duplicate = report("SAMPAH", lat=SUKARASA[0], lon=SUKARASA[1], source_ref="the-same-heap-again")
    bring_to(duplicate, Status.DUPLIKAT, operator, other=survivor)
    craft(report, incident=duplicate, reported="2026-05-03 09:00", status=Status.DUPLIKAT)
    craft(report, incident=survivor, reported="2026-05-03 08:00", resolved_after_hours=10)
    craft(report, reported="2026-05-04 08:00", resolved_after_hours=20)
    craft(report, reported="2026-05-05 08:00", resolved_after_hours=30)
    craft(report, reported="2026-05-06 08:00", resolved_after_hours=100)  # late
    craft(report, reported="2026-05-07 08:00", resolved_after_hours=50, reopen_count=1)
    craft(report, reported="2026-05-20 08:00", status=Status.DALAM_PENANGANAN)  # open, past its target
    rejected = bring_to(report("SAMPAH", lat=SUKARASA[0], lon=SUKARASA[1]), Status.DITOLAK, operator)
    craft(report, incident=rejected, reported="2026-05-21 08:00")
    craft(report, reported="2026-05-01 00:30", resolved_after_hours=5)  # 30 April 17:30 UTC: May in WIB
    craft(report, reported="2026-04-30 23:59", resolved_after_hours=1)  # April in WIB
    craft(report, reported="2026-06-01 00:00", resolved_after_hours=1)  # June
    craft(report, reported="2026-05-10 08:00", category="JLN-RUSAK", place=CIPONDOH_INDAH, resolved_after_hours=4)
    road = craft(report, reported="2026-05-31 23:59", category="JLN-RUSAK", place=CIPONDOH_INDAH, resolved_after_hours=6)
    return {"waste": survivor.agency.code, "road": road.agency.code, "survivor": survivor, "duplicate": duplicate}


def by_code(rows: list[dict]) -> dict[str, dict]:
    return {row["code"]: row for row in rows}


FIGURES = (
    "received",
    "rejected",
    "resolved",
    "resolved_within_sla",
    "sla_settled",
    "within_sla_percent",
    "median_hours_to_resolve",
    "reopened",
    "open",
    "open_overdue",
)


def figures(row: dict) -> dict:
    return {name: row[name] for name in FIGURES}


WASTE_MAY = {
    "received": 8,
    "rejected": 1,
    "resolved": 6,
    "resolved_within_sla": 5,
    "sla_settled": 7,
    "within_sla_percent": 71.4,
    "median_hours_to_resolve": 25.0,
    "reopened": 1,
    "open": 1,
    "open_overdue": 1,
}
ROAD_MAY = {
    "received": 2,
    "rejected": 0,
    "resolved": 2,
    "resolved_within_sla": 2,
    "sla_settled": 2,
    "within_sla_percent": None,
    "median_hours_to_resolve": None,
    "reopened": 0,
    "open": 0,
    "open_overdue": 0,
}
CITY_MAY = {
    "received": 10,
    "rejected": 1,
    "resolved": 8,
    "resolved_within_sla": 7,
    "sla_settled": 9,
    "within_sla_percent": 77.8,
    "median_hours_to_resolve": 15.0,
    "reopened": 1,
    "open": 1,
    "open_overdue": 1,
}


def test_exact_figures_of_a_month_by_opd_kecamatan_and_city(may):
    assert may["waste"] != may["road"]
    data = compute_scorecard(month_period(parse_period(MAY, JUNE_NOW).month), now=JUNE_NOW)
    agencies, kecamatan = by_code(data["agencies"]), by_code(data["kecamatan"])
    assert figures(agencies[may["waste"]]) == WASTE_MAY
    assert figures(agencies[may["road"]]) == ROAD_MAY
    assert figures(data["city"]) == CITY_MAY
    assert figures(kecamatan["36.71.01"]) == WASTE_MAY  # kecamatan Tangerang
    assert figures(kecamatan["36.71.05"]) == ROAD_MAY  # kecamatan Cipondoh
    assert len(kecamatan) == 13  # every kecamatan of the city is listed, with zeros where nothing happened
    assert figures(kecamatan["36.71.13"])["received"] == 0
    assert data["agencies"][0]["code"] == may["waste"]  # most incidents first
    assert sum(row["received"] for row in data["agencies"]) == data["city"]["received"]
    assert data["period"]["start"] == wib("2026-05-01 00:00") and data["period"]["end"] == wib("2026-06-01 00:00")


def test_an_open_incident_whose_target_has_not_passed_is_not_yet_counted_in_the_share(may):
    before_its_target = datetime(2026, 5, 21, 12, 0, tzinfo=WIB)  # the open one is due on 23 May
    data = compute_scorecard(month_period(parse_period(MAY, JUNE_NOW).month), now=before_its_target)
    waste = by_code(data["agencies"])[may["waste"]]
    assert (waste["open"], waste["open_overdue"], waste["sla_settled"]) == (1, 0, 6)
    assert waste["within_sla_percent"] == round(100 * 5 / 6, 1)


def test_the_month_boundaries_are_midnight_wib(may):
    april = compute_scorecard(month_period(parse_period("2026-04", JUNE_NOW).month), now=JUNE_NOW)
    june = compute_scorecard(month_period(parse_period("2026-06", JUNE_NOW).month), now=JUNE_NOW)
    assert april["city"]["received"] == 1  # 30 April 23:59 WIB
    assert june["city"]["received"] == 1  # 1 June 00:00 WIB
    assert month_period(parse_period(MAY, JUNE_NOW).month).start == datetime.fromisoformat("2026-04-30T17:00:00+00:00")


@pytest.mark.parametrize(("settled", "shown"), [(4, False), (5, True)])
def test_a_share_and_a_median_are_shown_only_from_five_incidents(report, settled, shown):
    for day in range(settled):
        craft(report, reported=f"2026-05-{day + 2:02d} 08:00", place=CIPONDOH_INDAH, resolved_after_hours=day + 1)
    row = by_code(compute_scorecard(month_period(parse_period(MAY, JUNE_NOW).month), now=JUNE_NOW)["kecamatan"])["36.71.05"]
    assert row["resolved"] == row["sla_settled"] == settled
    assert (row["within_sla_percent"] is not None) is shown
    assert (row["median_hours_to_resolve"] is not None) is shown
    if shown:
        assert (row["within_sla_percent"], row["median_hours_to_resolve"]) == (100.0, 3.0)


def test_the_last_30_days_is_the_default_period(report):
    now = timezone.now()
    craft(report, reported=(now - timedelta(days=29)).astimezone(WIB).strftime("%Y-%m-%d %H:%M"))
    craft(report, reported=(now - timedelta(days=31)).astimezone(WIB).strftime("%Y-%m-%d %H:%M"))
    period = parse_period("")
    assert period.key == "30-hari" and not period.is_month
    assert compute_scorecard(period)["city"]["received"] == 1
    assert parse_period("30-hari").key == "30-hari"


@pytest.mark.parametrize(
    "value", ["2026-13", "2026-00", "2026-5", "mei-2026", "2026-05-01", "1999-12", "2026-05' OR 1=1", "９９９９-01"]
)
def test_a_bad_month_is_refused_in_words(value):
    with pytest.raises(BadPeriod) as refused:
        parse_period(value, JUNE_NOW)
    assert str(refused.value)


def test_a_month_that_has_not_started_is_refused():
    from django.utils import translation

    with translation.override("en"), pytest.raises(BadPeriod, match="not started"):
        parse_period("2026-07", JUNE_NOW)
    assert parse_period("2026-06", JUNE_NOW).key == "2026-06"  # the current month, so far


def test_the_page_shows_the_tables_in_bahasa_indonesia(client, may):
    response = client.get("/kinerja/", {"bulan": MAY})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="id">' in html
    assert 'id="period-label" data-period="2026-05"' in html
    opd_table = table_rows(html, "opd-table")
    assert opd_table[may["waste"]] == {
        "received": "8",
        "rejected": "1",
        "resolved": "6",
        "resolved_within_sla": "5",
        "within_sla_percent": "71,4%",
        "median_hours_to_resolve": "25,0",
        "reopened": "1",
        "open_overdue": "1",
    }
    assert 'data-field="median_hours_to_resolve" data-label="' in html and 'data-hours="25.0"' in html
    assert opd_table[may["road"]]["within_sla_percent"] == "—*"  # two incidents: suppressed, with a footnote
    assert opd_table[may["road"]]["median_hours_to_resolve"] == "—*"
    assert opd_table["total"]["received"] == "10"
    kecamatan_table = table_rows(html, "kecamatan-table")
    assert len(kecamatan_table) == 14  # 13 kecamatan and the whole city
    assert kecamatan_table["36.71.01"]["received"] == "8"
    assert 'id="suppression-note"' in html and 'id="source"' in html
    computed_at = re.search(r'id="computed-at" datetime="([^"]+)"', html).group(1)
    assert computed_at.endswith("+07:00")  # freshness, in WIB


def test_the_json_has_the_same_figures_for_journalists(client, may):
    response = client.get("/kinerja/data.json", {"bulan": MAY})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert body["period"]["key"] == MAY
    assert body["period"]["start"] == "2026-05-01T00:00:00+07:00" and body["period"]["end"] == "2026-06-01T00:00:00+07:00"
    assert body["computed_at"].endswith("+07:00") and body["source"]
    assert body["min_denominator"] == 5
    assert figures(by_code(body["agencies"])[may["waste"]]) == WASTE_MAY
    assert figures(by_code(body["agencies"])[may["road"]]) == ROAD_MAY
    assert figures(body["totals"]) == CITY_MAY
    assert figures(by_code(body["kecamatan"])["36.71.05"]) == ROAD_MAY
    assert set(body["definitions"]) == {
        "received",
        "rejected",
        "resolved",
        "resolved_within_sla",
        "within_sla_percent",
        "median_hours_to_resolve",
        "reopened",
        "open_overdue",
    }


def test_an_empty_period_shows_zeros_and_no_shares(client, incident_data):
    response = client.get("/kinerja/", {"bulan": "2025-01"})
    assert response.status_code == 200
    rows = table_rows(response.content.decode(), "kecamatan-table")
    assert {row["received"] for row in rows.values()} == {"0"}
    assert {row["within_sla_percent"] for row in rows.values()} == {"—*"}
    body = client.get("/kinerja/data.json", {"bulan": "2025-01"}).json()
    assert body["totals"]["received"] == 0 and body["totals"]["median_hours_to_resolve"] is None
    assert body["agencies"] and all(row["received"] == 0 for row in body["agencies"])


@pytest.mark.parametrize("value", ["2026-13", "kemarin", "2999-01"])
def test_a_bad_month_gets_a_400_with_a_clear_message(client, incident_data, value):
    response = client.get("/kinerja/", {"bulan": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="period-error"' in html and 'id="opd-table"' not in html
    assert 'id="period-form"' in html  # the resident can pick another month
    response = client.get("/kinerja/data.json", {"bulan": value})
    assert response.status_code == 400
    assert response.json()["error"] and response.json()["parameter"] == "bulan"


def test_only_get(client, incident_data):
    assert client.post("/kinerja/").status_code == 405
    assert client.post("/kinerja/data.json").status_code == 405


def test_no_personal_data_or_report_details_in_the_html_or_the_json(client, report, incident_data):
    incident = report("SAMPAH", contact=CONTACT, description=SECRET_DESCRIPTION, address="Jl. Kenanga 17 RT 03")
    html = client.get("/kinerja/").content.decode()
    assert table_rows(html, "opd-table")["total"]["received"] == "1"  # the incident is counted…
    json_text = client.get("/kinerja/data.json").content.decode()
    assert '"received": 1' in json_text
    for path, text in (("/kinerja/", html), ("/kinerja/data.json", json_text)):
        for secret in [*CONTACT.values(), SECRET_DESCRIPTION, "Kenanga", incident.ticket, incident.title]:
            assert secret not in text, (path, secret)


def test_the_scorecard_is_computed_once_a_minute_not_per_visit(client, report, incident_data):
    report("SAMPAH")
    assert client.get("/kinerja/data.json").json()["totals"]["received"] == 1
    report("SAMPAH")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/kinerja/")
        body = client.get("/kinerja/data.json").json()
    assert not [q for q in queries.captured_queries if "incidents_incident" in q["sql"]]
    assert body["totals"]["received"] == 1  # still the figures of the first visit
    assert table_rows(page.content.decode(), "opd-table")["total"]["received"] == "1"
    assert body["cache_seconds"] == selectors.CACHE_SECONDS == 60
    cache.delete(selectors.cache_key(parse_period("")))  # a minute later
    assert client.get("/kinerja/data.json").json()["totals"]["received"] == 2


def test_the_page_offers_the_last_twelve_months(client, incident_data):
    html = client.get("/kinerja/").content.decode()
    values = re.findall(r'<option value="([^"]*)"', html)
    assert values[0] == "" and len(values) == 13
    assert values[1] == timezone.now().astimezone(WIB).strftime("%Y-%m")


def table_rows(html: str, table_id: str) -> dict[str, dict[str, str]]:
    """``{row code: {field: text}}`` of a scorecard table in the HTML."""
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for code, body in re.findall(r'<tr class="score-row[^"]*" data-code="([^"]+)"[^>]*>(.*?)</tr>', table, re.S):
        cells = re.findall(r'<td class="[^"]*" data-field="([^"]+)"[^>]*>(.*?)</td>', body, re.S)
        # The figure itself, without its unit (the unit's word is the translators').
        rows[code] = {
            field: re.match(r"[\d.,%—*]*", re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", text))).group() for field, text in cells
        }
    return rows
