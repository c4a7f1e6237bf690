"""Issue 14: the public sees a source's status and error kind, never the internal error text; staff
keep the text on /api/sources/."""

import pytest
from django.test import Client
from django.utils import timezone

from komando.sources.actions import do_record_run_failure
from komando.sources.models import Source

SECRET = "connect to 10.20.30.40:5432 failed: password authentication failed for user simpeg_ro"


def _fail(source):
    do_record_run_failure(source, started_at=timezone.now(), kind="unreachable", error=SECRET)


@pytest.mark.django_db
def test_api_sources_hides_error_text_from_the_public_not_from_staff(personas):
    source = Source.objects.first()
    _fail(source)
    public = next(s for s in Client().get("/api/sources/").json() if s["slug"] == source.slug)
    assert public["status"] and public["last_error_kind"] == "unreachable"
    assert public["last_error"] == ""
    assert "10.20.30.40" not in Client().get("/api/sources/").content.decode()
    staff = Client()
    staff.force_login(personas["operator"])
    assert next(s for s in staff.get("/api/sources/").json() if s["slug"] == source.slug)["last_error"] == SECRET
