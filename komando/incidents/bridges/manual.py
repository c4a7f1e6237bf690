"""Operators and field officers report by hand through ``do_report_incident`` like every channel;
these two helpers only fix the channel and the person, so no caller picks the wrong one."""

from __future__ import annotations

from komando.incidents.actions import do_report_incident
from komando.incidents.choices import Channel


def report_by_operator(user, **report):
    """A report an operator takes (a phone call, a walk-in, a radio message): channel ``operator``,
    audited as the operator's. Same arguments and result as ``do_report_incident``."""
    report.setdefault("via", "ui")
    return do_report_incident(Channel.OPERATOR, acting_user=user, **report)


def report_from_field(user, **report):
    """A report a field officer makes on the spot: channel ``field``, audited as the officer's."""
    report.setdefault("via", "ui")
    return do_report_incident(Channel.FIELD, acting_user=user, **report)
