"""SOP playbooks: editing one (a new version each time) and loading the city's categories and
playbooks from its data folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from komando.agencies.models import Agency
from komando.incidents.actions.common import audit, is_person
from komando.incidents.choices import Priority
from komando.incidents.errors import InvalidPlaybook
from komando.incidents.models import Category, Playbook, PlaybookVersion
from komando.incidents.playbooks import clean_content

SEED_NOTE = "seed"
CONTENT_FIELDS = ("steps", "sla", "respond_sla", "escalation", "regulation")


def _agency(value) -> Agency:
    if isinstance(value, Agency):
        return value
    agency = Agency.objects.filter(code=str(value or "")).first()
    if agency is None:
        raise InvalidPlaybook(_("Unknown OPD %(code)s for a playbook."), code=repr(value))
    return agency


def _create_version(
    playbook: Playbook, number: int, agency: Agency, content: dict, *, acting_user, change_note: str
) -> PlaybookVersion:
    return PlaybookVersion.objects.create(
        playbook=playbook,
        number=number,
        agency=agency,
        change_note=change_note[:300],
        created_by=acting_user if is_person(acting_user) else None,
        **content,
    )


@transaction.atomic
def do_edit_playbook(
    playbook: Playbook,
    *,
    acting_user,
    agency: Agency | str | None = None,
    steps=None,
    sla=None,
    respond_sla=None,
    escalation=None,
    regulation: str | None = None,
    change_note: str = "",
    via: str = "ui",
) -> PlaybookVersion:
    """Create the next version of a playbook: what is not given is taken from the current version.
    Incidents keep the version they started under; new incidents get this one. Editing to the same
    content creates nothing and returns the current version. ``InvalidPlaybook`` for bad content."""
    playbook = Playbook.objects.select_for_update().select_related("category").get(pk=playbook.pk)
    current = playbook.current_version()
    if current is None:
        raise InvalidPlaybook(_("The playbook has no version to edit; load the seed first."))
    given = {"steps": steps, "sla": sla, "respond_sla": respond_sla, "escalation": escalation, "regulation": regulation}
    merged = {name: given[name] if given[name] is not None else getattr(current, name) for name in CONTENT_FIELDS}
    content = clean_content(**merged, emergency=playbook.category.emergency)
    new_agency = _agency(agency) if agency is not None else current.agency
    if new_agency.pk == current.agency_id and all(content[name] == getattr(current, name) for name in CONTENT_FIELDS):
        return current
    version = _create_version(
        playbook, current.number + 1, new_agency, content, acting_user=acting_user, change_note=change_note.strip() or ""
    )
    audit(acting_user, via=via, action="playbook.edit", incident=version, before=current.content(), after=version.content())
    return version


def _resolve_presets(entry: dict, presets: dict, code: str) -> dict:
    resolved = dict(entry)
    for field in ("sla", "respond_sla", "escalation", "steps"):
        value = resolved.get(field)
        if isinstance(value, str):
            if value not in presets.get(field, {}):
                raise InvalidPlaybook(
                    _("Playbook %(code)s names an unknown %(field)s preset %(name)s."), code=code, field=field, name=repr(value)
                )
            resolved[field] = presets[field][value]
    return resolved


def _load_categories(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {row["code"]: row for row in rows}
    done: dict[str, Category] = {}

    def load(code: str, trail: tuple = ()) -> Category:
        if code in done:
            return done[code]
        if code in trail:
            raise InvalidPlaybook(_("Category %(code)s is its own ancestor."), code=code)
        row = by_code[code]
        parent_code = (row.get("parent_code") or "").strip()
        if parent_code and parent_code not in by_code:
            raise InvalidPlaybook(_("Category %(code)s has an unknown parent %(parent)s."), code=code, parent=parent_code)
        parent = load(parent_code, (*trail, code)) if parent_code else None
        priority = row["default_priority"].strip()
        if priority not in Priority.values:
            raise InvalidPlaybook(
                _("Category %(code)s has an unknown default priority %(priority)s."), code=code, priority=priority
            )
        category, _created = Category.objects.update_or_create(
            code=code,
            defaults={
                "name": row["name"].strip(),
                "parent": parent,
                "default_priority": priority,
                "emergency": row["emergency"].strip().lower() in {"1", "true", "yes"},
                "active": (row.get("active") or "yes").strip().lower() in {"1", "true", "yes"},
                "sort_order": int(row.get("sort_order") or 0),
                "keywords": (row.get("keywords") or "").strip(),
                "description": (row.get("description") or "").strip(),
            },
        )
        done[code] = category
        return category

    for code in by_code:
        load(code)
    return len(rows)


def _load_playbooks(path: Path) -> dict[str, int]:
    data = json.loads(path.read_text(encoding="utf-8"))
    presets, entries = data.get("presets", {}), data.get("playbooks", {})
    categories = {c.code: c for c in Category.objects.all()}
    missing = sorted(code for code, category in categories.items() if category.active and code not in entries)
    if missing:
        raise InvalidPlaybook(_("Every category needs a playbook; missing: %(codes)s."), codes=missing)
    unknown = sorted(set(entries) - set(categories))
    if unknown:
        raise InvalidPlaybook(_("Playbooks for unknown categories: %(codes)s."), codes=unknown)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for code, raw in entries.items():
        category = categories[code]
        entry = _resolve_presets(raw, presets, code)
        content = clean_content(
            steps=entry.get("steps"),
            sla=entry.get("sla"),
            respond_sla=entry.get("respond_sla"),
            escalation=entry.get("escalation"),
            regulation=entry.get("regulation"),
            emergency=category.emergency,
        )
        agency = _agency(entry.get("agency"))
        playbook, _created = Playbook.objects.get_or_create(category=category)
        current = playbook.current_version()
        if current is None:
            _create_version(playbook, 1, agency, content, acting_user=None, change_note=SEED_NOTE)
            counts["created"] += 1
        elif (
            current.created_by_id is None
            and current.change_note == SEED_NOTE
            and (current.agency_id != agency.pk or any(content[n] != getattr(current, n) for n in CONTENT_FIELDS))
        ):
            # A newer seed replaces an older seed; a version someone edited is never overridden.
            _create_version(playbook, current.number + 1, agency, content, acting_user=None, change_note=SEED_NOTE)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


@transaction.atomic
def do_load_incident_reference_data(city_dir: Path) -> dict[str, int]:
    """Load ``incident_categories.csv`` and ``playbooks.json`` of a city (idempotent: loading the same
    files again changes nothing). Every active category must have a playbook. Returns counts."""
    city_dir = Path(city_dir)
    categories = _load_categories(city_dir / "incident_categories.csv")
    playbooks = _load_playbooks(city_dir / "playbooks.json")
    return {"categories": categories, **{f"playbooks_{key}": value for key, value in playbooks.items()}}
