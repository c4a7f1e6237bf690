"""The daily report's figures on hand-made data: the WIB day boundary (23:59 / 00:00 WIB = 16:59 / 17:00 UTC),
SLA compliance per OPD, open critical incidents, water-level peaks, source outages, bad days and a day
before any data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from komando.incidents.tests.conftest import CIPONDOH_INDAH
from komando.reports.selectors import BadDay, daily_report, parse_day
from komando.reports.tests.conftest import DAY, MORNING_AFTER, reading, run, utc, wib

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_of_incidents(place):
    """Incidents around 20 November 2026 (WIB); see each line."""
    made = {
        "before": place(utc("2026-11-19 16:59:59")),  # 23:59:59 WIB on the 19th: not the 20th
        "first": place(utc("2026-11-19 17:00:00"), due_hours=24, resolved_after_hours=10),  # 00:00 WIB: in time
        "late": place(wib("2026-11-20 08:00"), due_hours=12, resolved_after_hours=20),  # resolved late
        "overdue": place(wib("2026-11-20 12:00"), due_hours=6),  # still open, past its target
        "last": place(
            utc("2026-11-20 16:59:00"),
            category="JLN-RUSAK",
            due_hours=72,
            priority="kritis",
            lat=CIPONDOH_INDAH[0],
            lon=CIPONDOH_INDAH[1],
            title="Jalan amblas di Cipondoh",
        ),  # 23:59 WIB
        "after": place(
            utc("2026-11-20 17:00:00"), category="JLN-RUSAK", priority="tinggi", lat=CIPONDOH_INDAH[0], lon=CIPONDOH_INDAH[1]
        ),  # 00:00 WIB on the 21st
        "old_high": place(wib("2026-11-15 09:00"), priority="tinggi", title="Tumpukan sampah pasar"),
        "resolved_critical": place(wib("2026-11-20 09:00"), priority="kritis", resolved_after_hours=2),
    }
    return made


def test_incidents_count_in_their_wib_day(day_of_incidents):
    report = daily_report(DAY, now=MORNING_AFTER)
    incidents = report["incidents"]
    # first, late, overdue, last and resolved_critical: not "before" (19th WIB) nor "after" (21st WIB)
    assert incidents["total"] == 5
    assert {row["code"]: row["count"] for row in incidents["by_category"]} == {"SAMPAH": 4, "JLN-RUSAK": 1}
    by_kecamatan = {row["name"]: row["count"] for row in incidents["by_kecamatan"]}
    assert by_kecamatan == {"Tangerang": 4, "Cipondoh": 1}
    assert incidents["by_priority"]["kritis"] == 2
    assert report["start"] == "2026-11-20T00:00:00+07:00" and report["end"] == "2026-11-21T00:00:00+07:00"
    assert report["complete"] is True and report["before_any_data"] is False
    # The day before and the day after see the boundary incidents on their side.
    assert daily_report(date(2026, 11, 19), now=MORNING_AFTER)["incidents"]["total"] == 1
    assert daily_report(date(2026, 11, 21), now=MORNING_AFTER)["incidents"]["total"] == 1


def test_sla_compliance_per_opd(day_of_incidents):
    sampah_opd = day_of_incidents["first"].agency.code
    road_opd = day_of_incidents["last"].agency.code
    sla = daily_report(DAY, now=MORNING_AFTER)["sla"]
    rows = {row["code"]: row for row in sla["rows"]}
    assert set(rows) == {sampah_opd, road_opd}
    sampah = rows[sampah_opd]
    # first (in time), late (late), overdue (open past target), resolved_critical (2 h of 24: in time)
    assert (
        sampah["received"],
        sampah["resolved"],
        sampah["resolved_within_sla"],
        sampah["resolved_late"],
        sampah["open"],
        sampah["open_overdue"],
        sampah["sla_settled"],
    ) == (4, 3, 2, 1, 1, 1, 4)
    assert sampah["within_sla_percent"] == 50.0
    road = rows[road_opd]
    assert (road["received"], road["open"], road["open_overdue"], road["within_sla_percent"]) == (1, 1, 0, None)
    assert sla["totals"]["received"] == 5 and sla["totals"]["within_sla_percent"] == 50.0
    assert sla["source"] == "komando.incidents.scorecard" and sla["as_of"] == "2026-11-21T06:00:00+07:00"


def test_open_critical_incidents_at_report_time(day_of_incidents):
    rows = daily_report(DAY, now=MORNING_AFTER)["critical"]["rows"]
    assert [row["ticket"] for row in rows] == [day_of_incidents["last"].ticket, day_of_incidents["old_high"].ticket]
    last, old = rows
    assert (last["priority"], last["overdue"], last["kecamatan"], last["title"]) == (
        "kritis",
        False,
        "Cipondoh",
        "Jalan amblas di Cipondoh",
    )
    assert old["priority"] == "tinggi" and old["overdue"] is True


def test_scoped_report_shows_one_opd(day_of_incidents):
    agency = day_of_incidents["last"].agency
    report = daily_report(DAY, now=MORNING_AFTER, agency_id=agency.pk)
    assert report["scope"]["code"] == agency.code
    assert report["incidents"]["total"] == 1
    assert [row["code"] for row in report["sla"]["rows"]] == [agency.code]
    assert [row["ticket"] for row in report["critical"]["rows"]] == [day_of_incidents["last"].ticket]
    assert report["alerts"]["rows"] == []  # no alert about this OPD


def test_water_level_peaks_per_gauge(gauge):
    cisadane = gauge("POS-01", "Pos Cisadane Pasar Baru")
    reading(cisadane, utc("2026-11-19 16:59:00"), 3.0)  # 23:59 WIB the day before: not counted
    reading(cisadane, utc("2026-11-19 17:00:00"), 1.2)  # 00:00 WIB
    reading(cisadane, wib("2026-11-20 14:30"), 2.2)  # the peak: siaga 2
    reading(cisadane, wib("2026-11-20 23:59"), 1.0)
    reading(cisadane, utc("2026-11-20 17:00:00"), 2.9)  # 00:00 WIB the day after: not counted
    # A gauge fed by the HTTP connector only: its latest level, observed that day, is its peak.
    gauge("POS-02", "Pos Kali Angke", attributes={"level_m": 1.6, "level_observed_at": utc("2026-11-20 03:00:00").isoformat()})
    gauge("POS-03", "Pos tanpa data")
    water = daily_report(DAY, now=MORNING_AFTER)["water"]
    assert water["gauges"] == 3
    rows = {row["code"]: row for row in water["rows"]}
    assert set(rows) == {"POS-01", "POS-02"}
    assert (rows["POS-01"]["peak_m"], rows["POS-01"]["peak_at"], rows["POS-01"]["siaga"], rows["POS-01"]["readings"]) == (
        2.2,
        "2026-11-20T14:30:00+07:00",
        "siaga_2",
        3,
    )
    assert (rows["POS-02"]["peak_m"], rows["POS-02"]["siaga"], rows["POS-02"]["readings"]) == (1.6, "siaga_3", 1)
    assert [row["code"] for row in water["rows"]] == ["POS-01", "POS-02"]  # worst first
    assert water["rows"][0]["thresholds"] == {"siaga_1": 2.5, "siaga_2": 2.0, "siaga_3": 1.5}


@pytest.fixture
def watched_sources(reference_data, settings):
    """Two connected sources checked every 10 minutes (stale after 20 minutes)."""
    from komando.sources.models import Source

    settings.KOMANDO_SCHEDULE_SCALE = 1.0
    settings.KOMANDO_STALE_AFTER_INTERVALS = 2.0
    connected = Source.objects.exclude(connector="").order_by("slug")
    connected.update(schedule_seconds=600)
    return list(connected[:2])


def test_source_outages_failing_and_stale(watched_sources):
    flaky, dead = watched_sources
    run(flaky, wib("2026-11-19 23:50"), True)
    run(flaky, wib("2026-11-20 00:05"), True)  # fresh until 00:25
    run(flaky, wib("2026-11-20 00:20"), False, error_kind="unreachable", error="connection refused")
    run(flaky, wib("2026-11-20 00:30"), False, error_kind="unreachable", error="connection refused")
    run(flaky, wib("2026-11-20 00:40"), False, error_kind="server", error="HTTP 502")
    run(flaky, wib("2026-11-20 01:00"), True)  # failing 00:20–01:00; fresh until 01:20
    moment = wib("2026-11-20 03:00")  # silent 01:20–03:00: stale
    while moment < wib("2026-11-21 00:00"):
        run(flaky, moment, True)
        moment += timedelta(minutes=10)
    run(dead, wib("2026-11-19 22:00"), False, error_kind="auth", error="401 Unauthorized")  # down all day
    outages = daily_report(DAY, now=MORNING_AFTER)["outages"]
    rows = [
        (row["slug"], row["kind"], row["start"][11:16], row["end"][11:16], row["minutes"], row["failed_runs"], row["error_kind"])
        for row in outages["rows"]
    ]
    assert rows == [
        (dead.slug, "failing", "00:00", "00:00", 1440, 0, "auth"),
        (flaky.slug, "stale", "01:20", "03:00", 100, 0, ""),
        (flaky.slug, "failing", "00:20", "01:00", 40, 3, "server"),
    ]
    assert outages["rows"][0]["end"] == "2026-11-21T00:00:00+07:00"
    assert outages["total_minutes"] == 1580
    others = outages["watched"] - 2
    assert len(outages["without_history"]) == others


def test_outage_still_going_on_today_is_marked_ongoing(watched_sources):
    flaky, _dead = watched_sources
    run(flaky, wib("2026-11-20 00:00"), True)
    run(flaky, wib("2026-11-20 09:00"), False, error_kind="server", error="HTTP 500")
    report = daily_report(DAY, now=wib("2026-11-20 10:00"))
    assert report["complete"] is False
    rows = [
        (row["kind"], row["start"][11:16], row["end"][11:16], row["minutes"], row["ongoing"])
        for row in report["outages"]["rows"]
        if row["slug"] == flaky.slug
    ]
    # Stale 20 minutes after its last success, then failing from the failed run on, until now.
    assert rows == [("stale", "00:20", "09:00", 520, False), ("failing", "09:00", "10:00", 60, True)]


def test_day_before_any_data_has_empty_sections(reference_data, incident_data):
    report = daily_report(date(2020, 1, 1), now=MORNING_AFTER)
    assert report["before_any_data"] is True
    assert report["incidents"]["total"] == 0 and report["sla"]["rows"] == [] and report["water"]["rows"] == []
    assert report["outages"]["rows"] == [] and report["critical"]["rows"] == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-13-01", "does not exist"),
        ("20-11-2026", "YYYY-MM-DD"),
        ("kemarin", "YYYY-MM-DD"),
        ("2026-11-22", "not come yet"),
        ("1999-12-31", "2000"),
    ],
)
def test_bad_days_are_refused_in_words(value, message):
    from django.utils import translation

    with translation.override("en"), pytest.raises(BadDay, match=message):
        parse_day(value, now=MORNING_AFTER)


def test_default_day_is_yesterday_in_wib():
    # 23:30 UTC on the 20th is 06:30 WIB on the 21st: yesterday is the 20th.
    assert parse_day("", now=utc("2026-11-20 23:30:00")) == date(2026, 11, 20)
    assert parse_day("2026-11-21", now=utc("2026-11-20 23:30:00")) == date(2026, 11, 21)  # today: allowed


def test_development_deviations_are_the_kritis_and_terlambat_projects(reference_data):
    from komando.development.actions import do_sync_development
    from komando.development.tests.conftest import PROJECTS
    from komando.sources.models import Source

    do_sync_development(Source.objects.get(slug="emonev"), PROJECTS)
    development = daily_report(DAY, now=MORNING_AFTER)["development"]
    assert development["as_of_month"] == "2026-03" and development["fiscal_year"] == 2026
    # DK-2: planned 40, realised 28 → −12 (kritis); PU-1: planned 50, realised 43 → −7 (terlambat).
    assert [(row["agency"], row["status"], row["deviation_physical"]) for row in development["rows"]] == [
        ("Dinkes", "kritis", -12.0),
        ("Dinas PUPR", "terlambat", -7.0),
    ]
    assert (development["kritis"], development["terlambat"]) == (1, 1)


def test_alerts_raised_during_the_day(reference_data, personas):
    from komando.agencies.models import Agency
    from komando.alerts.models import Alert, AlertRule

    rule = AlertRule.objects.get(slug="sla-terlewat")
    dlh = Agency.objects.get(code="dlh")

    def raise_alert(subject: str, at, agency=None, **fields):
        return Alert.objects.create(
            rule=rule,
            subject_key=subject,
            subject=subject,
            severity="warning",
            agency=agency,
            raised_at=at,
            last_seen_at=at,
            **fields,
        )

    raise_alert("before", utc("2026-11-19 16:59:00"))  # 23:59 WIB the day before
    raise_alert(
        "first",
        utc("2026-11-19 17:00:00"),
        dlh,
        acknowledged_by=personas["operator"],
        acknowledged_at=wib("2026-11-20 01:00"),
        ack_comment="Tim DLH dikirim",
    )
    raise_alert("second", wib("2026-11-20 18:00"), cleared_at=wib("2026-11-20 20:00"))
    raise_alert("after", utc("2026-11-20 17:00:00"))  # 00:00 WIB the day after
    alerts = daily_report(DAY, now=MORNING_AFTER)["alerts"]
    assert alerts["available"] is True
    rows = [(row["raised_at"][11:16], row["agency"], row["acknowledged"], row["cleared_at"]) for row in alerts["rows"]]
    assert rows == [("00:00", "DLH", True, None), ("18:00", "", False, "2026-11-20T20:00:00+07:00")]
    assert alerts["rows"][0]["acknowledged_by"]
    scoped = daily_report(DAY, now=MORNING_AFTER, agency_id=dlh.pk)["alerts"]["rows"]
    assert [row["raised_at"][11:16] for row in scoped] == ["00:00"]
