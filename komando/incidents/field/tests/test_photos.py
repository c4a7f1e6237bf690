"""Incident photos: re-encoded without any metadata (EXIF GPS in → none out), turned upright by their
EXIF orientation, refused with a clear message and nothing stored (no row, no file) when they are
not photos; kept once per ``client_ref``; read only through the access-checked view."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from komando.audit.models import AuditRecord
from komando.incidents.actions.photos import do_add_incident_photo
from komando.incidents.choices import TimelineKind
from komando.incidents.errors import IncidentError
from komando.incidents.field.tests.conftest import (
    exif_with_gps,
    files_in,
    half_and_half_jpeg,
    jpeg_bytes,
    new_ref,
)
from komando.incidents.models import IncidentPhoto, PhotoKind, TimelineEntry
from komando.incidents.public.photos import MAX_SIDE, PhotoError, clean_photo

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "foto.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_image(photo: IncidentPhoto) -> Image.Image:
    with default_storage.open(photo.file.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


def test_gps_and_every_other_exif_field_are_gone_from_the_stored_photo(dispatch, officer, media_root):
    original = Image.open(io.BytesIO(jpeg_bytes(exif=exif_with_gps())))
    assert original.getexif().get_ifd(0x8825)[2] == (6.0, 10.0, 22.37)  # the input does carry a position
    photo, created = do_add_incident_photo(
        dispatch.incident, upload(jpeg_bytes(exif=exif_with_gps())), kind=PhotoKind.BEFORE, acting_user=officer, dispatch=dispatch
    )
    assert created
    image = stored_image(photo)
    assert dict(image.getexif()) == {}
    assert image.getexif().get_ifd(0x8825) == {}
    assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
    raw = (media_root / photo.file.name).read_bytes()
    assert b"Exif" not in raw and b"PhoneMaker" not in raw
    assert (photo.content_type, photo.width, photo.height, photo.size) == ("image/jpeg", 60, 40, len(raw))
    assert photo.file.name.startswith("incident-photos/") and photo.file.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("orientation", "size", "top", "bottom"),
    [
        (1, (60, 40), "red", "red"),  # upright: red on the left at every height
        (6, (40, 60), "red", "blue"),  # held turned: 90° clockwise to show it, so the left half ends on top
        (8, (40, 60), "blue", "red"),  # 90° counter-clockwise: the right half ends on top
    ],
)
def test_the_exif_orientation_is_applied_before_it_is_dropped(dispatch, officer, orientation, size, top, bottom):
    photo, _ = do_add_incident_photo(
        dispatch.incident, upload(half_and_half_jpeg(orientation)), kind=PhotoKind.AFTER, acting_user=officer, dispatch=dispatch
    )
    image = stored_image(photo).convert("RGB")
    assert image.size == size == (photo.width, photo.height)
    assert 0x0112 not in image.getexif()

    def colour(xy):
        r, _g, b = image.getpixel(xy)
        return "red" if r > b else "blue"

    assert colour((2, 2)) == top
    assert colour((image.width - 3, image.height - 3)) == (bottom if orientation != 1 else "blue")


def test_png_text_chunks_and_webp_exif_are_dropped_too():
    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "Jl. Mawar 12, Sukarasa")
    buffer = io.BytesIO()
    Image.new("RGBA", (30, 20), (10, 200, 10, 128)).save(buffer, format="PNG", pnginfo=info)
    png = clean_photo(upload(buffer.getvalue(), "a.png", "image/png"))
    assert b"Mawar" not in png.data and png.format == "PNG"
    assert Image.open(io.BytesIO(png.data)).mode == "RGBA"  # transparency kept

    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 10, 200)).save(buffer, format="WEBP", exif=exif_with_gps())
    webp = clean_photo(upload(buffer.getvalue(), "a.webp", "image/webp"))
    assert webp.content_type == "image/webp"
    assert dict(Image.open(io.BytesIO(webp.data)).getexif()) == {}


def test_a_large_photo_is_scaled_to_the_longest_side_limit():
    photo = clean_photo(upload(jpeg_bytes(size=(MAX_SIDE * 2, 300))))
    assert (photo.width, photo.height) == (MAX_SIDE, 150)


def test_a_photo_writes_a_timeline_row_an_audit_record_and_a_live_event(
    dispatch, officer, captured_events, django_capture_on_commit_callbacks
):
    before = TimelineEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        photo, _ = do_add_incident_photo(
            dispatch.incident,
            upload(jpeg_bytes()),
            kind=PhotoKind.AFTER,
            acting_user=officer,
            dispatch=dispatch,
            lat="-6.17290",
            lon="106.63190",
            note="  Sampah sudah diangkut  ",
        )
    assert TimelineEntry.objects.count() == before + 1
    entry = TimelineEntry.objects.latest("id")
    assert (entry.kind, entry.public, entry.actor_id, entry.comment) == (
        TimelineKind.COMMENT,
        False,
        officer.pk,
        "Sampah sudah diangkut",
    )
    assert entry.data == {"photo": photo.pk, "photo_kind": "after", "dispatch": dispatch.pk, "unit": "Truk DLH 07"}
    assert (photo.lat, photo.lon, photo.taken_by_id, photo.note) == (-6.1729, 106.6319, officer.pk, "Sampah sudah diangkut")
    record = AuditRecord.objects.get(action="incident.photo")
    assert record.after["photo"] == photo.pk and record.actor_id == officer.pk
    assert [event.data["change"] for event in captured_events] == ["photo"]
    assert "Sampah sudah diangkut" not in str([event.message() for event in captured_events])


def test_the_same_client_ref_is_one_photo_and_one_file(dispatch, officer, media_root):
    ref = new_ref()
    first, created = do_add_incident_photo(
        dispatch.incident, upload(jpeg_bytes()), kind=PhotoKind.AFTER, acting_user=officer, dispatch=dispatch, client_ref=ref
    )
    again, created_again = do_add_incident_photo(
        dispatch.incident,
        upload(jpeg_bytes(colour=(1, 2, 3))),
        kind=PhotoKind.AFTER,
        acting_user=officer,
        dispatch=dispatch,
        client_ref=ref,
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert IncidentPhoto.objects.count() == 1 and len(files_in(media_root)) == 1
    with pytest.raises(PhotoError, match="already used for another photo"):
        do_add_incident_photo(
            dispatch.incident, upload(jpeg_bytes()), kind=PhotoKind.BEFORE, acting_user=officer, dispatch=dispatch, client_ref=ref
        )


def _bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, format="PNG")  # 81 megapixels in a few kB
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The photo file is empty."),
        (b"%PDF-1.4 not a photo at all", "This file is not a photo."),
        (jpeg_bytes()[:200], "This file is not a photo."),  # truncated
        (None, "The photo is too large"),
        ("bomb", "This file is not a photo."),
        ("gif", "Photos in GIF format are not accepted."),
    ],
)
def test_what_is_not_a_photo_is_refused_and_nothing_is_stored(dispatch, officer, media_root, settings, data, message):
    settings.KOMANDO_REPORT_PHOTO_MAX_BYTES = 50_000
    if data is None:
        data = jpeg_bytes() + b"\0" * 60_000
    elif data == "bomb":
        data = _bomb()
    elif data == "gif":
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buffer, format="GIF")
        data = buffer.getvalue()
    timeline = TimelineEntry.objects.count()
    with pytest.raises(PhotoError, match=message):
        do_add_incident_photo(
            dispatch.incident, upload(data), kind=PhotoKind.BEFORE, acting_user=officer, dispatch=dispatch, client_ref=new_ref()
        )
    assert IncidentPhoto.objects.count() == 0
    assert TimelineEntry.objects.count() == timeline
    assert files_in(media_root) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "selfie"}, "Unknown photo kind"),
        ({"kind": PhotoKind.REPORT}, "A resident's photo goes with their report."),
        ({"lat": "-6.17", "lon": ""}, "The position must be a latitude and a longitude"),
        ({"lat": "95", "lon": "106.6"}, "The position must be a latitude and a longitude"),
        ({"lat": "nan", "lon": "106.6"}, "The position must be a latitude and a longitude"),
        ({"lat": "utara", "lon": "106.6"}, "The position must be a latitude and a longitude"),
        ({"note": "x" * 1001}, "The note is too long"),
        ({"client_ref": "x" * 81}, "The photo's id is too long."),
    ],
)
def test_bad_details_are_refused_and_nothing_is_stored(dispatch, officer, media_root, kwargs, message):
    arguments = {"kind": PhotoKind.BEFORE, "acting_user": officer, "dispatch": dispatch, **kwargs}
    with pytest.raises(IncidentError, match=message):
        do_add_incident_photo(dispatch.incident, upload(jpeg_bytes()), **arguments)
    assert IncidentPhoto.objects.count() == 0 and files_in(media_root) == []


def test_a_dispatch_of_another_incident_is_refused(dispatch, officer, report, media_root):
    other = report("SAMPAH")
    with pytest.raises(PhotoError, match="The dispatch belongs to another incident."):
        do_add_incident_photo(other, upload(jpeg_bytes()), kind=PhotoKind.BEFORE, acting_user=officer, dispatch=dispatch)
    assert IncidentPhoto.objects.count() == 0 and files_in(media_root) == []


def test_a_failure_after_the_file_was_written_leaves_no_file(dispatch, officer, media_root, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("komando.incidents.actions.photos.write_timeline", broken)
    with pytest.raises(RuntimeError):
        do_add_incident_photo(
            dispatch.incident, upload(jpeg_bytes()), kind=PhotoKind.BEFORE, acting_user=officer, dispatch=dispatch
        )
    assert IncidentPhoto.objects.count() == 0 and files_in(media_root) == []


# --- the staff view --------------------------------------------------------------------------------


@pytest.fixture
def stored_photo(dispatch, officer):
    photo, _ = do_add_incident_photo(
        dispatch.incident, upload(jpeg_bytes(exif=exif_with_gps())), kind=PhotoKind.AFTER, acting_user=officer, dispatch=dispatch
    )
    return photo


def test_staff_who_may_see_the_incident_read_the_photo(client, stored_photo, personas, officer, media_root):
    expected = (media_root / stored_photo.file.name).read_bytes()
    for user in (personas["operator"], personas["executive"], officer):
        client.force_login(user)
        response = client.get(f"/petugas/foto/{stored_photo.pk}/")
        assert response.status_code == 200, user
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, max-age=3600"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == expected


def test_others_may_not_read_the_photo(client, stored_photo, personas, make_officer, make_unit):
    response = client.get(f"/petugas/foto/{stored_photo.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/?next=")
    another_unit_officer = make_officer("petugas-lain", make_unit("Truk DLH 99"))
    # opd_officer is Dinkes: a garbage report is DLH's
    for user in (personas["outsider"], personas["opd_officer"], another_unit_officer):
        client.force_login(user)
        response = client.get(f"/petugas/foto/{stored_photo.pk}/")
        assert response.status_code == 403, user
        assert b"image" not in response["Content-Type"].encode()
    client.force_login(personas["operator"])
    assert client.get("/petugas/foto/999999/").status_code == 404


def test_photos_are_not_public_files(client, stored_photo, settings):
    assert str(settings.MEDIA_ROOT) not in {str(path) for path in settings.STATICFILES_DIRS}
    assert client.get(f"/media/{stored_photo.file.name}").status_code == 404
    assert client.get(f"/static/{stored_photo.file.name}").status_code == 404


def test_the_photos_of_an_incident_for_staff_screens(dispatch, officer, stored_photo):
    from komando.incidents.field.selectors import photos_of_incident

    before, _ = do_add_incident_photo(
        dispatch.incident, upload(jpeg_bytes()), kind=PhotoKind.BEFORE, acting_user=officer, dispatch=dispatch, note="Sebelum"
    )
    listed = photos_of_incident(dispatch.incident)
    assert [(item["id"], item["kind"], item["url"]) for item in listed] == [
        (stored_photo.pk, "after", f"/petugas/foto/{stored_photo.pk}/"),
        (before.pk, "before", f"/petugas/foto/{before.pk}/"),
    ]
    assert listed[1]["unit"] == "Truk DLH 07" and listed[1]["taken_by"] == "petugas-truk-07"
    assert all(stored_photo.file.name not in str(item) for item in listed)
