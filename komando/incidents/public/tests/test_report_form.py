"""A resident reports through /lapor/: what is stored, the ticket, and bad input refused with a clear
message and nothing stored."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from komando.incidents.choices import Channel, Status
from komando.incidents.models import Incident, IncidentReport, TimelineEntry
from komando.incidents.public.tests.conftest import CONTACT, MONAS, SUKARASA, form_data, image_bytes
from komando.regions.models import Region

pytestmark = pytest.mark.django_db

URL = "/lapor/"


def nothing_stored():
    return (Incident.objects.count(), IncidentReport.objects.count(), TimelineEntry.objects.count()) == (0, 0, 0)


def text_of(response) -> str:
    return response.content.decode()


def test_resident_sees_the_form_with_grouped_categories_and_a_fresh_key(resident):
    first, second = resident.get(URL), resident.get(URL)
    assert first.status_code == 200
    html = text_of(first)
    assert '<optgroup label="Kebersihan dan lingkungan hidup">' in html
    assert '<option value="SAMPAH">Sampah menumpuk / pembakaran sampah</option>' in html
    assert '<option value="KEBERSIHAN">Other: Kebersihan dan lingkungan hidup</option>' in html
    assert 'id="lapor-map"' in html and "vendor/leaflet/leaflet.js" in html
    assert "Only the officers handling your report see your contact" in html
    assert "27/2022" in html
    keys = [re.search(r'name="key" value="([^"]+)"', text_of(page)).group(1) for page in (first, second)]
    assert keys[0] != keys[1] and all(len(key) >= 16 for key in keys)
    assert first["Cache-Control"].startswith("max-age=0") or "no-store" in first["Cache-Control"]
    assert "http://" not in html.replace("http://www.w3.org", "")  # no CDN, no external script or font


def test_the_form_speaks_indonesian_by_default(resident_id):
    html = text_of(resident_id.get(URL))
    assert '<html lang="id">' in html


def test_resident_reports_and_gets_a_ticket_to_follow(resident):
    data = form_data(**CONTACT, address="Jl. Daan Mogot dekat pasar")
    response = resident.post(URL, data)
    assert response.status_code == 302
    report = IncidentReport.objects.select_related("incident", "incident__kelurahan").get()
    incident = report.incident
    assert response["Location"] == f"/lapor/terkirim/{incident.ticket}/"
    assert (report.channel, report.source_ref) == (Channel.WEB, "lapor-" + data["key"])
    assert (report.contact_name, report.contact_phone, report.contact_email) == (
        "Siti Rahmawati",
        "0812 7788 9911",
        "siti.r@contoh.id",
    )
    assert (incident.status, incident.category.code, incident.kelurahan.name) == (Status.BARU, "SAMPAH", "Sukarasa")
    assert (incident.lat, incident.lon) == pytest.approx(SUKARASA)
    assert report.address == "Jl. Daan Mogot dekat pasar"
    assert report.attributes == {"location_source": "map"}
    assert report.created_by is None
    page = resident.get(response["Location"])
    assert page.status_code == 200
    assert f'<p class="ticket-number" id="ticket-number">{incident.ticket}</p>' in text_of(page)
    assert f'href="/lapor/lacak/{incident.ticket}/"' in text_of(page)


def test_the_same_form_sent_twice_is_one_report(resident):
    data = form_data(**CONTACT)
    first = resident.post(URL, data)
    second = resident.post(URL, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert (Incident.objects.count(), IncidentReport.objects.count()) == (1, 1)


def test_two_forms_are_two_reports(resident):
    resident.post(URL, form_data())
    resident.post(URL, form_data())
    assert IncidentReport.objects.count() == 2


def test_an_address_with_its_kelurahan_places_the_report_without_the_map(resident):
    kelurahan = Region.objects.get(name="Cipondoh Indah")
    response = resident.post(
        URL, form_data(lat="", lon="", location_source="", kelurahan=kelurahan.code, address="Jl. KH Hasyim Ashari, depan SD")
    )
    assert response.status_code == 302
    report = IncidentReport.objects.select_related("incident").get()
    assert report.incident.kelurahan_id == kelurahan.pk
    assert (report.lat, report.lon) == pytest.approx((kelurahan.centroid_lat, kelurahan.centroid_lon))
    assert report.attributes == {"location_source": "kelurahan", "kelurahan": kelurahan.code}


def test_a_valid_photo_is_accepted(resident):
    photo = SimpleUploadedFile("jalan.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    response = resident.post(URL, {**form_data(), "photo": photo})
    assert response.status_code == 302
    assert IncidentReport.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"category": ""}, "Choose what the problem is."),
        ({"category": "BUKAN-KATEGORI"}, "Choose a problem from the list."),
        ({"description": ""}, "Describe the problem in a few words."),
        ({"description": "rusak"}, "Describe the problem in a few more words (at least 10 characters)."),
        ({"description": "x" * 4001}, "The description is too long: at most 4000 characters (it has 4001)."),
        ({"lat": "", "lon": ""}, "Mark the place: tap the map, use your location, or type the address"),
        ({"lon": ""}, "The place on the map is not valid. Tap the map again."),
        ({"lat": "selatan"}, "The place on the map is not valid. Tap the map again."),
        ({"lat": str(MONAS[0]), "lon": str(MONAS[1])}, "This place is outside the city."),
        ({"lat": "95", "lon": "106.6"}, "is not a valid latitude and longitude"),
        ({"lat": "", "lon": "", "kelurahan": "36.71.05.1003"}, "Type the address or a landmark"),
        ({"lat": "", "lon": "", "kelurahan": "99.99", "address": "Jl. Mawar"}, "Choose a kelurahan from the list."),
        ({"address": "J" * 301}, "The address is too long: at most 300 characters (it has 301)."),
        ({"contact_phone": "nomor saya"}, "Type a phone number of 8 to 15 digits"),
        ({"contact_phone": "12"}, "Type a phone number of 8 to 15 digits"),
        ({"contact_email": "siti@"}, "Type a valid e-mail address"),
        ({"contact_name": "S" * 121}, "The name is too long: at most 120 characters."),
        ({"key": ""}, "The form is incomplete. Open the report page again"),
        ({"key": "short"}, "The form is incomplete. Open the report page again"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(resident, change, message):
    response = resident.post(URL, form_data(**{**CONTACT, **change}))
    assert response.status_code == 400
    html = text_of(response)
    assert 'role="alert"' in html and message in html, re.findall(r"<li>[^<]*</li>", html)
    assert nothing_stored()


def test_what_the_resident_typed_is_kept_after_an_error(resident):
    response = resident.post(URL, form_data(**CONTACT, category=""))
    html = text_of(response)
    assert "Sampah menumpuk di pinggir jalan dekat pasar" in html
    assert 'value="Siti Rahmawati"' in html


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: SimpleUploadedFile("foto.jpg", b"%PDF-1.7 bukan foto" * 20, content_type="image/jpeg"),
            "This file is not a photo. Send a picture in JPEG, PNG or WebP format.",
        ),
        (
            lambda: SimpleUploadedFile("foto.jpg", image_bytes("JPEG", (400, 300))[:300], content_type="image/jpeg"),
            "This file is not a photo.",
        ),
        (lambda: SimpleUploadedFile("foto.png", b"", content_type="image/png"), "The submitted file is empty."),
        (
            lambda: SimpleUploadedFile("anim.gif", image_bytes("GIF"), content_type="image/gif"),
            "Photos in GIF format are not accepted.",
        ),
        (
            lambda: SimpleUploadedFile("besar.png", image_bytes("PNG", (900, 900)) + b"\0" * 6000, content_type="image/png"),
            "The photo is too large",
        ),
    ],
)
def test_a_bad_photo_is_refused_and_nothing_stored(resident, settings, upload, message):
    settings.KOMANDO_REPORT_PHOTO_MAX_BYTES = 6000
    response = resident.post(URL, {**form_data(), "photo": upload()})
    assert response.status_code == 400
    assert message in text_of(response)
    assert nothing_stored()


def test_the_size_limit_comes_from_the_setting_and_is_shown(resident, settings):
    settings.KOMANDO_REPORT_PHOTO_MAX_BYTES = 2 * 1024 * 1024
    html = text_of(resident.get(URL))
    assert "JPEG, PNG or WebP, at most 2 MB." in html
    assert 'data-max-bytes="2097152"' in html
    big = SimpleUploadedFile("besar.jpg", image_bytes("JPEG") + b"\0" * (3 * 1024 * 1024), content_type="image/jpeg")
    response = resident.post(URL, {**form_data(), "photo": big})
    assert "The photo is too large (3.0 MB). Send a photo of at most 2 MB." in text_of(response)
    assert nothing_stored()


def test_many_reports_from_one_address_are_slowed_down_but_a_resend_is_not(resident, settings):
    settings.KOMANDO_REPORT_RATE_LIMIT = "2/600"
    first = form_data()
    assert resident.post(URL, first).status_code == 302
    assert resident.post(URL, form_data()).status_code == 302
    refused = resident.post(URL, form_data())
    assert refused.status_code == 429
    assert "Please wait a few minutes" in text_of(refused)
    assert IncidentReport.objects.count() == 2
    assert resident.post(URL, first).status_code == 302  # the same report again: not counted, not refused
    assert IncidentReport.objects.count() == 2


def test_only_get_and_post(resident):
    assert resident.put(URL).status_code == 405
