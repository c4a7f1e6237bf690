"""Wall configuration: panels on a grid, checked whole; every change audited; the seeded demo walls."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from komando.audit.models import AuditRecord
from komando.wall.actions import do_delete_wall_screen, do_save_wall_layout, do_save_wall_screen
from komando.wall.models import WallLayout, WallScreen, placement_errors
from komando.wall.panels import PANELS


def place(panel, col, row, width, height):
    return {"panel": panel, "col": col, "row": row, "width": width, "height": height}


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"  # requests choose their own language
    with translation.override("en"):
        yield


def test_a_grid_that_fits_has_no_errors():
    assert placement_errors([[place("map", 1, 1, 6, 4), place("clock", 7, 1, 2, 1)]], 8, 4) == []


def test_an_unknown_panel_is_named():
    errors = placement_errors([[place("weather", 1, 1, 2, 2)]], 4, 4)
    assert errors == ["Panel set 1: unknown panel 'weather' (known: " + ", ".join(PANELS) + ")."]


def test_overlapping_panels_name_both_and_the_cell():
    errors = placement_errors([[place("map", 1, 1, 3, 3)], [place("map", 1, 1, 2, 2), place("clock", 2, 2, 2, 1)]], 4, 4)
    assert errors == ["Panel set 2: clock overlaps map at column 2, row 2."]


def test_a_panel_outside_the_grid_is_refused():
    errors = placement_errors([[place("water", 3, 2, 3, 1)]], 4, 4)
    assert errors == ["Panel set 1: water (columns 3–5, rows 2–2) lies outside the 4 × 4 grid."]


@pytest.mark.parametrize(
    "panel_sets",
    [
        [],
        [[]],
        "map",
        [["map"]],
        [[place("map", 0, 1, 1, 1)]],
        [[{"panel": "map", "col": 1, "row": 1, "width": 1}]],
        [[place("map", 1, 1, True, 1)]],
    ],
)
def test_malformed_panel_sets_are_refused(panel_sets):
    assert placement_errors(panel_sets, 4, 4)


@pytest.mark.django_db
def test_a_bad_screen_is_refused_with_a_clear_error_and_nothing_is_stored(personas):
    layout = do_save_wall_layout(WallLayout(name="Uji", slug="uji", columns=4, rows=2), actor=personas["administrator"])
    with pytest.raises(ValidationError) as refused:
        do_save_wall_screen(
            WallScreen(layout=layout, number=1, panel_sets=[[place("map", 1, 1, 3, 2), place("incidents", 3, 1, 2, 1)]]),
            actor=personas["administrator"],
        )
    assert refused.value.message_dict["panel_sets"] == ["Panel set 1: incidents overlaps map at column 3, row 1."]
    assert not WallScreen.objects.filter(layout=layout).exists()
    assert not AuditRecord.objects.filter(action="wall.screen_created").exists()


@pytest.mark.django_db
def test_changes_are_audited_with_before_and_after(personas):
    admin = personas["administrator"]
    layout = do_save_wall_layout(WallLayout(name="Uji", slug="uji", columns=4, rows=2), actor=admin)
    screen = do_save_wall_screen(WallScreen(layout=layout, number=1, panel_sets=[[place("clock", 1, 1, 2, 1)]]), actor=admin)
    screen.panel_sets = [[place("clock", 1, 1, 2, 1), place("map", 3, 1, 2, 2)]]
    do_save_wall_screen(screen, actor=admin)
    changed = AuditRecord.objects.get(action="wall.screen_changed")
    assert changed.actor == admin and changed.channel == "admin"
    assert changed.before["panel_sets"] == [[place("clock", 1, 1, 2, 1)]]
    assert changed.after["panel_sets"][0][1]["panel"] == "map"
    screen_id = screen.pk
    do_delete_wall_screen(screen, actor=admin)
    assert AuditRecord.objects.filter(action="wall.screen_deleted", object_id=str(screen_id)).exists()
    assert AuditRecord.objects.filter(action="wall.layout_created", actor=admin).count() == 1


@pytest.mark.django_db
def test_a_grid_made_too_small_for_its_screens_is_refused(personas):
    admin = personas["administrator"]
    layout = do_save_wall_layout(WallLayout(name="Uji", slug="uji", columns=4, rows=2), actor=admin)
    do_save_wall_screen(WallScreen(layout=layout, number=1, panel_sets=[[place("map", 1, 1, 4, 2)]]), actor=admin)
    layout.columns = 3
    with pytest.raises(ValidationError) as refused:
        do_save_wall_layout(layout, actor=admin)
    assert "1: Panel set 1: map (columns 1–4, rows 1–2) lies outside the 3 × 2 grid." in refused.value.message_dict["columns"]
    assert WallLayout.objects.get(pk=layout.pk).columns == 4


@pytest.mark.django_db
def test_rotation_faster_than_ten_seconds_is_refused(personas):
    with pytest.raises(ValidationError) as refused:
        do_save_wall_layout(WallLayout(name="Cepat", slug="cepat", rotation_seconds=3), actor=personas["administrator"])
    assert refused.value.message_dict == {"rotation_seconds": ["Rotate every 10 seconds or more."]}
    assert not WallLayout.objects.filter(slug="cepat").exists()


@pytest.mark.django_db
def test_the_seeded_demo_walls_are_valid_and_show_every_panel():
    single = WallLayout.objects.get(slug="utama")
    (screen,) = single.screens.all()
    screen.full_clean()
    assert screen.panel_keys() == set(PANELS)
    four = WallLayout.objects.get(slug="empat-layar")
    screens = list(four.screens.order_by("number"))
    assert [s.number for s in screens] == [1, 2, 3, 4]
    for each in screens:
        each.full_clean()
    assert set().union(*(s.panel_keys() for s in screens)) == set(PANELS)
    assert len(screens[2].panel_sets) == 2  # the third screen rotates


@pytest.mark.django_db
def test_the_admin_saves_through_the_actions(client, personas):
    client.force_login(personas["administrator"])
    layout = WallLayout.objects.get(slug="utama")
    response = client.post(
        f"/admin/wall/wallscreen/{layout.screens.get().pk}/change/",
        {"layout": layout.pk, "number": 1, "panel_sets": '[[{"panel": "radar", "col": 1, "row": 1, "width": 1, "height": 1}]]'},
    )
    assert response.status_code == 200
    assert "unknown panel" in response.content.decode()
    assert not AuditRecord.objects.filter(action="wall.screen_changed").exists()
    response = client.post(
        f"/admin/wall/wallscreen/{layout.screens.get().pk}/change/",
        {"layout": layout.pk, "number": 1, "panel_sets": '[[{"panel": "clock", "col": 1, "row": 1, "width": 2, "height": 1}]]'},
    )
    assert response.status_code == 302
    assert AuditRecord.objects.get(action="wall.screen_changed").actor == personas["administrator"]
