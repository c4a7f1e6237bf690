"""Sensors as incidents: water-level gauges over their siaga level, and ATCS intersections jammed.

Gauges. A gauge keeps only its latest level (``level_m`` in its asset's attributes; the banjir
connector and the MQTT ingest both write it, newest wins). Its writers return each level they
replaced as the gauge's attributes before and after (``GaugeLevelChange``, read under the gauge's
row lock), and the hook compares the two after the writer's commit: a level rising to the
mapping's ``opens_at`` (siaga 3 in Tangerang) from below it starts an episode and opens one
incident (channel ``sensor``, ``source_ref`` = gauge id + the episode's first reading). Readings
that stay above belong to the same episode and open nothing; a reading back below ends it, so a
later rise is a new episode and a new incident.

Traffic. Every ATCS interval is kept (``TrafficObservation``), so an episode is read from the
history after commit: the intervals of one camera back from its newest, while they are in
``opens_at`` or ``continues_at`` with no gap over ``max_gap_minutes``; the episode starts at the
first ``opens_at`` interval of that run and opens one incident (channel ``atcs``, ``source_ref`` =
camera id + that interval). A jam already over by the newest interval opens nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _

from komando.assets.models import Asset
from komando.core.clock import city_zone, zone_label
from komando.fieldops.actions import GaugeLevelChange
from komando.fieldops.flood import parse_observed_at, severity, siaga_status
from komando.incidents.bridges.common import (
    Skipped,
    after_commit,
    already_reported,
    bridge_record,
    in_city_language,
    report_at_place,
)
from komando.incidents.bridges.mapping import load_mapping
from komando.incidents.choices import Channel
from komando.incidents.models import Incident
from komando.metrics.models import CongestionLevel, TrafficObservation
from komando.sources.registry import panel_source

SIAGA_LABELS = {"siaga_3": "Siaga 3 (waspada)", "siaga_2": "Siaga 2 (siaga)", "siaga_1": "Siaga 1 (awas)"}
HISTORY_LIMIT = 500  # intervals read back to find where a congestion episode began (~40 h of 5 minutes)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def episode_ref(asset_ref: str, started_at: datetime) -> str:
    """``source_ref`` of an episode: the sensor's id and the time of the episode's first reading."""
    return f"{asset_ref}@{_stamp(started_at)}"[:100]


# --- Gauges -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GaugeCrossing:
    """A gauge's level rose to the opening level: the first reading of an episode."""

    gauge_id: int
    gauge_ref: str
    level_m: float
    observed_at: datetime
    status: str  # the siaga level reached (siaga_3, siaga_2 or siaga_1)
    threshold_m: float | None  # the opening level's threshold


def crossing(change: GaugeLevelChange) -> GaugeCrossing | None:
    """The crossing between a gauge's stored attributes before and after a new level, if any: the
    new level is at or over the opening level and the previous one (if any) was below it. Both are
    graded with the thresholds ``after`` holds (a registry change of thresholds is not a rise)."""
    before, after = change.before, change.after
    if "level_m" not in after or after.get("level_observed_at") == before.get("level_observed_at"):
        return None
    opens_at = load_mapping().gauges.opens_at
    status = siaga_status(after, after["level_m"])
    if severity(status) < severity(opens_at):
        return None
    if "level_m" in before and severity(siaga_status(after, before["level_m"])) >= severity(opens_at):
        return None  # it was over already: the same episode
    observed_at = parse_observed_at(after.get("level_observed_at"))
    if observed_at is None:
        return None
    return GaugeCrossing(
        gauge_id=change.gauge_id,
        gauge_ref=change.gauge_ref,
        level_m=float(after["level_m"]),
        observed_at=observed_at,
        status=status,
        threshold_m=_number(after.get(f"{opens_at}_m")),
    )


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def incident_from_gauge_crossing(event: GaugeCrossing) -> Incident | None:
    """The incident of a gauge's episode over its opening level (one per episode)."""
    source_ref = episode_ref(event.gauge_ref, event.observed_at)
    existing = already_reported(Channel.SENSOR, source_ref)
    if existing is not None:
        return existing
    gauge = Asset.objects.select_related("region").filter(pk=event.gauge_id).first()
    if gauge is None:
        raise Skipped("the gauge is no longer registered")
    mapping = load_mapping().gauges
    river = gauge.attributes.get("river") or ""
    local = event.observed_at.astimezone(city_zone())
    threshold = f"{event.threshold_m:.2f} m" if event.threshold_m is not None else "–"
    description = in_city_language(
        lambda: (
            _(
                "Water level at gauge %(gauge)s%(river)s is %(level).2f m at %(time)s %(zone)s: %(status)s "
                "(threshold %(threshold)s)."
            )
            % {
                "gauge": gauge.name,
                "river": f" ({river})" if river else "",
                "level": event.level_m,
                "time": f"{local:%d-%m-%Y %H:%M}",
                "zone": zone_label(),
                "status": SIAGA_LABELS.get(event.status, event.status),
                "threshold": threshold,
            }
        )
    )
    title = in_city_language(
        lambda: _("%(status)s at %(gauge)s") % {"status": SIAGA_LABELS.get(event.status, event.status), "gauge": gauge.name}
    )
    return report_at_place(
        Channel.SENSOR,
        lat=gauge.lat,
        lon=gauge.lon,
        kelurahan=gauge.region,
        what=_gauge_what(event),
        source_ref=source_ref,
        category_code=mapping.category,
        priority=mapping.priority.get(event.status),
        description=description,
        title=title[:200],
        reported_at=event.observed_at,
        attributes={
            "sensor": "gauge",
            "gauge": event.gauge_ref,
            "level_m": event.level_m,
            "siaga": event.status,
            "threshold_m": event.threshold_m,
            "episode_started_at": event.observed_at.isoformat(),
        },
    )


