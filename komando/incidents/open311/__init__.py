"""Komando's own Open311 GeoReport v2 endpoint (``/open311/v2/``), for FixMyStreet and any other
GeoReport v2 client.

- ``views``: parse, authorise, call one action (``do_report_incident``) or selector, render.
- ``validation``: pure parsing of POST bodies (form-encoded or JSON) and GET filters into typed
  values; every problem is an ``Open311Error`` with the HTTP status the spec asks for.
- ``services``: the service list and service definitions (categories + the city's
  ``open311_services.json`` attribute definitions).
- ``requests``: incidents as GeoReport service requests (no personal data, ever).
- ``render``: XML (lxml, the mandatory format) and JSON, errors included.
- ``config``: API keys (settings ``KOMANDO_OPEN311_API_KEYS``, ``name=key`` pairs) and the
  jurisdiction id (the city's, from ``komando.core.city``).

A service request is an incident; its ``service_request_id`` is the incident's ticket number.
"""
