"""Channel bridges: every feed that stores something which may be an incident hands it here, and
the bridge reports it through the single intake, ``komando.incidents.actions.do_report_incident``.

One bridge per channel, each a function from the stored source record to its incident (or None,
with the reason logged):

- ``complaints.incident_from_complaint``: LAKSA (Open311) and SP4N-LAPOR! complaints;
- ``complaints.incident_from_call``: Call Center 112 calls (never with the caller's contact);
- ``sensors.incident_from_gauge_crossing``: a water-level gauge rising to its siaga level, once per episode;
- ``sensors.incident_from_congestion``: an ATCS intersection jammed, once per episode;
- ``manual.report_by_operator`` / ``manual.report_from_field``: people, who report by hand.

How a channel's own codes become incident categories and priorities is the city's data, not code:
``channel_categories.json`` in the city's data folder (``mapping``). Adding a channel means a
bridge function here and one line in the composition root (``komando.runtime.composition``), which
hands a feed's stored records to the hooks below.

The feeds know nothing of incidents: their writers return what they stored, and the process that ran
them (the ingest runner, the MQTT ingest, the 112 webhook) passes it on after the feed's commit
(``komando.sources.reactions``); the composition root calls the hook of its kind. Bridges run after
that transaction commits, and never break the feed: a refused report (``IncidentError``) or any other
failure is logged with the record's id, and the feed's rows stay stored. Every bridge is idempotent
on (channel, source_ref), so a record stored again (a status change, a repeated delivery) finds its
incident and opens no second one. The hooks import the bridges lazily: a feed's module can import
this package without pulling in the incident actions.
"""

from __future__ import annotations

import functools
import logging

logger = logging.getLogger("komando.incidents.bridges")


def incidents_enabled() -> bool:
    """Whether this installation takes incidents at all: the city's incident categories are loaded
    (``komando load-reference-data``). Without them the intake refuses every report, so the hooks
    stay idle and add nothing to the feeds' transactions."""
    from komando.incidents.models import Category

    return Category.objects.filter(active=True).exists()


def _never_raises(hook):
    """A hook runs for a feed: whatever goes wrong in it is logged, never raised."""

    @functools.wraps(hook)
    def guarded(*args, **kwargs) -> None:
        try:
            if incidents_enabled():
                hook(*args, **kwargs)
        except Exception:
            logger.exception("incident bridge hook %s failed; the feed goes on", hook.__name__)

    return guarded


@_never_raises
def complaints_stored(source, refs) -> None:
    """``do_record_complaints`` stored (created or updated) these complaints of ``source``."""
    from komando.incidents.bridges.complaints import complaints_stored as hook

    hook(source, refs)


@_never_raises
def emergency_call_stored(call) -> None:
    """``do_record_emergency_call`` stored this call (or saw it again)."""
    from komando.incidents.bridges.complaints import emergency_call_stored as hook

    hook(call)


@_never_raises
def gauge_levels_stored(changes) -> None:
    """``do_record_flood`` or ``do_record_gauge_level`` replaced these gauge levels (``GaugeLevelChange``)."""
    from komando.incidents.bridges.sensors import gauge_levels_stored as hook

    hook(changes)


@_never_raises
def traffic_observations_stored(observations) -> None:
    """``do_record_traffic`` stored these new ``TrafficObservation`` rows."""
    from komando.incidents.bridges.sensors import traffic_observations_stored as hook

    hook(observations)
