"""Errors of incident response: one clear, translatable message each, and a stable ``code`` that the
API and Open311 layers can map to their own error formats.

``str(error)`` renders the message in the active language, so raise with lazy strings and let the
page or the API decide the language. Every action that raises one of these stores nothing.
"""

from __future__ import annotations


class IncidentError(ValueError):
    """Bad input or a refused change. ``message`` may hold ``%(name)s`` placeholders filled from
    ``params`` when rendered."""

    code = "invalid"

    def __init__(self, message, **params):
        self.message = message
        self.params = params
        super().__init__(message)

    def __str__(self) -> str:
        text = str(self.message)
        if not self.params:
            return text
        return text % {
            key: (", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value))
            for key, value in self.params.items()
        }


class InvalidReport(IncidentError):
    code = "invalid_report"


class UnknownCategory(IncidentError):
    code = "unknown_category"


class OutsideCity(IncidentError):
    code = "outside_city"


class TransitionNotAllowed(IncidentError):
    code = "transition_not_allowed"


class ReasonRequired(IncidentError):
    code = "reason_required"


class ChecklistIncomplete(IncidentError):
    code = "checklist_incomplete"


class HandoffError(IncidentError):
    code = "handoff"


class MergeNotAllowed(IncidentError):
    code = "merge_not_allowed"


class ChecklistError(IncidentError):
    code = "checklist"


class InvalidPlaybook(IncidentError):
    code = "invalid_playbook"
