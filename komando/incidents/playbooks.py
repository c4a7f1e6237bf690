"""What a valid SOP playbook version holds. Pure: checks and normalises the content that
``do_edit_playbook`` and the seed loader store; raises ``InvalidPlaybook`` with the first problem."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from komando.incidents.choices import ESCALATION_ORDER, Priority
from komando.incidents.errors import InvalidPlaybook

UNITS = ("minutes", "hours", "working_days")
WALL_CLOCK_UNITS = frozenset({"minutes", "hours"})
STEP_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


def _rule(value, where: str, *, emergency: bool) -> dict:
    if not isinstance(value, Mapping):
        raise InvalidPlaybook(_("%(where)s must be an object with an amount and a unit."), where=where)
    amount, unit = value.get("amount"), value.get("unit")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise InvalidPlaybook(_("%(where)s: the amount must be a whole number, 0 or more."), where=where)
    if unit not in UNITS:
        raise InvalidPlaybook(_("%(where)s: the unit must be one of %(units)s."), where=where, units=list(UNITS))
    if emergency and unit not in WALL_CLOCK_UNITS:
        raise InvalidPlaybook(
            _("%(where)s: an emergency runs on the wall clock (minutes or hours), not on working days."), where=where
        )
    return {"amount": amount, "unit": unit}


def clean_steps(steps) -> list[dict]:
    if not isinstance(steps, list) or not steps:
        raise InvalidPlaybook(_("A playbook needs at least one checklist step."))
    cleaned, seen = [], set()
    for index, step in enumerate(steps, start=1):
        if not isinstance(step, Mapping):
            raise InvalidPlaybook(_("Checklist step %(n)s must be an object with key, title and mandatory."), n=index)
        key, title = str(step.get("key") or "").strip(), str(step.get("title") or "").strip()
        if not STEP_KEY.match(key):
            raise InvalidPlaybook(_("Checklist step %(n)s needs a key of lower-case letters, digits, - or _."), n=index)
        if key in seen:
            raise InvalidPlaybook(_("Checklist step key %(key)s is used twice."), key=key)
        if not title:
            raise InvalidPlaybook(_("Checklist step %(key)s needs a title."), key=key)
        if not isinstance(step.get("mandatory", False), bool):
            raise InvalidPlaybook(_("Checklist step %(key)s: mandatory must be true or false."), key=key)
        seen.add(key)
        cleaned.append({"key": key, "title": title[:200], "mandatory": step.get("mandatory", False)})
    return cleaned


def clean_sla(sla, what: str, *, emergency: bool) -> dict:
    if not isinstance(sla, Mapping):
        raise InvalidPlaybook(_("The %(what)s SLA must be an object keyed by priority."), what=what)
    missing = [p for p in Priority.values if p not in sla]
    unknown = sorted(set(sla) - set(Priority.values))
    if missing or unknown:
        raise InvalidPlaybook(
            _("The %(what)s SLA needs exactly the priorities %(priorities)s."), what=what, priorities=list(Priority.values)
        )
    return {p: _rule(sla[p], f"{what} SLA {p}", emergency=emergency) for p in Priority.values}


def clean_escalation(ladder, *, emergency: bool) -> list[dict]:
    if not isinstance(ladder, list) or not ladder:
        raise InvalidPlaybook(_("A playbook needs an escalation ladder of at least one rung."))
    cleaned, last = [], -1
    for index, rung in enumerate(ladder, start=1):
        role = rung.get("role") if isinstance(rung, Mapping) else None
        if role not in ESCALATION_ORDER:
            raise InvalidPlaybook(_("Escalation rung %(n)s: the role must be one of %(roles)s."), n=index, roles=ESCALATION_ORDER)
        if ESCALATION_ORDER.index(role) <= last:
            raise InvalidPlaybook(_("The escalation ladder must go up: %(role)s cannot follow a higher rung."), role=role)
        last = ESCALATION_ORDER.index(role)
        cleaned.append({"role": role, "after": _rule(rung.get("after"), f"escalation {role}", emergency=emergency)})
    return cleaned


def clean_content(*, steps, sla, respond_sla, escalation, regulation, emergency: bool) -> dict:
    """The content of a playbook version, checked and normalised."""
    regulation = str(regulation or "").strip()
    if not regulation:
        raise InvalidPlaybook(_("A playbook names the regulation it follows (e.g. a Perwal)."))
    if len(regulation) > 300:
        raise InvalidPlaybook(_("The regulation reference is longer than 300 characters."))
    return {
        "steps": clean_steps(steps),
        "sla": clean_sla(sla, "resolve", emergency=emergency),
        "respond_sla": clean_sla(respond_sla, "respond", emergency=emergency),
        "escalation": clean_escalation(escalation, emergency=emergency),
        "regulation": regulation,
    }
