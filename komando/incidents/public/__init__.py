"""Residents' pages: the public report form ``/lapor/`` and the tracking page ``/lapor/lacak/<ticket>/``.

Reports enter through ``komando.incidents.actions.do_report_incident`` (channel ``web``); the
tracking page reads ``komando.incidents.selectors`` and shows no personal data."""
