"""The only writers of incidents. Each action is one transaction: the change, its timeline row, an
audit record when a person made it, and an ``incidents.changed`` event to staff screens on commit."""

from komando.incidents.actions.handoffs import do_acknowledge_handoff, do_hand_off_incident
from komando.incidents.actions.intake import do_report_incident
from komando.incidents.actions.merge import do_merge_incidents
from komando.incidents.actions.playbooks import do_edit_playbook, do_load_incident_reference_data
from komando.incidents.actions.status import (
    do_comment_incident,
    do_complete_checklist_step,
    do_escalate_incident,
    do_escalate_overdue_incident,
    do_set_incident_priority,
    do_transition_incident,
)

__all__ = [
    "do_acknowledge_handoff",
    "do_comment_incident",
    "do_complete_checklist_step",
    "do_edit_playbook",
    "do_escalate_incident",
    "do_escalate_overdue_incident",
    "do_hand_off_incident",
    "do_load_incident_reference_data",
    "do_merge_incidents",
    "do_report_incident",
    "do_set_incident_priority",
    "do_transition_incident",
]
