"""The minutes (notulen) PDF: Bahasa Indonesia, every section, corrections shown as such, a map
picture drawn from the database (no network)."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse

from komando.situation.actions import (
    do_add_action_item,
    do_add_attendee,
    do_close_session,
    do_link_incident,
    do_record_decision,
    do_update_action_item,
)
from komando.situation.minutes import Projection, map_svg, render_minutes_pdf
from komando.situation.selectors import session_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_session(session, personas, report, dinkes):
    operator = personas["operator"]
    do_add_attendee(session, acting_user=operator, user=personas["executive"])
    do_add_attendee(session, acting_user=operator, name="PLN UP3 Cikokol")
    flood = report("BANJIR", lat=-6.1731, lon=106.6322, description="Air setinggi 80 cm di RW 05")
    do_link_incident(session, flood, acting_user=operator)
    do_link_incident(
        session, report("MEDIS", lat=-6.1760, lon=106.6300, description="Warga lansia sesak napas"), acting_user=operator
    )
    first = do_record_decision(
        session,
        "Buka posko pengungsian di SDN Periuk 3",
        acting_user=operator,
        basis="Air 80 cm di RW 05",
        assigned_agency=dinkes,
    )
    correction = do_record_decision(
        session,
        "Buka posko pengungsian di Masjid Al-Ikhlas",
        acting_user=operator,
        corrects=first,
        basis="SDN Periuk 3 ikut tergenang",
    )
    item = do_add_action_item(
        session, "Kirim dua ambulans ke posko", acting_user=operator, assigned_agency=dinkes, decision=correction
    )
    do_update_action_item(item, "in_progress", acting_user=personas["opd_officer"], note="Ambulans 2 berangkat")
    do_close_session(session, acting_user=operator, note="Air mulai surut")
    session.flood = flood
    return session


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in reader.pages))


def test_the_minutes_contain_every_section_in_bahasa_indonesia(worked_session):
    data = render_minutes_pdf(worked_session)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for words in (
        "Notulen",
        "Banjir Kecamatan Periuk",
        "Peserta",
        "Insiden terkait",
        "Keputusan",
        "Tindak lanjut",
        "Peta",
        "Pimpinan",
        "WIB",
        "PLN UP3 Cikokol",
        "executive",
        worked_session.flood.ticket,
        "Buka posko pengungsian di SDN Periuk 3",
        "Buka posko pengungsian di Masjid Al-Ikhlas",
        "Koreksi atas keputusan 1",
        "Dikoreksi oleh keputusan 2",
        "Kirim dua ambulans ke posko",
        "Sedang berjalan",
        "Ambulans 2 berangkat",
        "Tindak lanjut diperbarui: Sedang berjalan",
        "Air mulai surut",
        "Dinkes",
        "Banjir",
    ):
        assert words in text, words


def test_the_map_picture_shows_boundaries_incidents_and_units(worked_session, personas):
    from komando.incidents.console.tests.setup import add_field_unit

    add_field_unit("kebersihan", "situation-truck", "Truk DLH 7", "truck", -6.1745, 106.6310)
    state = session_state(worked_session, personas["operator"])
    svg = map_svg(state)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<polygon") >= 1  # kelurahan boundaries
    assert svg.count("<circle") == 2  # the two linked incidents, numbered
    assert "<rect x=" in svg  # the truck
    projection = Projection(state["map"]["bbox"])
    for incident in state["incidents"]:
        x, y = projection.point(incident["lon"], incident["lat"])
        assert 0 <= x <= projection.width and 0 <= y <= projection.height


def test_the_projection_keeps_north_up_and_east_right():
    projection = Projection([106.60, -6.20, 106.70, -6.10])
    west_north = projection.point(106.60, -6.10)
    east_south = projection.point(106.70, -6.20)
    assert west_north[0] < east_south[0] and west_north[1] < east_south[1]


def test_the_minutes_are_downloaded_by_whoever_sees_the_session(client, worked_session, personas):
    url = reverse("situation:minutes", args=[worked_session.pk])
    client.force_login(personas["opd_officer"])  # Dinkes: a linked incident and a decision are theirs
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="notulen-')
    assert "Notulen" in pdf_text(response.content)
    client.force_login(personas["outsider"])
    assert client.get(url).status_code == 403
