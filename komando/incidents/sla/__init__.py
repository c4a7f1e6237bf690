"""The SLA clock of incidents: working-day calendar, deadlines, presets and the escalation worker.

Public API: ``deadlines.deadline_for``, ``calendar.is_working_day`` / ``add_working_days`` /
``working_days_between``, ``presets.LAPOR_PRESET``.
"""
