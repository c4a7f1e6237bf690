"""What every bridge does: run after the feed's transaction commits, never break the feed, place the
report (its point, else its kelurahan's centroid), write generated text in the city's language, and
log why a record became no incident."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import translation

from komando.incidents.actions import do_report_incident
from komando.incidents.bridges.mapping import MappingError
from komando.incidents.errors import IncidentError, OutsideCity
from komando.incidents.models import Incident, IncidentReport
from komando.regions.models import Region, RegionLevel

logger = logging.getLogger("komando.incidents.bridges")

T = TypeVar("T")
VIA = "bridge"  # audit channel; bridges act for no person, so nothing is audited (the timeline says the channel)


class Skipped(Exception):  # noqa: N818 - not an error: the record is not an incident
    """This record opens no incident, for the reason given (logged, not an error of the feed).
    ``routine`` reasons (a complaint resolved before Komando saw it: most of a first sync) are logged
    at debug level, the others at info."""

    def __init__(self, reason: str, *, routine: bool = False):
        super().__init__(reason)
        self.routine = routine


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the feed's transaction commits (at once outside a transaction). A failure
    in it is logged and never reaches the feed (``robust``)."""
    transaction.on_commit(callback, robust=True)


def bridge_record(function: Callable[[T], Incident | None], record: T, what: str) -> Incident | None:
    """``function(record)``, the incident it returns, or None with the reason logged: a skip (info),
    a refused report (``IncidentError``, warning), a broken mapping file or any other failure (error).
    Never raises: a bridge must not break the feed that called it."""
    try:
        return function(record)
    except Skipped as reason:
        logger.log(logging.DEBUG if reason.routine else logging.INFO, "%s: no incident: %s", what, reason)
    except IncidentError as error:
        logger.warning("%s: report refused (%s): %s", what, error.code, error)
    except MappingError as error:
        logger.error("%s: no incident: %s", what, error)
    except Exception:  # a bug here must not lose the feed's rows or stop the other records
        logger.exception("%s: the incident bridge failed", what)
    return None


def already_reported(channel: str, source_ref: str) -> Incident | None:
    """The incident a report of this channel and reference opened, if it was taken already."""
    report = IncidentReport.objects.select_related("incident").filter(channel=channel, source_ref=source_ref).first()
    return report.incident if report else None


def kelurahan_centroid(kelurahan: Region | None) -> tuple[float, float] | None:
    if kelurahan is None or kelurahan.level != RegionLevel.KELURAHAN:
        return None
    return kelurahan.centroid_lat, kelurahan.centroid_lon


def report_at_place(
    channel: str, *, lat, lon, kelurahan: Region | None, what: str, attributes: dict | None = None, **report
) -> Incident:
    """``do_report_incident`` at the record's point; a record without a point, or whose point is
    outside the city, at its kelurahan's centroid. ``Skipped`` when it has neither."""
    places = []
    if lat is not None and lon is not None:
        places.append(("point", lat, lon))
    centroid = kelurahan_centroid(kelurahan)
    if centroid is not None:
        places.append(("kelurahan_centroid", *centroid))
    if not places:
        raise Skipped("it has no location (no coordinates and no kelurahan)")
    for position, (how, place_lat, place_lon) in enumerate(places):
        try:
            incident, _report, _created = do_report_incident(
                channel,
                lat=place_lat,
                lon=place_lon,
                attributes={**(attributes or {}), "location_source": how},
                via=VIA,
                **report,
            )
            return incident
        except OutsideCity:
            if position == len(places) - 1:
                raise
            logger.info(
                "%s: its point %s, %s is outside the city: placed at the centroid of kelurahan %s",
                what,
                place_lat,
                place_lon,
                kelurahan.code,
            )
    raise AssertionError("unreachable")  # pragma: no cover


def in_city_language(render: Callable[[], str]) -> str:
    """Generated text stored on a report (a sensor's reading, a call's kind) in the city's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(render())
