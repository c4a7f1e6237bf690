"""Fixtures of incident tests: the city's categories and SOP playbooks loaded as
`komando load-reference-data` loads them, a way to report, and a way to bring an incident into any
status through the real actions."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.utils import timezone

from komando.conftest import reference_data  # noqa: F401  (imported from here by other apps' conftests)
from komando.incidents.choices import Status

SUKARASA = (-6.17288, 106.63185)  # centroid of kelurahan Sukarasa, kecamatan Tangerang (36.71.01.1001)
CIPONDOH_INDAH = (-6.18003, 106.68806)  # kelurahan Cipondoh Indah, kecamatan Cipondoh (36.71.05.1003)
MONAS = (-6.17539, 106.82716)  # Jakarta: outside Kota Tangerang
JAVA_SEA = (-5.90, 106.64)  # the Java Sea, north of the coast


_loaded: dict = {}  # rows of the first load, by table (the city's reference data is in every test database)


@pytest.fixture
def incident_data(reference_data):  # noqa: F811  (the project fixture, imported above)
    """The city's incident categories and SOP playbooks (seed), loaded as `komando load-reference-data`
    loads them; restored from the first load's rows in later tests (one insert per table)."""
    from komando.incidents.actions import do_load_incident_reference_data
    from komando.incidents.models import Category, Playbook, PlaybookVersion

    models = [("categories", Category), ("playbooks", Playbook), ("versions", PlaybookVersion)]
    if "categories" not in _loaded:
        counts = do_load_incident_reference_data(settings.KOMANDO_CITY_DIR)
        for name, model in models:
            _loaded[name] = list(model.objects.order_by("pk").values())
        _loaded["counts"] = counts
        return counts
    for name, model in models:
        rows = _loaded[name]
        if model is Category:  # parents first
            rows = sorted(rows, key=lambda row: row["parent_id"] is not None)
        model.objects.bulk_create([model(**row) for row in rows])
    return _loaded["counts"]


@pytest.fixture
def operator(personas):
    return personas["operator"]


@pytest.fixture
def report(incident_data):
    """Report an incident (a new one each call unless ``source_ref`` repeats); returns the incident."""
    from komando.incidents.actions import do_report_incident

    def make(
        category_code: str = "SAMPAH",
        *,
        channel: str = "web",
        source_ref: str | None = None,
        lat: float = SUKARASA[0],
        lon: float = SUKARASA[1],
        reported_at=None,
        description: str = "Sampah menumpuk di pinggir jalan",
        **kwargs,
    ):
        incident, _report, _created = do_report_incident(
            channel,
            source_ref=source_ref or uuid.uuid4().hex,
            category_code=category_code,
            description=description,
            lat=lat,
            lon=lon,
            reported_at=reported_at or timezone.now(),
            **kwargs,
        )
        return incident

    return make


def complete_mandatory_steps(incident, user) -> None:
    from komando.incidents.actions import do_complete_checklist_step

    for step in incident.playbook_version.steps:
        if step["mandatory"]:
            do_complete_checklist_step(incident, step["key"], acting_user=user, note="selesai")


MAIN_LINE = [Status.DIVERIFIKASI, Status.DITUGASKAN, Status.DALAM_PENANGANAN, Status.SELESAI]


def bring_to(incident, status: str, user, *, other=None):
    """Move ``incident`` (status baru) to ``status`` through the actions a person would use.
    A dialihkan incident is with PLN, acknowledged; a duplikat one is merged into ``other``."""
    from komando.incidents.actions import (
        do_acknowledge_handoff,
        do_hand_off_incident,
        do_merge_incidents,
        do_transition_incident,
    )

    def walk(statuses):
        for step in statuses:
            reason = "Pekerjaan belum tuntas" if step == Status.DIBUKA_KEMBALI else ""
            do_transition_incident(incident, step, acting_user=user, reason=reason)

    if status == Status.BARU:
        pass
    elif status in MAIN_LINE:
        walk(MAIN_LINE[: MAIN_LINE.index(status) + 1])
    elif status == Status.DITUTUP:
        walk(MAIN_LINE)
        complete_mandatory_steps(incident, user)
        walk([Status.DITUTUP])
    elif status == Status.DIBUKA_KEMBALI:
        walk([*MAIN_LINE, Status.DIBUKA_KEMBALI])
    elif status == Status.DITOLAK:
        do_transition_incident(incident, Status.DITOLAK, acting_user=user, reason="Bukan kewenangan kota")
    elif status == Status.DIALIHKAN:
        walk([Status.DIVERIFIKASI])
        handoff = do_hand_off_incident(incident, reason="Kabel PLN putus", acting_user=user, to_party="pln")
        do_acknowledge_handoff(handoff, acting_user=user, note="PLN menerima, tiket PLN 123")
    elif status == Status.DUPLIKAT:
        do_merge_incidents(incident, other, acting_user=user)
    else:  # pragma: no cover - every status is listed above
        raise AssertionError(status)
    incident.refresh_from_db()
    assert incident.status == status
    return incident


@pytest.fixture
def captured_events(monkeypatch):
    """Live events published after commit, in order."""
    sent = []
    monkeypatch.setattr("komando.core.events.publish", sent.append)
    return sent


@pytest.fixture(autouse=True)
def _english_messages():
    """Refusals are matched by their English words; the Indonesian catalogue may translate them."""
    from django.utils import translation

    with translation.override("en"):
        yield
