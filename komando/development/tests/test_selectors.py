"""The development panel, project list and Kurva S, scoped by who asks."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from komando.development.actions import DevelopmentDataError, do_sync_development
from komando.development.models import ProgressMonth, Project
from komando.development.selectors import (
    development_panel,
    development_panel_for_scope,
    development_projects,
    open_kritis_alerts,
    project_curve,
    projects_as_of,
    reporting_period,
)
from komando.development.tests.conftest import PROJECTS, record

DINKES_ROW = {
    "agency_code": "dinkes",
    "agency": "Dinkes",
    "budget": 4_000_000_000,
    "projects": 2,
    "planned_physical": 40.0,
    "realised_physical": 37.75,
    "planned_financial": 35.0,
    "realised_financial": 32.75,
    "deviation_physical": -2.25,
    "status": "waspada",
    "kritis_projects": 1,
}


def test_panel_for_executive_shows_every_opd_weighted_by_budget(development_data, personas):
    panel = development_panel(personas["executive"])
    assert panel["source"] == "emonev"
    assert panel["fiscal_year"] == 2026
    assert panel["as_of_month"] == "2026-03"
    assert panel["budget_total"] == 16_000_000_000
    rows = {row["agency_code"]: row for row in panel["by_agency"]}
    assert set(rows) == {"dinkes", "pupr", "dishub"}
    assert rows["dinkes"] == DINKES_ROW
    assert rows["pupr"]["status"] == "terlambat" and rows["pupr"]["deviation_physical"] == -7.0
    assert rows["dishub"]["status"] == "waspada" and rows["dishub"]["deviation_physical"] == -3.0


def test_panel_for_opd_officer_shows_only_their_opd(development_data, personas):
    panel = development_panel(personas["opd_officer"])
    assert panel["by_agency"] == [DINKES_ROW]
    assert panel["budget_total"] == 4_000_000_000
    assert panel["as_of_month"] == "2026-03"
    assert panel == development_panel_for_scope(personas["opd_officer"].profile.agency_id)


@pytest.mark.parametrize("persona", ["operator", "administrator", "executive"])
def test_unscoped_roles_see_the_unscoped_panel(development_data, personas, persona):
    assert development_panel(personas[persona]) == development_panel_for_scope(None)


def test_panel_refuses_outsider_and_anonymous(development_data, personas):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        development_panel(personas["outsider"])
    with pytest.raises(PermissionDenied):
        development_panel(AnonymousUser())


def test_opd_officer_without_opd_sees_nothing(development_data, personas):
    officer = personas["opd_officer"]
    officer.profile.agency = None
    officer.profile.save()
    officer.refresh_from_db()
    panel = development_panel(officer)
    assert panel["by_agency"] == [] and panel["budget_total"] == 0


def test_empty_panel_has_no_month(reference_data, personas):
    panel = development_panel(personas["executive"])
    assert panel["as_of_month"] is None and panel["by_agency"] == [] and panel["budget_total"] == 0


def test_project_list_is_worst_first_and_scoped(development_data, personas):
    listing = development_projects(personas["executive"])
    refs = [row["source_ref"] for row in listing["projects"]]
    assert refs == ["DK-2", "PU-1", "DH-1", "DK-1"]
    worst = listing["projects"][0]
    assert worst["status"] == "kritis" and worst["deviation_physical"] == -12.0 and worst["agency_code"] == "dinkes"
    located = next(row for row in listing["projects"] if row["source_ref"] == "DK-1")
    assert located["kelurahan_code"] == "36.71.09.1001"
    assert [row["source_ref"] for row in development_projects(personas["opd_officer"])["projects"]] == ["DK-2", "DK-1"]
    assert development_projects(personas["opd_officer"], agency_code="pupr")["projects"] == []
    assert [row["source_ref"] for row in development_projects(personas["executive"], status="terlambat")["projects"]] == ["PU-1"]


def test_project_curve_has_every_month_and_is_scoped(development_data, personas):
    dinkes = Project.objects.get(source_ref="DK-2")
    pupr = Project.objects.get(source_ref="PU-1")
    curve = project_curve(personas["opd_officer"], dinkes.id)
    assert [month["month"] for month in curve["months"]] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert curve["months"][2] == {
        "month": "2026-03",
        "planned_physical": 40.0,
        "realised_physical": 28.0,
        "planned_financial": 35.0,
        "realised_financial": 23.0,
        "deviation_physical": -12.0,
        "status": "kritis",
    }
    assert curve["months"][3]["realised_physical"] is None and curve["months"][3]["status"] is None
    with pytest.raises(Http404):
        project_curve(personas["opd_officer"], pupr.id)
    assert project_curve(personas["executive"], pupr.id)["agency_code"] == "pupr"


def test_sync_rejects_unknown_opd_and_keeps_data(development_data, emonev_source):
    before = list(ProgressMonth.objects.values_list("project__source_ref", "month", "realised_physical"))
    changed = record("DK-1", "dinkes", 3_000_000_000, [(10, 10), (20, 22), (40, 45), (60, None)])
    bad = record("XX-1", "dinas-rahasia", 1, [(0, 0)])
    with pytest.raises(DevelopmentDataError, match="unknown OPD code 'dinas-rahasia'"):
        do_sync_development(emonev_source, [changed, bad])
    assert list(ProgressMonth.objects.values_list("project__source_ref", "month", "realised_physical")) == before


def test_sync_reports_whether_anything_changed(development_data, emonev_source):
    assert do_sync_development(emonev_source, PROJECTS) is False
    changed = [record("DK-1", "dinkes", 3_000_000_000, [(10, 10), (20, 22), (40, 45), (60, None)]), *PROJECTS[1:]]
    assert do_sync_development(emonev_source, changed) is True
    assert Project.objects.get(source_ref="DK-1").progress.get(month__month=3).realised_physical == 45


def test_projects_as_of_gives_every_opds_or_some_opds_projects_without_a_user(development_data):
    from komando.agencies.models import Agency

    fiscal_year, as_of = reporting_period()
    every = {row["source_ref"]: row for row in projects_as_of(fiscal_year, as_of)}
    assert sorted(every) == ["DH-1", "DK-1", "DK-2", "PU-1"]
    assert (every["DK-2"]["status"], float(every["DK-2"]["deviation_physical"])) == ("kritis", -12.0)
    dinkes = Agency.objects.get(code="dinkes")
    assert sorted(row["source_ref"] for row in projects_as_of(fiscal_year, as_of, agency_id=dinkes.id)) == ["DK-1", "DK-2"]
    assert sorted(row["source_ref"] for row in projects_as_of(fiscal_year, as_of, agency_codes=["pupr", "dishub"])) == [
        "DH-1",
        "PU-1",
    ]
    assert projects_as_of(fiscal_year - 1, as_of) == []


def test_kritis_alerts_come_from_whoever_registered_them(monkeypatch, personas):
    from komando.alerts.selectors import open_kritis_project_alerts
    from komando.development import selectors

    assert selectors._kritis_alert_listers == [open_kritis_project_alerts]  # the alerts app, when it was ready
    listed = [
        {"kind": "project_kritis", "agency": "Dinkes", "url": "/pembangunan/proyek/7/"},
        {"kind": "project_kritis", "agency": "PUPR", "url": "/pembangunan/proyek/8/"},
    ]
    monkeypatch.setattr(selectors, "_kritis_alert_listers", [])
    assert open_kritis_alerts(personas["executive"]) == []
    selectors.register_kritis_alerts(lambda user: listed)
    assert open_kritis_alerts(personas["executive"], agency="PUPR") == [listed[1]]
    assert open_kritis_alerts(personas["executive"], project_id=7) == [listed[0]]
