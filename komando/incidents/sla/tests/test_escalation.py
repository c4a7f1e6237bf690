"""The escalation worker, with time travel: a breach escalates once, a second run does nothing, the
next rung comes after its interval, closed incidents never escalate, two workers never escalate the
same rung twice.

The SOP used here (built below, not the city's seed) runs on the wall clock: respond within 1 hour,
resolve within 4; ladder kepala bidang 30 minutes after the breach, kepala dinas 2 hours after,
sekda 6 hours after. A second SOP runs on working days (SP4N-LAPOR!'s 3 days to respond).
"""

from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from komando.audit.models import AuditRecord
from komando.core import events
from komando.core.clock import city_zone
from komando.incidents.actions import do_report_incident, do_transition_incident
from komando.incidents.choices import Status, TimelineKind
from komando.incidents.models import Category, Incident, Playbook, PlaybookVersion
from komando.incidents.playbooks import clean_content
from komando.incidents.sla.escalation import EscalationWorker, due_for_escalation, escalate_due_incidents

WIB = city_zone()  # Kota Tangerang's zone, read from its city.json
CIPONDOH = (-6.18621, 106.68299)  # a point in Kel. Cipondoh, Kota Tangerang
PRIORITY = "tinggi"
LADDER = [
    {"role": "kepala_bidang", "after": {"amount": 30, "unit": "minutes"}},
    {"role": "kepala_dinas", "after": {"amount": 2, "unit": "hours"}},
    {"role": "sekda", "after": {"amount": 6, "unit": "hours"}},
]


def wib(*args):
    return datetime(*args, tzinfo=WIB)


def make_category(code: str, *, emergency: bool, respond: dict, resolve: dict, ladder: list) -> Category:
    from komando.agencies.models import Agency

    category = Category.objects.create(
        code=code, name=code.replace("-", " ").title(), emergency=emergency, default_priority=PRIORITY
    )
    playbook = Playbook.objects.create(category=category)
    priorities = ("rendah", "sedang", "tinggi", "kritis")
    content = clean_content(
        steps=[{"key": "cek-lokasi", "title": "Cek lokasi", "mandatory": True}],
        sla={p: resolve for p in priorities},
        respond_sla={p: respond for p in priorities},
        escalation=ladder,
        regulation="Perwal Kota Tangerang (test)",
        emergency=emergency,
    )
    PlaybookVersion.objects.create(playbook=playbook, number=1, agency=Agency.objects.get(code="bpbd"), **content)
    return category


@pytest.fixture
def wall_clock_category(reference_data):
    return make_category(
        "banjir-uji",
        emergency=True,
        respond={"amount": 1, "unit": "hours"},
        resolve={"amount": 4, "unit": "hours"},
        ladder=LADDER,
    )


@pytest.fixture
def working_day_category(reference_data):
    return make_category(
        "jalan-rusak-uji",
        emergency=False,
        respond={"amount": 3, "unit": "working_days"},
        resolve={"amount": 5, "unit": "working_days"},
        ladder=[{"role": "kepala_bidang", "after": {"amount": 1, "unit": "working_days"}}],
    )


def report(category: Category, at: datetime, ref: str = "A-1") -> Incident:
    with time_machine.travel(at, tick=False):
        incident, _, created = do_report_incident(
            "call_112",
            source_ref=ref,
            category_code=category.code,
            description="Air setinggi lutut",
            lat=CIPONDOH[0],
            lon=CIPONDOH[1],
            reported_at=at,
        )
    assert created
    return incident


def run_at(at: datetime):
    with time_machine.travel(at, tick=False):
        return escalate_due_incidents()


def escalations(incident: Incident) -> list:
    return list(incident.timeline.filter(kind=TimelineKind.ESCALATION).order_by("at", "id"))


def test_the_next_escalation_is_a_precomputed_column(wall_clock_category):
    incident = report(wall_clock_category, wib(2026, 11, 27, 8, 0))
    assert incident.respond_due_at == wib(2026, 11, 27, 9, 0)
    assert incident.next_escalation_at == wib(2026, 11, 27, 9, 30)  # breach + 30 minutes


def test_nothing_escalates_before_the_rung_is_due(wall_clock_category):
    incident = report(wall_clock_category, wib(2026, 11, 27, 8, 0))
    run = run_at(wib(2026, 11, 27, 9, 29))
    assert run.escalated == [] and run.due == 0
    incident.refresh_from_db()
    assert incident.escalation_level == 0
    assert escalations(incident) == []


