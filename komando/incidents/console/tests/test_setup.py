"""The reusable console set-up (``console/tests/setup.py``) gives what it promises: an operator who may
command, dispatchable units with positions (fresh before stale, only the incident's OPD), and sample
incidents in the console's order, the overdue one first."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from komando.incidents import access
from komando.incidents.console.selectors import console_queue
from komando.incidents.console.tests import setup
from komando.incidents.dispatch import recommend_units
from komando.incidents.models import Incident
from komando.incidents.tests.conftest import SUKARASA

pytestmark = pytest.mark.django_db


def test_set_up_twice_gives_the_same_people_and_units(incident_data):
    first = setup.set_up()
    second = setup.set_up()
    assert first == second
    operator = User.objects.get(username=first["operator"])
    assert operator.check_password(first["password"]) and access.can_command(operator)


def test_the_units_are_recommended_nearest_first_and_stale_last(incident_data, report):
    units = setup.set_up()["units"]
    incident = report("SAMPAH", lat=SUKARASA[0], lon=SUKARASA[1])
    recommended = recommend_units(incident)
    assert [unit.unit_id for unit in recommended] == [units["near"], units["far"], units["stale"]]
    assert [unit.stale for unit in recommended] == [False, False, True]


def test_the_sample_incidents_come_overdue_first_then_by_priority(incident_data):
    operator = User.objects.get(username=setup.set_up()["operator"])
    tickets = setup.open_sample_incidents()
    queue = [row["ticket"] for row in console_queue(operator)]
    assert queue[:2] == [tickets["overdue"], tickets["critical"]]
    assert sorted(queue[2:]) == sorted(tickets["calm"])
    assert Incident.objects.get(ticket=tickets["overdue"]).priority == "rendah"
