"""/pembangunan/ pages: login, roles and OPD scope; bad input answered 404; Kritis unmistakable;
every number with its source and freshness; Rupiah and percent in Indonesian by default."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from komando.development.models import Project
from komando.sources.models import Source

PAGES = ["/pembangunan/", "/pembangunan/opd/dinkes/"]


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def project_url(ref: str) -> str:
    return f"/pembangunan/proyek/{Project.objects.get(source_ref=ref).id}/"


@pytest.mark.parametrize("url", [*PAGES, "project"])
def test_anonymous_visitor_is_sent_to_the_login_page(client, development_data, url):
    url = project_url("DK-1") if url == "project" else url
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/?next=")


@pytest.mark.parametrize("url", [*PAGES, "project"])
def test_outsider_and_field_officer_are_refused(client, development_data, personas, url):
    from django.contrib.auth.models import Group

    from komando.accounts.models import Role

    url = project_url("DK-1") if url == "project" else url
    client.force_login(personas["outsider"])
    response = client.get(url)
    assert response.status_code == 403
    assert "Kegiatan DK-1" not in response.content.decode()
    field_officer = personas["outsider"]
    field_officer.groups.add(Group.objects.get(name=Role.FIELD_OFFICER))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("persona", ["operator", "executive", "administrator"])
def test_unscoped_roles_see_every_opd(client, development_data, personas, persona):
    client.force_login(personas[persona])
    response = client.get("/pembangunan/")
    assert response.status_code == 200
    shown = {row["agency_code"] for row in response.context["watch"]["by_agency"]}
    assert shown == {"dinkes", "pupr", "dishub"}
    assert client.get("/pembangunan/opd/pupr/").status_code == 200
    assert client.get(project_url("PU-1")).status_code == 200


def test_opd_officer_sees_only_their_opd(client, development_data, personas):
    client.force_login(personas["opd_officer"])
    response = client.get("/pembangunan/")
    assert response.status_code == 200
    assert [row["agency_code"] for row in response.context["watch"]["by_agency"]] == ["dinkes"]
    assert {row["source_ref"] for row in response.context["watch"]["projects"]} == {"DK-1", "DK-2"}
    page = response.content.decode()
    assert "Kegiatan PU-1" not in page and "Kegiatan DH-1" not in page
    assert [agency.code for agency in response.context["agencies"]] == ["dinkes"]
    assert client.get("/pembangunan/opd/dinkes/").status_code == 200
    assert client.get(project_url("DK-2")).status_code == 200
    # Another OPD's page and project: as if they did not exist.
    assert client.get("/pembangunan/opd/pupr/").status_code == 404
    assert client.get(project_url("PU-1")).status_code == 404
    assert client.get("/pembangunan/?opd=pupr").status_code == 404


@pytest.mark.parametrize(
    "url", ["/pembangunan/opd/dinas-rahasia/", "/pembangunan/?opd=dinas-rahasia", "/pembangunan/proyek/999999/"]
)
def test_unknown_opd_or_project_is_not_found(client, development_data, personas, url):
    client.force_login(personas["executive"])
    assert client.get(url).status_code == 404


def test_non_numeric_project_id_is_not_found(client, development_data, personas):
    client.force_login(personas["executive"])
    assert client.get("/pembangunan/proyek/abc/").status_code == 404


def test_the_opd_filter_leads_to_the_opd_page(client, development_data, personas):
    client.force_login(personas["executive"])
    response = client.get("/pembangunan/?opd=pupr")
    assert response.status_code == 302 and response["Location"] == "/pembangunan/opd/pupr/"
    page = client.get("/pembangunan/opd/pupr/")
    assert [row["source_ref"] for row in page.context["watch"]["projects"]] == ["PU-1"]
    assert page.context["watch"]["agency"]["code"] == "pupr"
    assert client.get("/pembangunan/?opd=").status_code == 200


def test_overview_in_indonesian_shows_rupiah_percent_source_and_freshness(client, development_data, personas):
    Source.objects.filter(slug="emonev").update(last_success_at=datetime(2026, 4, 2, 1, 30, tzinfo=UTC))
    client.force_login(personas["executive"])
    page = text_of(client.get("/pembangunan/"))
    assert "Sumber: e-Monev" in page  # Indonesian by default
    assert "Maret 2026" in page
    assert "2 Apr 2026 08.30 WIB" in page  # 01:30 UTC in WIB
    assert "Rp 16 M" in page  # total pagu, compact
    # Dinkes: pagu 4 bn; realised financial 32,75 % → Rp 1.310.000.000 absorbed of Rp 1.400.000.000 planned.
    assert "Rp 1.310.000.000" in page and "Rp 1.400.000.000" in page
    assert "32,75%" in page and "37,75%" in page
    assert "KRITIS" in page.upper()


def test_overview_in_english_uses_english_separators(client, development_data, personas):
    client.force_login(personas["executive"])
    client.cookies["django_language"] = "en"
    page = text_of(client.get("/pembangunan/"))
    assert "Source: e-Monev" in page and "March 2026" in page
    assert "Rp 1,310,000,000" in page and "32.75%" in page and "Rp 16 bn" in page
    assert "1 project KRITIS" in page
    assert (
        "Kritis: planned 40.00%, realised 28.00%: 12.00 points behind, more than the 10.00 points allowed in "
        "period I (planned physical progress 0–70%)."
    ) in page


def test_project_page_explains_why_it_is_kritis(client, development_data, personas):
    client.force_login(personas["executive"])
    client.cookies["django_language"] = "en"
    response = client.get(project_url("DK-2"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Rp 1,000,000,000" in page and "Kegiatan DK-2" in page
    assert (
        "Kritis: planned 40.00%, realised 28.00%: 12.00 points behind, more than the 10.00 points allowed in "
        "period I (planned physical progress 0–70%)."
    ) in page
    assert 'data-status="kritis"' in response.content.decode()
    project = response.context["project"]
    assert project["current"]["month"] == "2026-03" and project["current"]["status"] == "kritis"


def test_project_page_in_indonesian(client, development_data, personas):
    client.force_login(personas["executive"])
    page = text_of(client.get(project_url("DH-1")))
    # Dishub at 80 % planned (period II), realised 77: 3 points behind, within the 5 points allowed.
    assert "periode II" in page and "3,00" in page and "5,00" in page
    assert "Rp 2.000.000.000" in page


def test_pages_work_with_no_data(client, reference_data, personas):
    client.force_login(personas["executive"])
    response = client.get("/pembangunan/")
    assert response.status_code == 200
    assert response.context["watch"]["projects"] == [] and response.context["watch"]["s_curve"] == []


def test_opd_officer_without_opd_sees_an_empty_watch(client, development_data, personas):
    officer = personas["opd_officer"]
    officer.profile.agency = None
    officer.profile.save()
    client.force_login(officer)
    response = client.get("/pembangunan/")
    assert response.status_code == 200 and response.context["watch"]["projects"] == []
    assert client.get("/pembangunan/opd/dinkes/").status_code == 404


def test_pages_only_read(client, development_data, personas):
    client.force_login(personas["executive"])
    before = list(Project.objects.values_list("id", "updated_at"))
    for url in [*PAGES, project_url("DK-2")]:
        assert client.get(url).status_code == 200
    assert client.post("/pembangunan/", {"opd": "pupr"}).status_code in (403, 405)
    assert list(Project.objects.values_list("id", "updated_at")) == before


def test_client_is_plain(db):
    assert Client().get("/pembangunan/").status_code == 302


def test_a_project_without_any_report_has_a_page(client, development_data, personas, emonev_source):
    from komando.development.actions import do_sync_development
    from komando.development.tests.conftest import PROJECTS, record

    do_sync_development(emonev_source, [*PROJECTS, record("NEW-1", "dinkes", 500_000_000, [])])
    client.force_login(personas["executive"])
    client.cookies["django_language"] = "en"
    response = client.get(project_url("NEW-1"))
    assert response.status_code == 200
    assert response.context["project"]["months"] == [] and response.context["project"]["current"] is None
    assert "No realisation reported yet." in text_of(response)
    # On the overview it counts with zero progress (its pagu still weighs).
    watch = client.get("/pembangunan/").context["watch"]
    assert watch["totals"]["budget"] == 16_500_000_000 and watch["totals"]["projects"] == 5


def test_pages_read_in_a_fixed_number_of_queries(client, development_data, personas, emonev_source):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from komando.development.actions import do_sync_development
    from komando.development.tests.conftest import PROJECTS, record

    client.force_login(personas["executive"])

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = {url: queries(url) for url in [*PAGES, project_url("DK-1")]}
    more = [
        record(f"X-{n}", "pupr", 1_000_000 * n, [(10, 9), (20, 18), (30, 27)], kelurahan="36.71.05.1001") for n in range(1, 41)
    ]
    do_sync_development(emonev_source, [*PROJECTS, *more])
    many = {url: queries(url) for url in [*PAGES, project_url("DK-1")]}
    assert many == few  # 44 projects read like 4
    assert max(many.values()) <= 30


def test_open_kritis_alerts_are_shown_where_they_belong(client, development_data, personas, emonev_source):
    from komando.alerts.actions import do_evaluate_rules
    from komando.alerts.models import AlertRule
    from komando.development.actions import do_sync_development
    from komando.development.tests.conftest import PROJECTS, record

    rule = AlertRule(
        slug="pembangunan-kritis-test",
        name="Kegiatan kritis",
        kind="project_kritis",
        parameters={},
        severity="warning",
        audience="staff",
    )
    rule.full_clean()
    rule.save()
    do_evaluate_rules(rules=[rule])
    client.cookies["django_language"] = "en"
    kritis_url = project_url("DK-2")
    for persona in ("executive", "opd_officer"):
        client.force_login(personas[persona])
        overview = client.get("/pembangunan/")
        # Beside its kritis project in the banner, not listed a second time.
        dk2 = next(row for row in overview.context["watch"]["projects"] if row["source_ref"] == "DK-2")
        assert dk2["alert"]["kind"] == "project_kritis" and dk2["alert"]["url"] == kritis_url, persona
        assert overview.context["kritis_alerts"] == []
        assert f'data-alert="{dk2["alert"]["id"]}"' in overview.content.decode()
        assert "Alert raised" in text_of(overview) and "not yet acknowledged" in text_of(overview)
        project = client.get(kritis_url)
        assert [a["url"] for a in project.context["kritis_alerts"]] == [kritis_url]
        assert "Project Kegiatan DK-2 is kritis" in text_of(project)
        assert client.get(project_url("DK-1")).context["kritis_alerts"] == []
    client.force_login(personas["executive"])
    assert client.get("/pembangunan/opd/pupr/").context["kritis_alerts"] == []
    dinkes = client.get("/pembangunan/opd/dinkes/").context["watch"]["projects"]
    assert [row["source_ref"] for row in dinkes if row["alert"]] == ["DK-2"]

    # DK-2 catches up before the rule runs again: its alert stays open and is listed apart.
    caught_up = record("DK-2", "dinkes", 1_000_000_000, [(10, 8), (20, 15), (40, 40), (60, None)])
    do_sync_development(emonev_source, [PROJECTS[0], caught_up, *PROJECTS[2:]])
    overview = client.get("/pembangunan/")
    assert [a["url"] for a in overview.context["kritis_alerts"]] == [kritis_url]
    assert "Open kritis alerts of projects no longer kritis" in text_of(overview)