def test_a_breach_escalates_once_with_a_system_timeline_row_and_no_audit(wall_clock_category):
    incident = report(wall_clock_category, wib(2026, 11, 27, 8, 0))
    run = run_at(wib(2026, 11, 27, 9, 31))
    assert run.escalated == [incident.pk]
    incident.refresh_from_db()
    assert incident.escalation_level == 1
    assert incident.next_escalation_at == wib(2026, 11, 27, 11, 0)  # breach 09:00 + 2 hours
    [entry] = escalations(incident)
    assert entry.actor is None
    assert entry.actor_label == "SLA clock"
    assert entry.data["level"] == 1 and entry.data["role"] == "kepala_bidang"
    assert entry.at == wib(2026, 11, 27, 9, 31)
    assert not AuditRecord.objects.filter(action="incident.escalate").exists()


def test_a_second_run_does_nothing(wall_clock_category):
    incident = report(wall_clock_category, wib(2026, 11, 27, 8, 0))
    run_at(wib(2026, 11, 27, 9, 31))
    second = run_at(wib(2026, 11, 27, 9, 32))
    assert second.due == 0 and second.escalated == []
    incident.refresh_from_db()
    assert incident.escalation_level == 1
    assert len(escalations(incident)) == 1


def test_the_next_rungs_come_after_their_intervals_then_the_ladder_ends(wall_clock_category):
    incident = report(wall_clock_category, wib(2026, 11, 27, 8, 0))
    run_at(wib(2026, 11, 27, 9, 31))
    assert run_at(wib(2026, 11, 27, 10, 59)).escalated == []
    assert run_at(wib(2026, 11, 27, 11, 0)).escalated == [incident.pk]  # due at 11:00 exactly
    assert run_at(wib(2026, 11, 27, 14, 59)).escalated == []
    assert run_at(wib(2026, 11, 27, 15, 0)).escalated == [incident.pk]  # breach + 6 hours
    incident.refresh_from_db()
    assert incident.escalation_level == 3
    assert incident.next_escalation_at is None  # the ladder is used up
    assert run_at(wib(2026, 11, 30, 8, 0)).escalated == []
    assert [e.data["role"] for e in escalations(incident)] == ["kepala_bidang", "kepala_dinas", "sekda"]


def test_a_worker_that_was_down_catches_up_one_rung_per_run(wall_clock_category):
    incident = report(wall_clock_category, wib(2026, 11, 27, 8, 0))
    late = wib(2026, 11, 27, 16, 0)  # every rung is due by now
    assert run_at(late).escalated == [incident.pk]
    assert run_at(late).escalated == [incident.pk]
    assert run_at(late).escalated == [incident.pk]
    assert run_at(late).escalated == []
    incident.refresh_from_db()
    assert incident.escalation_level == 3
    assert [e.data["level"] for e in escalations(incident)] == [1, 2, 3]


def test_two_workers_never_escalate_the_same_rung_twice(wall_clock_category):
    from komando.incidents.actions import do_escalate_overdue_incident

    incident = report(wall_clock_category, wib(2026, 11, 27, 8, 0))
    now = wib(2026, 11, 27, 9, 31)
    seen_by_second_worker = due_for_escalation(now)  # both workers read the same due list
    assert seen_by_second_worker == [incident.pk]
    assert run_at(now).escalated == [incident.pk]  # the first worker claims and escalates
    assert do_escalate_overdue_incident(incident.pk, now=now) is False  # the second one's claim fails
    incident.refresh_from_db()
    assert incident.escalation_level == 1
    assert len(escalations(incident)) == 1


def test_a_closed_incident_never_escalates(wall_clock_category, personas):
    incident = report(wall_clock_category, wib(2026, 11, 27, 8, 0))
    with time_machine.travel(wib(2026, 11, 27, 8, 10), tick=False):
        do_transition_incident(incident, Status.DITOLAK, acting_user=personas["operator"], reason="Laporan palsu")
    incident.refresh_from_db()
    assert incident.next_escalation_at is None
    for at in (wib(2026, 11, 27, 9, 31), wib(2026, 11, 27, 16, 0), wib(2026, 12, 31, 0, 0)):
        assert run_at(at).escalated == []
    incident.refresh_from_db()
    assert incident.escalation_level == 0
    assert escalations(incident) == []


def test_the_worker_ignores_a_closed_incident_even_with_a_stale_deadline_column(wall_clock_category):
    incident = report(wall_clock_category, wib(2026, 11, 27, 8, 0))
    # A closed row that still carries a due rung (e.g. written by an older version of the clock).
    Incident.objects.filter(pk=incident.pk).update(status=Status.DITUTUP)
    assert due_for_escalation(wib(2026, 11, 27, 9, 31)) == []
    assert run_at(wib(2026, 11, 27, 9, 31)).escalated == []


