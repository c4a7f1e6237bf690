"""The composition root: what a feed stored, once its transaction committed, reaches the layers above it.

The feeds (complaints, 112 calls, gauge levels, traffic intervals) are domain stores and import
nothing above them: their actions return what they stored. The processes that run them hand that
to ``komando.sources.reactions.feed_committed`` after the feed's commit (the ingest runner after a
connector's run, the MQTT ingest after a batch, the 112 webhook after a call), and the reaction
registered here at start-up (``install``, from ``RuntimeConfig.ready``) gives each kind of record
to its incident bridge (``komando.incidents.bridges``). A new feed that may open incidents adds one
line to ``after_feed_commit``.
"""

from __future__ import annotations

from komando.complaints.actions import StoreResult as ComplaintsStored
from komando.complaints.models import EmergencyCall
from komando.devices.actions import BatchResult as DeviceBatchStored
from komando.fieldops.actions import FloodStored, GaugeLevelChange
from komando.incidents import bridges as incident_bridges
from komando.metrics.actions.traffic import TrafficStored
from komando.sources.reactions import react_after_feed_commit


def after_feed_commit(source, stored) -> None:
    """Hand what a feed stored (the return value of its action) to the incident bridge of its kind.
    Call it after the feed's commit; the bridges never raise and never break the feed."""
    if isinstance(stored, ComplaintsStored):
        incident_bridges.complaints_stored(source, stored.source_refs)
    elif isinstance(stored, EmergencyCall):
        incident_bridges.emergency_call_stored(stored)
    elif isinstance(stored, FloodStored):
        if stored.level_changes:
            incident_bridges.gauge_levels_stored(stored.level_changes)
    elif isinstance(stored, GaugeLevelChange):
        incident_bridges.gauge_levels_stored([stored])
    elif isinstance(stored, DeviceBatchStored):
        if stored.gauge_levels:
            incident_bridges.gauge_levels_stored(stored.gauge_levels)
    elif isinstance(stored, TrafficStored):
        if stored.observations:
            incident_bridges.traffic_observations_stored(stored.observations)


def install() -> None:
    """Register the reactions with the feeds' runners (idempotent; at app-ready time)."""
    react_after_feed_commit(after_feed_commit)
