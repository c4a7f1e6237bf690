"""The demo's walls: "utama", one 1920×1080 screen with every panel, and "empat-layar", four
screens (2 × 2) whose third screen rotates between the camera grid and the water levels."""

from django.db import migrations


def place(panel, col, row, width, height):
    return {"panel": panel, "col": col, "row": row, "width": width, "height": height}


SINGLE = [[
    place("map", 1, 1, 6, 6), place("cameras", 7, 1, 3, 3), place("clock", 10, 1, 3, 1),
    place("incidents", 10, 2, 3, 2), place("water", 7, 4, 3, 3), place("complaints", 10, 4, 3, 3),
    place("development", 1, 7, 4, 2), place("alerts", 5, 7, 4, 2), place("sources", 9, 7, 4, 2),
]]
FOUR = {
    1: [[place("map", 1, 1, 6, 4)]],
    2: [[place("clock", 1, 1, 3, 1), place("incidents", 1, 2, 3, 3), place("alerts", 4, 1, 3, 2),
         place("sources", 4, 3, 3, 2)]],
    3: [[place("cameras", 1, 1, 6, 4)], [place("water", 1, 1, 6, 4)]],
    4: [[place("water", 1, 1, 3, 2), place("complaints", 4, 1, 3, 2), place("development", 1, 3, 6, 2)]],
}


def create(apps, schema_editor):
    WallLayout = apps.get_model("wall", "WallLayout")
    WallScreen = apps.get_model("wall", "WallScreen")
    if not WallLayout.objects.filter(slug="utama").exists():
        single = WallLayout.objects.create(name="Dinding utama (satu layar)", slug="utama", columns=12, rows=8,
                                           screens_across=1, rotation_seconds=30)
        WallScreen.objects.create(layout=single, number=1, panel_sets=SINGLE)
    if not WallLayout.objects.filter(slug="empat-layar").exists():
        four = WallLayout.objects.create(name="Dinding empat layar (2 × 2)", slug="empat-layar", columns=6, rows=4,
                                         screens_across=2, rotation_seconds=30)
        for number, panel_sets in FOUR.items():
            WallScreen.objects.create(layout=four, number=number, panel_sets=panel_sets)


class Migration(migrations.Migration):
    dependencies = [("wall", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
