"""Video wall configuration: a layout (one wall) and its screens, each a grid of panels.

A ``WallLayout`` divides every screen into ``columns`` × ``rows`` cells; its screens sit
``screens_across`` side by side when the whole wall is one large canvas (``/dinding/<layout>/``).
A ``WallScreen`` holds one or more *panel sets*; with more than one, the screen shows them in turn,
each for the layout's ``rotation_seconds``. A panel set is a list of placements::

    [{"panel": "map", "col": 1, "row": 1, "width": 6, "height": 6}, ...]

(``col``/``row`` 1-based). ``clean()`` refuses unknown panels, cells outside the grid and
overlapping panels with a message that names them. Changes go through ``komando.wall.actions``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from komando.wall.panels import PANELS

MAX_CELLS = 24
MIN_ROTATION_SECONDS = 10
PLACEMENT_KEYS = {"panel", "col", "row", "width", "height"}


class WallLayout(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, help_text=_("Part of the address /dinding/<slug>/"))
    columns = models.PositiveSmallIntegerField(
        _("grid columns"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CELLS)],
        help_text=_("Columns of the grid of each screen"),
    )
    rows = models.PositiveSmallIntegerField(
        _("grid rows"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CELLS)],
        help_text=_("Rows of the grid of each screen"),
    )
    screens_across = models.PositiveSmallIntegerField(
        _("screens across"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
        help_text=_("How many screens stand side by side when the whole wall is one canvas"),
    )
    rotation_seconds = models.PositiveIntegerField(
        _("rotation interval (seconds)"),
        default=30,
        help_text=_("How long a screen with several panel sets shows each (at least 10 seconds)"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("wall layout")
        verbose_name_plural = _("wall layouts")

    def __str__(self):
        return self.name

    def clean(self):
        if self.rotation_seconds is not None and self.rotation_seconds < MIN_ROTATION_SECONDS:
            raise ValidationError(
                {"rotation_seconds": gettext("Rotate every %(n)s seconds or more.") % {"n": MIN_ROTATION_SECONDS}}
            )

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "slug": self.slug,
            "columns": self.columns,
            "rows": self.rows,
            "screens_across": self.screens_across,
            "rotation_seconds": self.rotation_seconds,
        }


def placement_errors(panel_sets, columns: int, rows: int) -> list[str]:
    """Every problem of a screen's panel sets on a ``columns`` × ``rows`` grid, in words (empty: fine)."""
    if not isinstance(panel_sets, list) or not panel_sets:
        return [gettext("A screen needs at least one panel set (a list of panels).")]
    errors: list[str] = []
    for set_number, placements in enumerate(panel_sets, start=1):
        if not isinstance(placements, list) or not placements:
            errors.append(gettext("Panel set %(set)s: it needs at least one panel.") % {"set": set_number})
            continue
        taken: dict[tuple[int, int], str] = {}
        for placement in placements:
            if not isinstance(placement, dict) or set(placement) != PLACEMENT_KEYS:
                errors.append(
                    gettext("Panel set %(set)s: each panel is {panel, col, row, width, height}; got %(got)s.")
                    % {"set": set_number, "got": placement}
                )
                continue
            name = placement["panel"]
            if name not in PANELS:
                errors.append(
                    gettext("Panel set %(set)s: unknown panel %(panel)r (known: %(known)s).")
                    % {"set": set_number, "panel": name, "known": ", ".join(PANELS)}
                )
                continue
            numbers = [placement[key] for key in ("col", "row", "width", "height")]
            if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in numbers):
                errors.append(
                    gettext("Panel set %(set)s: %(panel)s needs whole numbers of at least 1 for col, row, width and height.")
                    % {"set": set_number, "panel": name}
                )
                continue
            col, row, width, height = numbers
            if col + width - 1 > columns or row + height - 1 > rows:
                errors.append(
                    gettext(
                        "Panel set %(set)s: %(panel)s (columns %(c1)s–%(c2)s, rows %(r1)s–%(r2)s) lies "
                        "outside the %(columns)s × %(rows)s grid."
                    )
                    % {
                        "set": set_number,
                        "panel": name,
                        "c1": col,
                        "c2": col + width - 1,
                        "r1": row,
                        "r2": row + height - 1,
                        "columns": columns,
                        "rows": rows,
                    }
                )
                continue
            for c in range(col, col + width):
                for r in range(row, row + height):
                    other = taken.get((c, r))
                    if other is not None:
                        errors.append(
                            gettext("Panel set %(set)s: %(panel)s overlaps %(other)s at column %(col)s, row %(row)s.")
                            % {"set": set_number, "panel": name, "other": other, "col": c, "row": r}
                        )
                        break
                    taken[(c, r)] = name
                else:
                    continue
                break
    return errors


class WallScreen(models.Model):
    layout = models.ForeignKey(WallLayout, on_delete=models.CASCADE, related_name="screens", verbose_name=_("layout"))
    number = models.PositiveSmallIntegerField(
        _("screen number"), validators=[MinValueValidator(1)], help_text=_("Part of the address /dinding/<layout>/<number>/")
    )
    panel_sets = models.JSONField(
        _("panel sets"),
        default=list,
        help_text=_('A list of panel sets; each a list of {"panel", "col", "row", "width", "height"}. Several sets rotate.'),
    )

    class Meta:
        ordering = ["layout", "number"]
        constraints = [models.UniqueConstraint(fields=["layout", "number"], name="wall_screen_unique_number")]
        verbose_name = _("wall screen")
        verbose_name_plural = _("wall screens")

    def __str__(self):
        return f"{self.layout} – {self.number}"

    def clean(self):
        if self.layout_id is None:
            return
        errors = placement_errors(self.panel_sets, self.layout.columns, self.layout.rows)
        if errors:
            raise ValidationError({"panel_sets": errors})

    def panel_keys(self) -> set[str]:
        return {placement["panel"] for placements in self.panel_sets for placement in placements}

    def as_dict(self) -> dict:
        return {"number": self.number, "panel_sets": self.panel_sets}
