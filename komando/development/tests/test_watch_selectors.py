"""The development watch's aggregates against numbers computed by hand (conftest.PROJECTS, as of
March 2026). Every aggregate is weighted by pagu: Σ(pagu × percent) ÷ Σ pagu.

At March (planned / realised physical; financial = physical − 5):
  DK-1 dinkes  3 bn  40 / 41   fin 35 / 36
  DK-2 dinkes  1 bn  40 / 28   fin 35 / 23   → −12 in period I: kritis
  PU-1 pupr   10 bn  50 / 43   fin 45 / 38   → −7: terlambat
  DH-1 dishub  2 bn  80 / 77   fin 75 / 72   → −3 in period II: waspada
"""

from datetime import date

import pytest
from django.http import Http404

from komando.development.actions import do_sync_development
from komando.development.models import Project
from komando.development.selectors import (
    absorption_ranking,
    development_watch,
    project_watch,
    rupiah_share,
    s_curve,
)
from komando.development.tests.conftest import record


def test_totals_are_weighted_by_budget(development_data, personas):
    totals = development_watch(personas["executive"])["totals"]
    assert totals["budget"] == 16_000_000_000 and totals["projects"] == 4
    # (3×40 + 1×40 + 10×50 + 2×80) / 16 = 820 / 16
    assert totals["planned_physical"] == 51.25
    # (3×41 + 1×28 + 10×43 + 2×77) / 16 = 735 / 16 = 45.9375
    assert totals["realised_physical"] == 45.94
    assert totals["deviation_physical"] == -5.31  # −5.3125
    # (3×35 + 1×35 + 10×45 + 2×75) / 16 = 740 / 16 ; (3×36 + 23 + 10×38 + 2×72) / 16 = 655 / 16
    assert totals["planned_financial"] == 46.25 and totals["realised_financial"] == 40.94
    assert totals["planned_rp"] == 7_400_000_000 and totals["realised_rp"] == 6_550_000_000
    assert totals["gap_rp"] == -850_000_000


def test_absorption_ranking_orders_opds_by_realised_financial_share(development_data, personas):
    ranking = development_watch(personas["executive"])["ranking"]
    assert [(row["rank"], row["agency_code"]) for row in ranking] == [(1, "dishub"), (2, "pupr"), (3, "dinkes")]
    dishub, pupr, dinkes = ranking
    assert (dishub["planned_financial"], dishub["realised_financial"]) == (75.0, 72.0)
    assert (dishub["planned_rp"], dishub["realised_rp"], dishub["gap_rp"]) == (1_500_000_000, 1_440_000_000, -60_000_000)
    assert (pupr["realised_financial"], pupr["realised_rp"], pupr["gap_financial"]) == (38.0, 3_800_000_000, -7.0)
    # Dinkes: (3×36 + 1×23) / 4 = 32.75 %; 3 bn × 36 % + 1 bn × 23 % = Rp 1.31 bn of Rp 1.4 bn planned.
    assert dinkes == {
        "agency_code": "dinkes",
        "agency": "Dinkes",
        "projects": 2,
        "budget": 4_000_000_000,
        "planned_financial": 35.0,
        "realised_financial": 32.75,
        "gap_financial": -2.25,
        "planned_rp": 1_400_000_000,
        "realised_rp": 1_310_000_000,
        "gap_rp": -90_000_000,
        "rank": 3,
    }


def test_ranking_ties_go_to_the_opd_closer_to_its_plan():
    rows = [
        {"agency_id": 1, "agency_code": "a", "agency": "A", "budget": 100, "planned_financial": 60, "realised_financial": 50},
        {"agency_id": 2, "agency_code": "b", "agency": "B", "budget": 100, "planned_financial": 50, "realised_financial": 50},
    ]
    assert [row["agency_code"] for row in absorption_ranking(rows)] == ["b", "a"]


def test_rupiah_share_rounds_half_up_to_whole_rupiah():
    assert rupiah_share(1_000_000_001, 50) == 500_000_001  # 500 000 000,5
    assert rupiah_share(3, 50) == 2
    assert rupiah_share(4_000_000_000, "32.75") == 1_310_000_000


def test_by_agency_rows_carry_rupiah_and_rank(development_data, personas):
    rows = {row["agency_code"]: row for row in development_watch(personas["executive"])["by_agency"]}
    assert rows["dinkes"]["planned_physical"] == 40.0 and rows["dinkes"]["realised_physical"] == 37.75
    assert rows["dinkes"]["realised_rp"] == 1_310_000_000 and rows["dinkes"]["rank"] == 3
    assert rows["dinkes"]["kritis_projects"] == 1


def test_projects_per_status(development_data, personas):
    watch = development_watch(personas["executive"])
    assert watch["status_counts"] == {"on_track": 1, "waspada": 1, "terlambat": 1, "kritis": 1}
    assert [row["source_ref"] for row in watch["projects"]] == ["DK-2", "PU-1", "DH-1", "DK-1"]
    kritis = watch["projects"][0]
    assert kritis["rule"] == {"period": 1, "limit": 10.0, "behind": 12.0, "critical": True}
    assert kritis["realised_rp"] == 230_000_000