def _gauge_what(event: GaugeCrossing) -> str:
    return f"gauge {event.gauge_ref} (#{event.gauge_id}) at {event.observed_at.isoformat()}"


def open_episodes(crossings: list[GaugeCrossing]) -> list[Incident]:
    """Open the incidents of these crossings (after the writer committed)."""
    incidents = [bridge_record(incident_from_gauge_crossing, event, _gauge_what(event)) for event in crossings]
    return [incident for incident in incidents if incident is not None]


def _watched(what: str, compute):
    """``compute()``, or nothing when it fails: watching a feed must never break it."""
    return bridge_record(lambda _none: compute(), None, what) or []


def gauge_levels_stored(changes: Iterable[GaugeLevelChange]) -> None:
    """Hook of the gauge writers (``do_record_flood``, ``do_record_gauge_level``), with the levels they
    replaced: a rise to the opening level opens an incident, after the writer's commit."""
    changes = list(changes)
    crossings = _watched(
        f"gauge levels of {', '.join(change.gauge_ref for change in changes)}",
        lambda: [event for event in map(crossing, changes) if event is not None],
    )
    if crossings:
        after_commit(lambda: open_episodes(crossings))


# --- ATCS congestion ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CongestionEpisode:
    camera_id: int
    camera_ref: str
    started_at: datetime  # end of the episode's first jammed interval
    first: TrafficObservation  # that interval
    latest: TrafficObservation  # the newest interval of the episode


def current_episode(camera: Asset) -> CongestionEpisode | None:
    """The congestion episode a camera is in at its newest interval, or None (not jammed now, or
    only in ``continues_at`` without any ``opens_at`` interval since it was last clear)."""
    mapping = load_mapping().atcs
    jammed = mapping.opens_at | mapping.continues_at
    gap = timedelta(minutes=mapping.max_gap_minutes)
    history = list(TrafficObservation.objects.filter(camera=camera).order_by("-observed_at")[:HISTORY_LIMIT])
    if not history or history[0].congestion not in jammed:
        return None
    first = None
    later = None
    for observation in history:
        if observation.congestion not in jammed:
            break
        if later is not None and later.observed_at - observation.observed_at > gap:
            break
        if observation.congestion in mapping.opens_at:
            first = observation
        later = observation
    if first is None:
        return None
    return CongestionEpisode(
        camera_id=camera.pk, camera_ref=camera.source_ref, started_at=first.observed_at, first=first, latest=history[0]
    )


def incident_from_congestion(camera: Asset) -> Incident | None:
    """The incident of the congestion episode a camera is in now (one per episode), or None."""
    episode = current_episode(camera)
    if episode is None:
        return None
    source_ref = episode_ref(camera.source_ref, episode.started_at)
    existing = already_reported(Channel.ATCS, source_ref)
    if existing is not None:
        return existing
    mapping = load_mapping().atcs
    first = episode.first
    label = CongestionLevel(first.congestion).label if first.congestion in CongestionLevel.values else first.congestion
    local = first.observed_at.astimezone(city_zone())

    def speed() -> str:
        if first.average_speed_kmh is None:
            return "–"
        return _("%(speed).0f km/h") % {"speed": first.average_speed_kmh}

    description = in_city_language(
        lambda: (
            _(
                "ATCS: traffic at %(camera)s is %(level)s since %(time)s %(zone)s (%(vehicles)s vehicles in %(minutes)s "
                "minutes, average speed %(speed)s)."
            )
            % {
                "camera": camera.name,
                "level": str(label).lower(),
                "time": f"{local:%d-%m-%Y %H:%M}",
                "zone": zone_label(),
                "vehicles": first.vehicles,
                "minutes": first.interval_minutes,
                "speed": speed(),
            }
        )
    )
    title = in_city_language(lambda: _("Congestion at %(camera)s") % {"camera": camera.name})
    return report_at_place(
        Channel.ATCS,
        lat=camera.lat,
        lon=camera.lon,
        kelurahan=camera.region,
        what=_camera_what(camera),
        source_ref=source_ref,
        category_code=mapping.category,
        priority=mapping.priority,
        description=description,
        title=title[:200],
        reported_at=episode.started_at,
        attributes={
            "sensor": panel_source("traffic"),
            "camera": camera.source_ref,
            "congestion": first.congestion,
            "vehicles": first.vehicles,
            "average_speed_kmh": first.average_speed_kmh,
            "episode_started_at": episode.started_at.isoformat(),
        },
    )


def _camera_what(camera: Asset) -> str:
    return f"ATCS camera {camera.source_ref} (#{camera.pk})"


def bridge_cameras(camera_ids: Iterable[int]) -> list[Incident]:
    incidents = []
    for camera in Asset.objects.select_related("region").filter(pk__in=list(camera_ids)).order_by("pk"):
        incident = bridge_record(incident_from_congestion, camera, _camera_what(camera))
        if incident is not None:
            incidents.append(incident)
    return incidents


def traffic_observations_stored(observations: Iterable[TrafficObservation]) -> None:
    """Hook of ``do_record_traffic``: after commit, the cameras with new intervals that are in a
    congestion episode open its incident (once per episode)."""
    camera_ids = sorted({observation.camera_id for observation in observations})
    if camera_ids:
        after_commit(lambda: bridge_cameras(camera_ids))
