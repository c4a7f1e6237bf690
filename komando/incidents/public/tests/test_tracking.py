"""The public tracking page of a ticket: status in plain words, progress, public updates only, and
never anyone's personal data (asserted on the HTML)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from komando.incidents.actions import do_comment_incident, do_merge_incidents, do_transition_incident
from komando.incidents.choices import Status
from komando.incidents.models import Incident
from komando.incidents.public.tests.conftest import CONTACT, SUKARASA, bring_to, form_data

pytestmark = pytest.mark.django_db

INTERNAL = "Catatan internal: pelapor minta ditelepon sore, rumahnya pagar hijau"
PUBLIC = "Petugas DLH dijadwalkan mengangkut sampah besok pagi."


def reported(resident, **fields) -> Incident:
    response = resident.post("/lapor/", form_data(**fields))
    assert response.status_code == 302, response.content.decode()[:3000]
    ticket = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    return Incident.objects.get(ticket=ticket)


def tracking_html(client, ticket: str) -> str:
    response = client.get(f"/lapor/lacak/{ticket}/")
    assert response.status_code == 200
    return response.content.decode()


def steps(html: str) -> list[str]:
    return re.findall(r'class="progress-step" data-state="(\w+)"', html)


def test_the_tracking_page_shows_status_progress_place_opd_and_public_updates(resident, operator):
    with time_machine.travel(datetime(2026, 11, 25, 3, 7, tzinfo=UTC), tick=False):  # Wednesday 10.07 WIB
        incident = reported(resident, **CONTACT, address="Jl. Kisamaun no. 12, rumah Bu Siti")
    do_transition_incident(incident, Status.DIVERIFIKASI, acting_user=operator)
    do_transition_incident(incident, Status.DITUGASKAN, acting_user=operator)
    do_comment_incident(incident, PUBLIC, acting_user=operator, public=True)
    do_comment_incident(incident, INTERNAL, acting_user=operator, public=False)

    html = tracking_html(resident, incident.ticket)

    assert f'<h1 id="track-title" class="ticket-number">{incident.ticket}</h1>' in html
    assert '<span class="status-pill" data-status="ditugaskan">Officers assigned</span>' in html
    assert steps(html) == ["done", "done", "current", "todo"]
    assert "Kelurahan Sukarasa, Kecamatan Tangerang" in html
    assert "Sampah menumpuk / pembakaran sampah" in html
    assert "Dinas Lingkungan Hidup" in html
    assert "25 November 2026, 10.07 WIB" in html
    assert "Target to resolve" in html
    assert PUBLIC in html
    titles = re.findall(r'<p class="update-title">([^<]+)</p>', html)
    assert titles == ["Update from the officers", "Officers assigned", "Verified", "Report received"]


def test_the_tracking_page_reveals_no_personal_data(resident, operator):
    incident = reported(
        resident,
        **CONTACT,
        description="Sampah menumpuk di depan rumah saya, hubungi 081277889911",
        address="Jl. Kisamaun no. 12, rumah Bu Siti",
    )
    do_transition_incident(incident, Status.DIVERIFIKASI, acting_user=operator)
    do_comment_incident(incident, INTERNAL, acting_user=operator, public=False)
    do_comment_incident(incident, "Sudah kami hubungi di 0812 7788 9911 dan siti.r@contoh.id", acting_user=operator, public=True)
    operator.first_name, operator.last_name = "Budi", "Santoso"
    operator.save()
    do_transition_incident(incident, Status.DITUGASKAN, acting_user=operator)

    html = tracking_html(resident, incident.ticket)

    for secret in [
        *CONTACT.values(),
        "Siti",
        "Rahmawati",
        "081277889911",
        "7788",
        "siti.r@",
        INTERNAL,
        "pagar hijau",
        "Kisamaun",
        "rumah saya",
        operator.username,
        "Budi",
        "Santoso",
    ]:
        assert secret not in html, secret
    assert "[nomor disembunyikan]" in html and "[email disembunyikan]" in html  # the public comment, masked


def test_a_finished_report_shows_every_step_done(resident, operator):
    incident = reported(resident)
    bring_to(incident, Status.SELESAI, operator)
    html = tracking_html(resident, incident.ticket)
    assert steps(html) == ["done", "done", "done", "done"]
    assert '<span class="status-pill" data-status="selesai">Resolved</span>' in html
    assert "Target to resolve" not in html and "<dt>Resolved</dt>" in html


def test_a_rejected_report_says_why_and_shows_no_progress(resident, operator):
    incident = reported(resident)
    do_transition_incident(incident, Status.DITOLAK, acting_user=operator, reason="Lokasi ini jalan tol, kewenangan BPJT")
    html = tracking_html(resident, incident.ticket)
    assert '<span class="status-pill" data-status="ditolak">Not accepted</span>' in html
    assert "Lokasi ini jalan tol, kewenangan BPJT" in html
    assert steps(html) == []


def test_a_handed_off_report_names_the_receiver(resident, operator):
    incident = reported(resident)
    bring_to(incident, Status.DIALIHKAN, operator)
    html = tracking_html(resident, incident.ticket)
    assert "Handed to PLN (electricity)" in html
    assert steps(html) == ["done", "done", "current", "todo"]


def test_a_merged_ticket_shows_the_progress_of_the_surviving_incident(resident, operator):
    survivor = reported(resident)
    duplicate = reported(resident, lat=str(SUKARASA[0] + 0.0003))
    do_merge_incidents(duplicate, survivor, acting_user=operator, comment="Laporan sama, digabung")
    do_transition_incident(survivor, Status.DIVERIFIKASI, acting_user=operator)
    do_transition_incident(survivor, Status.DITUGASKAN, acting_user=operator)

    html = tracking_html(resident, duplicate.ticket)

    assert f'<h1 id="track-title" class="ticket-number">{duplicate.ticket}</h1>' in html
    assert f"Your report was merged with ticket <strong>{survivor.ticket}</strong>" in html
    assert '<span class="status-pill" data-status="ditugaskan">Officers assigned</span>' in html
    assert steps(html) == ["done", "done", "current", "todo"]
    assert f"Merged with ticket {survivor.ticket}" in html
    assert "Laporan sama, digabung" not in html  # the merge's comment is the operator's, not for the public
    assert f"Report received (ticket {survivor.ticket})" in html
    survivor_html = tracking_html(resident, survivor.ticket)
    assert f"Ticket {duplicate.ticket} about the same problem was merged into this report." in survivor_html


def test_an_unknown_ticket_is_a_404_in_the_same_look(resident):
    response = resident.get("/lapor/lacak/TNG-2611-99999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="page-lapor"' in html and "Report not found" in html
    assert "There is no report with ticket number <strong>TNG-2611-99999</strong>" in html
    assert 'name="tiket"' in html


def test_an_unknown_ticket_is_escaped(resident):
    response = resident.get("/lapor/lacak/%3Cscript%3Ealert(1)%3C%2Fscript%3E/")
    assert response.status_code == 404
    assert "<script>alert(1)" not in response.content.decode()


def test_the_lookup_form_leads_to_the_ticket_page(resident):
    incident = reported(resident)
    page = resident.get("/lapor/lacak/")
    assert page.status_code == 200 and 'name="tiket"' in page.content.decode()
    found = resident.get("/lapor/lacak/", {"tiket": f"  {incident.ticket.lower()} "})
    assert (found.status_code, found["Location"]) == (302, f"/lapor/lacak/{incident.ticket}/")
    missing = resident.get("/lapor/lacak/", {"tiket": "TNG-2611-99999"})
    assert missing.status_code == 404
    assert "There is no report with ticket number TNG-2611-99999." in missing.content.decode()


def test_a_lowercase_ticket_link_goes_to_the_ticket_page(resident):
    incident = reported(resident)
    response = resident.get(f"/lapor/lacak/{incident.ticket.lower()}/")
    assert (response.status_code, response["Location"]) == (302, f"/lapor/lacak/{incident.ticket}/")


def test_the_sent_page_of_an_unknown_ticket_is_a_404(resident):
    assert resident.get("/lapor/terkirim/TNG-2611-99999/").status_code == 404


def test_the_internal_comment_of_a_rejection_stays_internal(resident, operator):
    incident = reported(resident)
    do_transition_incident(incident, Status.DITOLAK, acting_user=operator, reason="Bukan kewenangan kota", comment=INTERNAL)
    html = tracking_html(resident, incident.ticket)
    assert "Bukan kewenangan kota" in html
    assert INTERNAL not in html
