"""The only writers of wall configuration: each change checked whole (``full_clean``), stored and
audited in one transaction."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from komando.audit.actions import record_audit, snapshot
from komando.wall.models import WallLayout, WallScreen, placement_errors


@transaction.atomic
def do_save_wall_layout(layout: WallLayout, *, actor, channel: str = "admin") -> WallLayout:
    """Store a new or changed layout. A grid made smaller than a screen's panels is refused, naming
    the screen, and nothing is stored."""
    before = snapshot(WallLayout.objects.get(pk=layout.pk)) if layout.pk else None
    layout.full_clean()
    if layout.pk:
        problems = []
        for screen in WallScreen.objects.filter(layout_id=layout.pk):
            problems += [
                f"{screen.number}: {error}" for error in placement_errors(screen.panel_sets, layout.columns, layout.rows)
            ]
        if problems:
            raise ValidationError({"columns": problems})
    layout.save()
    record_audit(
        actor=actor,
        channel=channel,
        action="wall.layout_created" if before is None else "wall.layout_changed",
        instance=layout,
        before=before,
        after=snapshot(layout),
    )
    return layout


@transaction.atomic
def do_save_wall_screen(screen: WallScreen, *, actor, channel: str = "admin") -> WallScreen:
    """Store a new or changed screen after checking its panels against the layout's grid."""
    before = snapshot(WallScreen.objects.get(pk=screen.pk)) if screen.pk else None
    screen.full_clean()
    screen.save()
    record_audit(
        actor=actor,
        channel=channel,
        action="wall.screen_created" if before is None else "wall.screen_changed",
        instance=screen,
        before=before,
        after=snapshot(screen),
    )
    return screen


@transaction.atomic
def do_delete_wall_screen(screen: WallScreen, *, actor, channel: str = "admin") -> None:
    before = snapshot(screen)
    record_audit(actor=actor, channel=channel, action="wall.screen_deleted", instance=screen, before=before)
    screen.delete()


@transaction.atomic
def do_delete_wall_layout(layout: WallLayout, *, actor, channel: str = "admin") -> None:
    before = snapshot(layout) | {"screens": [snapshot(s) for s in layout.screens.all()]}
    record_audit(actor=actor, channel=channel, action="wall.layout_deleted", instance=layout, before=before)
    layout.delete()