def test_s_curve_by_month_weighted_by_budget(development_data, personas):
    curve = development_watch(personas["executive"])["s_curve"]
    assert curve == [
        # Jan: (3×10 + 10 + 10×10 + 2×30)/16 = 12.5; realised (30 + 8 + 100 + 60)/16 = 12.375
        {
            "month": "2026-01",
            "planned_physical": 12.5,
            "realised_physical": 12.38,
            "planned_financial": 7.5,
            "realised_financial": 7.38,
        },
        # Feb: 500/16 ; realised (66 + 15 + 250 + 116)/16 = 447/16 ; fin 420/16 and 367/16
        {
            "month": "2026-02",
            "planned_physical": 31.25,
            "realised_physical": 27.94,
            "planned_financial": 26.25,
            "realised_financial": 22.94,
        },
        {
            "month": "2026-03",
            "planned_physical": 51.25,
            "realised_physical": 45.94,
            "planned_financial": 46.25,
            "realised_financial": 40.94,
        },
        # Apr: planned only (1130/16 = 70.625; fin 1050/16 = 65.625), nothing realised after March.
        {
            "month": "2026-04",
            "planned_physical": 70.63,
            "realised_physical": None,
            "planned_financial": 65.63,
            "realised_financial": None,
        },
    ]


def test_s_curve_at_the_reporting_month_equals_the_totals(development_data, personas):
    watch = development_watch(personas["executive"])
    march = next(point for point in watch["s_curve"] if point["month"] == watch["as_of_month"])
    for key in ("planned_physical", "realised_physical", "planned_financial", "realised_financial"):
        assert march[key] == watch["totals"][key]


def test_opd_scope_of_every_aggregate(development_data, personas):
    officer = development_watch(personas["opd_officer"])
    assert [row["agency_code"] for row in officer["ranking"]] == ["dinkes"]
    assert officer["totals"]["budget"] == 4_000_000_000
    assert officer["status_counts"] == {"on_track": 1, "waspada": 0, "terlambat": 0, "kritis": 1}
    # Dinkes's March: planned (3×40 + 40)/4 = 40, realised (123 + 28)/4 = 37.75
    assert officer["s_curve"][2]["planned_physical"] == 40.0 and officer["s_curve"][2]["realised_physical"] == 37.75
    assert development_watch(personas["executive"], "dinkes")["totals"] == officer["totals"]
    with pytest.raises(Http404):
        development_watch(personas["opd_officer"], "pupr")
    with pytest.raises(Http404):
        development_watch(personas["executive"], "tidak-ada")


def test_missing_realisation_is_carried_forward(emonev_source, personas):
    do_sync_development(
        emonev_source,
        [
            # A (1 bn) skips February; B (3 bn) has not reported March.
            record("A", "dinkes", 1_000_000_000, [(10, 10), (20, None), (30, 30)]),
            record("B", "pupr", 3_000_000_000, [(10, 5), (20, 15), (40, None)]),
        ],
    )
    watch = development_watch(personas["executive"])
    assert watch["as_of_month"] == "2026-03"
    feb, mar = watch["s_curve"][1], watch["s_curve"][2]
    assert feb["realised_physical"] == 13.75  # (1×10 carried + 3×15) / 4
    assert mar["realised_physical"] == 18.75  # (1×30 + 3×15 carried) / 4
    assert mar["planned_physical"] == 37.5  # (1×30 + 3×40) / 4
    b = next(row for row in watch["projects"] if row["source_ref"] == "B")
    assert (b["planned_physical"], b["realised_physical"], b["deviation_physical"], b["status"]) == (40.0, 15.0, -25.0, "kritis")
    a = project_watch(personas["executive"], Project.objects.get(source_ref="A").id)
    february = a["months"][1]
    assert february["realised_physical"] == 10.0 and february["carried_forward"] is True
    # 10 points behind at 20 % planned: exactly the period-I limit, terlambat but not kritis.
    assert february["deviation_physical"] == -10.0 and february["status"] == "terlambat"
    assert february["rule"] == {"period": 1, "limit": 10.0, "behind": 10.0, "critical": False}
    assert a["months"][0]["carried_forward"] is False and a["current"]["month"] == "2026-03"
    b_detail = project_watch(personas["executive"], Project.objects.get(source_ref="B").id)
    assert b_detail["current"]["month"] == "2026-03" and b_detail["current"]["carried_forward"] is True
    assert b_detail["current"]["status"] == "kritis" and b_detail["current"]["rule"]["behind"] == 25.0


def test_project_watch_months_rupiah_and_location(development_data, personas):
    project = Project.objects.get(source_ref="DK-1")
    detail = project_watch(personas["opd_officer"], project.id)
    assert [month["month"] for month in detail["months"]] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert [month["deviation_physical"] for month in detail["months"]] == [0.0, 2.0, 1.0, None]
    assert [month["status"] for month in detail["months"]] == ["on_track", "on_track", "on_track", None]
    assert detail["current"]["month"] == "2026-03"
    assert detail["planned_rp"] == 1_050_000_000 and detail["realised_rp"] == 1_080_000_000  # 35 % and 36 % of 3 bn
    assert detail["kelurahan_code"] == "36.71.09.1001" and detail["kelurahan"] and detail["kecamatan"]
    with pytest.raises(Http404):
        project_watch(personas["opd_officer"], Project.objects.get(source_ref="PU-1").id)


def test_s_curve_of_nothing_is_empty(reference_data):
    assert s_curve([], date(2026, 3, 1)) == []


def test_an_opd_page_keeps_its_place_in_the_city_ranking(development_data, personas):
    pupr = development_watch(personas["executive"], "pupr")
    assert [(row["agency_code"], row["rank"]) for row in pupr["ranking"]] == [("pupr", 2)]
    assert pupr["ranked_opds"] == 3 and pupr["by_agency"][0]["rank"] == 2
    # An OPD officer is ranked among what they may see: their own OPD.
    officer = development_watch(personas["opd_officer"], "dinkes")
    assert [(row["agency_code"], row["rank"]) for row in officer["ranking"]] == [("dinkes", 1)]
    assert officer["ranked_opds"] == 1
