"""The source health page /sumber/: who sees it, what the numbers say, pause and resume."""

import datetime

import pytest
from django.test import Client

from komando.audit.models import AuditRecord
from komando.sources.models import Source, SourceRun
from komando.sources.selectors import failure_history, source_health_rows

UTC = datetime.UTC
# 10:00 WIB on 28 November 2026; today in WIB began at 2026-11-27 17:00 UTC.
NOW = datetime.datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def _run(source, started_at, *, ok=True, records=0, kind="", error=""):
    return SourceRun.objects.create(
        source=source,
        started_at=started_at,
        finished_at=started_at + datetime.timedelta(seconds=2),
        ok=ok,
        records=records,
        error_kind=kind,
        error=error,
    )


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _unconnected_slug():
    """A listed source without connector (sources get connected over time: make one if none is left)."""
    source = Source.objects.filter(connector="", file_import=False).first()
    if source is None:
        source = Source.objects.create(
            slug="belum-terhubung", name="Belum terhubung", group="e-government", agency=Source.objects.first().agency
        )
    return source.slug


def _row(rows, slug):
    return next(row for row in rows if row["slug"] == slug)


@pytest.mark.django_db
def test_health_page_redirects_anonymous_to_login(reference_data):
    response = _client().get("/sumber/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


@pytest.mark.django_db
def test_health_page_refused_for_user_without_role(personas):
    assert _client(personas["outsider"]).get("/sumber/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["operator", "opd_officer", "executive", "administrator"])
def test_health_page_lists_every_source_for_roles(personas, persona):
    response = _client(personas[persona]).get("/sumber/")
    assert response.status_code == 200
    content = response.content.decode()
    for slug in Source.objects.values_list("slug", flat=True):
        assert f'id="source-{slug}"' in content
    assert Source.objects.count() >= 14


@pytest.mark.django_db
def test_health_page_shows_pause_buttons_only_to_administrator(personas):
    unconnected = _unconnected_slug()
    admin_page = _client(personas["administrator"]).get("/sumber/").content.decode()
    operator_page = _client(personas["operator"]).get("/sumber/").content.decode()
    assert 'action="/sumber/siak/jeda/"' in admin_page
    assert "/jeda/" not in operator_page and "/lanjutkan/" not in operator_page
    # Not connected sources get no button.
    assert f'action="/sumber/{unconnected}/jeda/"' not in admin_page


@pytest.mark.django_db
def test_import_page_still_reachable_beside_health_page(personas):
    assert _client(personas["administrator"]).get("/sumber/impor/").status_code == 200


@pytest.mark.django_db
def test_source_health_rows_error_rate_and_records_today_from_runs(reference_data):
    siak = Source.objects.get(slug="siak")
    _run(
        siak, datetime.datetime(2026, 11, 27, 2, 0, tzinfo=UTC), ok=False, kind="server", error="older than 24 h"
    )  # outside the window
    _run(siak, datetime.datetime(2026, 11, 27, 16, 30, tzinfo=UTC), records=100)  # 23:30 WIB yesterday
    _run(siak, datetime.datetime(2026, 11, 27, 17, 30, tzinfo=UTC), records=40)  # 00:30 WIB today
    _run(siak, datetime.datetime(2026, 11, 28, 2, 0, tzinfo=UTC), records=2)
    _run(siak, datetime.datetime(2026, 11, 28, 2, 30, tzinfo=UTC), ok=False, kind="unreachable", error="connection refused")
    rows = source_health_rows(now=NOW)
    row = _row(rows, "siak")
    assert row["runs_24h"] == 4
    assert row["failed_runs_24h"] == 1
    assert row["error_rate_24h"] == 0.25
    assert row["records_today"] == 42
    assert [failure["error"] for failure in row["failures"]] == ["connection refused", "older than 24 h"]
    untouched = _row(rows, "atcs")
    assert untouched["runs_24h"] == 0 and untouched["error_rate_24h"] is None
    assert untouched["records_today"] == 0 and untouched["failures"] == []


@pytest.mark.django_db
def test_failure_history_keeps_last_twenty_newest_first(reference_data):
    atcs = Source.objects.get(slug="atcs")
    start = datetime.datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    for minute in range(25):
        _run(atcs, start + datetime.timedelta(minutes=minute), ok=False, kind="server", error=f"HTTP 500 #{minute}")
        _run(atcs, start + datetime.timedelta(minutes=minute, seconds=30), records=1)
    history = failure_history(atcs)
    assert len(history) == 20
    assert history[0]["error"] == "HTTP 500 #24" and history[-1]["error"] == "HTTP 500 #5"
    assert all(failure["error_kind"] == "server" for failure in history)
    row = _row(source_health_rows(now=NOW), "atcs")
    assert row["failures"] == history
    assert row["runs_24h"] == 50 and row["failed_runs_24h"] == 25 and row["error_rate_24h"] == 0.5


@pytest.mark.django_db
def test_source_health_rows_query_count_bounded(reference_data, django_assert_max_num_queries):
    start = datetime.datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    for source in Source.objects.all():
        for minute in range(6):
            _run(
                source,
                start + datetime.timedelta(minutes=minute),
                ok=minute % 2 == 0,
                records=3 if minute % 2 == 0 else 0,
                kind="" if minute % 2 == 0 else "invalid",
                error="" if minute % 2 == 0 else "bad JSON",
            )
    with django_assert_max_num_queries(3):
        rows = source_health_rows(now=NOW)
    assert len(rows) == Source.objects.count()
    assert all(row["runs_24h"] == 6 and row["records_today"] == 9 for row in rows)


@pytest.mark.django_db
def test_health_page_query_count_bounded(personas, django_assert_max_num_queries):
    start = datetime.datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    for source in Source.objects.all():
        _run(source, start, ok=False, kind="server", error="HTTP 500")
    client = _client(personas["administrator"])
    with django_assert_max_num_queries(10):
        response = client.get("/sumber/")
    assert response.status_code == 200
    assert response.content.decode().count("HTTP 500") >= Source.objects.count()


@pytest.mark.django_db
def test_pause_and_resume_by_administrator_audited(personas, django_capture_on_commit_callbacks):
    admin = personas["administrator"]
    siak = Source.objects.get(slug="siak")
    _run(siak, datetime.datetime(2026, 11, 28, 2, 0, tzinfo=UTC), records=7)
    runs_before = list(SourceRun.objects.values())
    client = _client(admin)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/sumber/siak/jeda/")
    assert response.status_code == 302 and response["Location"] == "/sumber/#source-siak"
    assert len(callbacks) >= 1  # the source.health event is published on commit
    siak.refresh_from_db()
    assert siak.enabled is False
    pause = AuditRecord.objects.get(action="source.pause")
    assert pause.actor == admin and pause.channel == "ui"
    assert pause.object_id == str(siak.pk)
    assert pause.before == {"enabled": True} and pause.after == {"enabled": False}
    page = client.get("/sumber/").content.decode()
    assert 'action="/sumber/siak/lanjutkan/"' in page

    response = client.post("/sumber/siak/lanjutkan/")
    assert response.status_code == 302
    siak.refresh_from_db()
    assert siak.enabled is True
    resume = AuditRecord.objects.get(action="source.resume")
    assert resume.before == {"enabled": False} and resume.after == {"enabled": True}
    assert list(SourceRun.objects.values()) == runs_before


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["operator", "opd_officer", "executive"])
def test_pause_refused_for_non_administrator(personas, persona):
    client = _client(personas[persona])
    assert client.post("/sumber/siak/jeda/").status_code == 403
    Source.objects.filter(slug="siak").update(enabled=False)
    assert client.post("/sumber/siak/lanjutkan/").status_code == 403
    assert Source.objects.get(slug="siak").enabled is False
    assert not AuditRecord.objects.filter(action__startswith="source.").exists()


@pytest.mark.django_db
def test_pause_refused_for_get_and_not_connected_source(personas):
    client = _client(personas["administrator"])
    unconnected = _unconnected_slug()
    assert client.get("/sumber/siak/jeda/").status_code == 405
    assert client.post(f"/sumber/{unconnected}/jeda/").status_code == 400
    assert Source.objects.get(slug="siak").enabled and Source.objects.get(slug=unconnected).enabled


@pytest.mark.django_db
def test_pause_requires_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["administrator"])
    assert client.post("/sumber/siak/jeda/").status_code == 403
    assert Source.objects.get(slug="siak").enabled is True
