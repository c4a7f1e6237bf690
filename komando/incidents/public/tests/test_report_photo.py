"""The resident's photo from /lapor/ is kept with their report (kind ``report``), without its
metadata, once per form; staff read it through the access-checked view; the public tracking page
shows no photo (a resident's photo may show their house or their neighbours)."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from komando.incidents.models import IncidentPhoto, IncidentReport, PhotoKind
from komando.incidents.public.tests.conftest import form_data

pytestmark = pytest.mark.django_db

URL = "/lapor/"


def photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = 6  # held turned: shown 90° clockwise
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (6.0, 10.0, 22.37), "E", (106.0, 37.0, 54.66)
    buffer = io.BytesIO()
    Image.new("RGB", (80, 50), (30, 140, 60)).save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def files_in(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def send(resident, data):
    upload = SimpleUploadedFile("rumah.jpg", photo_with_gps(), content_type="image/jpeg")
    return resident.post(URL, {**data, "photo": upload})


def test_the_residents_photo_is_kept_with_the_report_without_its_metadata(resident, media_root):
    response = send(resident, form_data())
    assert response.status_code == 302
    report = IncidentReport.objects.select_related("incident").get()
    photo = IncidentPhoto.objects.get()
    assert (photo.kind, photo.report_id, photo.incident_id, photo.dispatch_id) == (
        PhotoKind.REPORT,
        report.pk,
        report.incident_id,
        None,
    )
    assert (photo.width, photo.height, photo.taken_by_id) == (50, 80, None)  # turned upright, then stored
    assert photo.client_ref == report.source_ref
    with default_storage.open(photo.file.name, "rb") as handle:
        raw = handle.read()
    stored = Image.open(io.BytesIO(raw))
    assert dict(stored.getexif()) == {} and stored.getexif().get_ifd(0x8825) == {}
    assert b"PhoneMaker" not in raw
    assert files_in(media_root) == [media_root / photo.file.name]


def test_the_same_form_sent_twice_keeps_one_photo(resident, media_root):
    data = form_data()
    assert send(resident, data).status_code == send(resident, data).status_code == 302
    assert (IncidentReport.objects.count(), IncidentPhoto.objects.count(), len(files_in(media_root))) == (1, 1, 1)


def test_a_report_without_a_photo_keeps_none(resident, media_root):
    assert resident.post(URL, form_data()).status_code == 302
    assert IncidentPhoto.objects.count() == 0 and files_in(media_root) == []


def test_a_refused_photo_leaves_no_file(resident, media_root):
    bad = SimpleUploadedFile("rumah.jpg", b"%PDF-1.7 bukan foto" * 20, content_type="image/jpeg")
    assert resident.post(URL, {**form_data(), "photo": bad}).status_code == 400
    assert IncidentPhoto.objects.count() == 0 and files_in(media_root) == []


def test_staff_read_the_photo_and_nobody_else(resident, client, personas, media_root):
    send(resident, form_data())
    photo = IncidentPhoto.objects.get()
    url = f"/petugas/foto/{photo.pk}/"
    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/akun/masuk/")
    client.force_login(personas["outsider"])
    assert client.get(url).status_code == 403
    client.force_login(personas["opd_officer"])  # Dinkes; a garbage report is DLH's
    assert client.get(url).status_code == 403
    client.force_login(personas["operator"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == (media_root / photo.file.name).read_bytes()


def test_the_public_tracking_page_shows_no_photo(resident):
    send(resident, form_data())
    photo = IncidentPhoto.objects.select_related("incident").get()
    html = resident.get(f"/lapor/lacak/{photo.incident.ticket}/").content.decode()
    assert photo.incident.ticket in html
    assert "/petugas/foto/" not in html and photo.file.name not in html and "<img" not in html
