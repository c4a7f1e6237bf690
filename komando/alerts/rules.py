"""The rule kinds: how each kind's parameters are validated and which subjects meet its condition now.

Each ``conditions_<kind>(rule, now)`` returns ``{subject_key: Condition}`` for the subjects whose
condition holds at ``now``. The evaluator (``komando.alerts.actions.do_evaluate_rules``) raises an
alert for a key that is new and clears the open alert of a key that is gone: one alert per episode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from komando.alerts.choices import RuleKind

SIAGA_LEVELS = ("siaga_3", "siaga_2", "siaga_1")  # siaga 3 is the first alert level, siaga 1 the highest
METRICS = ("traffic.vehicles", "traffic.average_speed_kmh")
DEADLINES = ("respond", "resolve", "any")
PUBLIC_KINDS = {RuleKind.SENSOR_THRESHOLD, RuleKind.BMKG_WARNING}


@dataclass
class Condition:
    subject: str
    value: float | None = None
    facts: dict = field(default_factory=dict)
    agency_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    url: str = ""


# --- validation ---------------------------------------------------------------------------------


def _number(params: dict, key: str, errors: list, *, required=False, minimum=None):
    if key not in params:
        if required:
            errors.append(f"'{key}' is required.")
        return
    value = params[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        errors.append(f"'{key}' must be a number, got {value!r}.")
    elif minimum is not None and value < minimum:
        errors.append(f"'{key}' must be at least {minimum}, got {value}.")


def _choice(params: dict, key: str, choices, errors: list, *, required=False):
    if key not in params:
        if required:
            errors.append(f"'{key}' is required (one of {', '.join(choices)}).")
        return
    if params[key] not in choices:
        errors.append(f"'{key}' must be one of {', '.join(choices)}, got {params[key]!r}.")


def _string_list(params: dict, key: str, errors: list):
    if key in params and (not isinstance(params[key], list) or not all(isinstance(v, str) for v in params[key])):
        errors.append(f"'{key}' must be a list of strings.")


ALLOWED_KEYS = {
    RuleKind.METRIC_THRESHOLD: {"metric", "operator", "threshold", "cameras", "max_age_minutes"},
    RuleKind.SENSOR_THRESHOLD: {"level", "level_m", "gauges", "max_age_minutes"},
    RuleKind.SLA_BREACH: {"deadline", "min_count"},
    RuleKind.SOURCE_DOWN: {"stale_minutes", "failures", "sources"},
    RuleKind.PROJECT_KRITIS: {"agencies"},
    RuleKind.BMKG_WARNING: {"weather", "earthquake_min_magnitude", "earthquake_max_distance_km", "earthquake_window_hours"},
}


def validate_parameters(kind: str, params) -> list[str]:
    if kind not in RuleKind.values:
        return [f"Unknown rule kind {kind!r}."]
    if not isinstance(params, dict):
        return ["The parameters must be a JSON object."]
    errors = [f"Unknown parameter '{key}' for {kind}." for key in sorted(set(params) - ALLOWED_KEYS[kind])]
    if kind == RuleKind.METRIC_THRESHOLD:
        _choice(params, "metric", METRICS, errors, required=True)
        _choice(params, "operator", ("above", "below"), errors, required=True)
        _number(params, "threshold", errors, required=True)
        _string_list(params, "cameras", errors)
        _number(params, "max_age_minutes", errors, minimum=1)
    elif kind == RuleKind.SENSOR_THRESHOLD:
        if ("level" in params) == ("level_m" in params):
            errors.append("Give exactly one of 'level' (siaga_3, siaga_2, siaga_1) or 'level_m' (metres).")
        _choice(params, "level", SIAGA_LEVELS, errors)
        _number(params, "level_m", errors)
        _string_list(params, "gauges", errors)
        _number(params, "max_age_minutes", errors, minimum=1)
    elif kind == RuleKind.SLA_BREACH:
        _choice(params, "deadline", DEADLINES, errors)
        _number(params, "min_count", errors, minimum=1)
    elif kind == RuleKind.SOURCE_DOWN:
        _number(params, "stale_minutes", errors, minimum=1)
        _number(params, "failures", errors, minimum=1)
        _string_list(params, "sources", errors)
    elif kind == RuleKind.PROJECT_KRITIS:
        _string_list(params, "agencies", errors)
    elif kind == RuleKind.BMKG_WARNING:
        if "weather" in params and not isinstance(params["weather"], bool):
            errors.append("'weather' must be true or false.")
        _number(params, "earthquake_min_magnitude", errors, minimum=0)
        _number(params, "earthquake_max_distance_km", errors, minimum=0)
        _number(params, "earthquake_window_hours", errors, minimum=1)
    return errors


def validate_recipients(recipients) -> list[str]:
    if not isinstance(recipients, list):
        return ["The recipients must be a list of e-mail addresses and webhook URLs."]
    errors = []
    for target in recipients:
        if not isinstance(target, str) or not target.strip():
            errors.append(f"Recipient {target!r} is not an e-mail address or URL.")
            continue
        try:
            if re.match(r"^https?://", target):
                URLValidator(schemes=["http", "https"])(target)
            else:
                EmailValidator()(target)
        except ValidationError:
            errors.append(f"Recipient {target!r} is not a valid e-mail address or http(s) URL.")
    return errors


def validate_rule(kind: str, params, recipients, public: bool = False) -> list[str]:
    errors = validate_parameters(kind, params) + validate_recipients(recipients)
    if public and kind not in PUBLIC_KINDS:
        errors.append("Only water-level and BMKG rules may publish to the public CAP feed.")
    return errors


def channel_of(target: str) -> str:
    return "webhook" if re.match(r"^https?://", target) else "email"


# --- conditions ---------------------------------------------------------------------------------


def conditions_metric_threshold(rule, now: datetime) -> dict[str, Condition]:
    from komando.metrics.models import TrafficObservation

    params = rule.parameters
    field_name = params["metric"].split(".", 1)[1]
    since = now - timedelta(minutes=params.get("max_age_minutes", 60))
    observations = (
        TrafficObservation.objects.filter(observed_at__gte=since, observed_at__lte=now)
        .select_related("camera", "camera__region", "camera__source")
        .order_by("camera_id", "-observed_at")
    )
    if params.get("cameras"):
        observations = observations.filter(camera__source_ref__in=params["cameras"])
    latest = {}
    for observation in observations:
        latest.setdefault(observation.camera_id, observation)
    result = {}
    for observation in latest.values():
        value = getattr(observation, field_name)
        if value is None:
            continue
        hit = value > params["threshold"] if params["operator"] == "above" else value < params["threshold"]
        if hit:
            camera = observation.camera
            region = camera.region.name if camera.region else ""
            result[f"camera:{camera.pk}"] = Condition(
                subject=camera.name,
                value=float(value),
                lat=camera.lat,
                lon=camera.lon,
                agency_id=camera.source.agency_id,
                url="/peta/",
                facts={
                    "metric": params["metric"],
                    "operator": params["operator"],
                    "threshold": params["threshold"],
                    "value": value,
                    "region": region,
                    "observed_at": observation.observed_at.isoformat(),
                },
            )
    return result


def conditions_sensor_threshold(rule, now: datetime) -> dict[str, Condition]:
    from komando.assets.models import Asset, AssetKind

    params = rule.parameters
    gauges = Asset.objects.filter(kind=AssetKind.GAUGE, device_state__isnull=False).select_related("device_state")
    if params.get("gauges"):
        gauges = gauges.filter(source_ref__in=params["gauges"])
    since = now - timedelta(minutes=params.get("max_age_minutes", 120))
    result = {}
    for gauge in gauges:
        state = gauge.device_state
        if state.level_m is None or state.observed_at < since:
            continue  # no fresh reading: a silent gauge is a source-health matter, not a flood
        if "level_m" in params:
            threshold = float(params["level_m"])
        else:
            threshold = (gauge.attributes or {}).get(f"{params['level']}_m")
            if threshold is None:
                continue
            threshold = float(threshold)
        if state.level_m >= threshold:
            result[f"gauge:{gauge.pk}"] = Condition(
                subject=gauge.name,
                value=state.level_m,
                lat=state.lat if state.lat is not None else gauge.lat,
                lon=state.lon if state.lon is not None else gauge.lon,
                url="/peta/",
                facts={
                    "level_m": state.level_m,
                    "threshold_m": threshold,
                    "level": params.get("level", ""),
                    "river": (gauge.attributes or {}).get("river", ""),
                    "observed_at": state.observed_at.isoformat(),
                },
            )
    return result


def conditions_sla_breach(rule, now: datetime) -> dict[str, Condition]:
    from django.db.models import Q

    from komando.agencies.models import Agency
    from komando.incidents.lifecycle import OPEN_STATUSES
    from komando.incidents.models import Incident

    params = rule.parameters
    deadline = params.get("deadline", "any")
    respond = Q(respond_due_at__lt=now, responded_at__isnull=True)
    resolve = Q(resolve_due_at__lt=now)
    overdue = {"respond": respond, "resolve": resolve, "any": respond | resolve}[deadline]
    counts: dict[int, list[str]] = {}
    for agency_id, ticket in (
        Incident.objects.filter(overdue, status__in=OPEN_STATUSES, agency__isnull=False)
        .order_by("agency_id", "reported_at")
        .values_list("agency_id", "ticket")
    ):
        counts.setdefault(agency_id, []).append(ticket)
    minimum = params.get("min_count", 1)
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=counts)}
    return {
        f"agency:{agency_id}": Condition(
            subject=agencies[agency_id].short_name,
            value=float(len(tickets)),
            agency_id=agency_id,
            url="/konsol/",
            facts={"count": len(tickets), "tickets": tickets[:10], "deadline": deadline},
        )
        for agency_id, tickets in counts.items()
        if len(tickets) >= minimum
    }


def conditions_source_down(rule, now: datetime) -> dict[str, Condition]:
    from django.db.models import Q

    from komando.sources.models import Source

    params = rule.parameters
    failures = params.get("failures", 1)
    stale = now - timedelta(minutes=params.get("stale_minutes", 30))
    sources = Source.objects.filter(enabled=True).filter(~Q(connector="") | Q(file_import=True)).select_related("agency")
    if params.get("sources"):
        sources = sources.filter(slug__in=params["sources"])
    result = {}
    for source in sources:
        failing = source.consecutive_failures >= failures
        is_stale = source.last_success_at is not None and source.last_success_at < stale
        never = source.last_success_at is None and source.last_attempt_at is not None and source.last_attempt_at < stale
        if failing or is_stale or never:
            result[f"source:{source.slug}"] = Condition(
                subject=source.name,
                value=float(source.consecutive_failures),
                agency_id=source.agency_id,
                url="/sumber/",
                facts={
                    "failing": failing,
                    "consecutive_failures": source.consecutive_failures,
                    "last_error": source.last_error[:300] if failing else "",
                    "last_success_at": source.last_success_at.isoformat() if source.last_success_at else None,
                    "stale_minutes": params.get("stale_minutes", 30),
                },
            )
    return result


def conditions_project_kritis(rule, now: datetime) -> dict[str, Condition]:
    from komando.development.progress import KRITIS
    from komando.development.selectors import projects_as_of, reporting_period

    fiscal_year, as_of = reporting_period()
    result = {}
    for row in projects_as_of(fiscal_year, as_of, agency_codes=rule.parameters.get("agencies") or None):
        if row["status"] != KRITIS:
            continue
        result[f"project:{row['id']}"] = Condition(
            subject=row["name"],
            value=float(row["deviation_physical"]),
            agency_id=row["agency_id"],
            lat=row["lat"],
            lon=row["lon"],
            url=f"/pembangunan/proyek/{row['id']}/",
            facts={
                "agency": row["agency"],
                "planned_physical": float(row["planned_physical"]),
                "realised_physical": float(row["realised_physical"]),
                "deviation_physical": float(row["deviation_physical"]),
                "as_of_month": as_of.strftime("%Y-%m") if as_of else None,
            },
        )
    return result


def conditions_bmkg_warning(rule, now: datetime) -> dict[str, Condition]:
    from django.db.models import Q

    from komando.hazards.models import Earthquake, WeatherWarning

    params = rule.parameters
    result = {}
    if params.get("weather", True):
        warnings = WeatherWarning.objects.filter(affects_city=True, effective__lte=now).filter(
            Q(expires__isnull=True) | Q(expires__gt=now)
        )
        for warning in warnings:
            result[f"warning:{warning.identifier}"] = Condition(
                subject=warning.event,
                url="/",
                facts={
                    "type": "weather",
                    "event": warning.event,
                    "headline": warning.headline,
                    "description": warning.description[:1000],
                    "area_desc": warning.area_desc,
                    "bmkg_severity": warning.severity,
                    "urgency": warning.urgency,
                    "certainty": warning.certainty,
                    "expires": warning.expires.isoformat() if warning.expires else None,
                    "polygons": warning.polygons,
                },
            )
    if "earthquake_min_magnitude" in params:
        since = now - timedelta(hours=params.get("earthquake_window_hours", 6))
        quakes = Earthquake.objects.filter(
            magnitude__gte=params["earthquake_min_magnitude"],
            distance_km__lte=params.get("earthquake_max_distance_km", 300),
            occurred_at__gte=since,
            occurred_at__lte=now,
        )
        for quake in quakes:
            result[f"quake:{quake.pk}"] = Condition(
                subject=quake.region,
                value=float(quake.magnitude),
                lat=quake.lat,
                lon=quake.lon,
                url="/",
                facts={
                    "type": "earthquake",
                    "magnitude": float(quake.magnitude),
                    "depth_km": float(quake.depth_km),
                    "distance_km": round(quake.distance_km, 1),
                    "occurred_at": quake.occurred_at.isoformat(),
                    "tsunami_potential": quake.tsunami_potential,
                    "felt": quake.felt,
                },
            )
    return result


CONDITIONS = {
    RuleKind.METRIC_THRESHOLD: conditions_metric_threshold,
    RuleKind.SENSOR_THRESHOLD: conditions_sensor_threshold,
    RuleKind.SLA_BREACH: conditions_sla_breach,
    RuleKind.SOURCE_DOWN: conditions_source_down,
    RuleKind.PROJECT_KRITIS: conditions_project_kritis,
    RuleKind.BMKG_WARNING: conditions_bmkg_warning,
}