def test_an_escalation_is_announced_to_staff_screens_on_commit(
    wall_clock_category, monkeypatch, django_capture_on_commit_callbacks
):
    incident = report(wall_clock_category, wib(2026, 11, 27, 8, 0))
    sent = []
    monkeypatch.setattr(events, "publish", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        run_at(wib(2026, 11, 27, 9, 31))
    assert [(e.type, e.audience, e.data["change"]) for e in sent] == [("incidents.changed", "staff", "escalation")]
    assert incident.ticket in str(sent[0].data["incident"])


def test_working_day_deadlines_escalate_on_the_office_calendar(working_day_category):
    # Friday 27 Nov 2026 15:00 WIB + 3 working days: due Wednesday 2 Dec 23:59:59 WIB; the rung
    # comes 1 working day after the breach: Thursday 3 Dec 23:59:59 WIB.
    incident = report(working_day_category, wib(2026, 11, 27, 15, 0))
    assert incident.respond_due_at == wib(2026, 12, 2, 23, 59, 59)
    assert incident.next_escalation_at == wib(2026, 12, 3, 23, 59, 59)
    assert run_at(wib(2026, 12, 3, 12, 0)).escalated == []
    assert run_at(wib(2026, 12, 4, 0, 0)).escalated == [incident.pk]


def test_due_incidents_come_oldest_due_first_and_in_batches(wall_clock_category):
    first = report(wall_clock_category, wib(2026, 11, 27, 8, 0), ref="A-1")
    second = report(wall_clock_category, wib(2026, 11, 27, 7, 0), ref="A-2")
    assert due_for_escalation(wib(2026, 11, 27, 9, 31)) == [second.pk, first.pk]
    run = escalate_due_incidents(now=wib(2026, 11, 27, 9, 31).astimezone(UTC), limit=1)
    assert run.escalated == [second.pk]


def test_the_command_escalates_and_says_how_many(wall_clock_category):
    report(wall_clock_category, wib(2026, 11, 27, 8, 0))
    out = StringIO()
    with time_machine.travel(wib(2026, 11, 27, 9, 31), tick=False):
        call_command("escalate_incidents", stdout=out)
        call_command("escalate_incidents", stdout=out)
    assert out.getvalue().splitlines() == [
        "Escalated 1 incident(s); 0 taken by another worker, 0 failed.",
        "Escalated 0 incident(s); 0 taken by another worker, 0 failed.",
    ]


@pytest.mark.parametrize("args", [["--interval", "0"], ["--limit", "0"]])
def test_the_command_refuses_a_bad_interval_or_limit(db, args):
    with pytest.raises(CommandError, match="must be positive"):
        call_command("escalate_incidents", "--loop", *args)


def test_the_in_process_worker_counts_its_runs(wall_clock_category):
    report(wall_clock_category, wib(2026, 11, 27, 8, 0))
    worker = EscalationWorker(interval_seconds=1)
    with time_machine.travel(wib(2026, 11, 27, 9, 31), tick=False):
        worker.tick()
        worker.tick()
    assert (worker.runs, worker.escalated) == (2, 1)
    with pytest.raises(ValueError, match="must be positive"):
        EscalationWorker(interval_seconds=0)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_workers_escalate_a_breach_once(reference_data, monkeypatch):
    """Two worker threads read the same due list, then both try to claim it at the same moment."""
    import threading

    from django.db import connection

    from komando.incidents.sla import escalation

    category = make_category(
        "banjir-uji",
        emergency=True,
        respond={"amount": 1, "unit": "hours"},
        resolve={"amount": 4, "unit": "hours"},
        ladder=LADDER,
    )
    incident = report(category, wib(2026, 11, 27, 8, 0))
    now = wib(2026, 11, 27, 9, 31)
    barrier = threading.Barrier(2, timeout=30)
    read_due = escalation.due_for_escalation

    def due_then_wait(at, *, limit):
        ids = read_due(at, limit=limit)
        barrier.wait()  # both workers have read the incident as due before either claims it
        return ids

    monkeypatch.setattr(escalation, "due_for_escalation", due_then_wait)
    runs, errors = [], []

    def worker():
        try:
            runs.append(escalation.escalate_due_incidents(now=now))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(len(run.escalated) for run in runs) == [0, 1]
    if connection.vendor == "postgresql":
        # The second claim waited for the first transaction, then matched no row.
        assert sorted(len(run.skipped) for run in runs) == [0, 1]
    # (SQLite's in-memory test database refuses the second writer with "table is locked" instead of
    # waiting, so there the other run counts a failure; either way nothing is escalated twice.)
    incident.refresh_from_db()
    assert incident.escalation_level == 1
    assert len(escalations(incident)) == 1
