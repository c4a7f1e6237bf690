"""Reads of alerts: the list screens show, the daily report's window, one alert's dict."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from komando.alerts.access import alert_scope
from komando.alerts.choices import SEVERITY_RANK, RuleKind
from komando.alerts.models import Alert

RECENT_LIMIT = 50


def _iso(value):
    return value.isoformat() if value else None


def _display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _number(value) -> str:
    if value is None:
        return "?"
    return f"{value:g}" if isinstance(value, float) else str(value)


def alert_title(alert: Alert) -> str:
    """The alert's headline in the active language."""
    facts = alert.facts or {}
    kind = alert.rule.kind
    if kind == RuleKind.METRIC_THRESHOLD:
        if facts.get("metric") == "traffic.average_speed_kmh":
            return _("Slow traffic at %(subject)s") % {"subject": alert.subject}
        return _("Heavy traffic at %(subject)s") % {"subject": alert.subject}
    if kind == RuleKind.SENSOR_THRESHOLD:
        level = facts.get("level")
        if level:
            return _("Water level at %(subject)s reached %(level)s") % {
                "subject": alert.subject,
                "level": level.replace("_", " ").title(),
            }
        return _("Water level at %(subject)s above %(threshold)s m") % {
            "subject": alert.subject,
            "threshold": _number(facts.get("threshold_m")),
        }
    if kind == RuleKind.SLA_BREACH:
        return _("%(count)s incidents of %(subject)s past their SLA deadline") % {
            "count": facts.get("count", "?"),
            "subject": alert.subject,
        }
    if kind == RuleKind.SOURCE_DOWN:
        if facts.get("failing"):
            return _("Source %(subject)s is failing") % {"subject": alert.subject}
        return _("Source %(subject)s has sent nothing new") % {"subject": alert.subject}
    if kind == RuleKind.PROJECT_KRITIS:
        return _("Project %(subject)s is kritis") % {"subject": alert.subject}
    if kind == RuleKind.BMKG_WARNING:
        if facts.get("type") == "earthquake":
            return _("Earthquake M%(magnitude)s, %(distance)s km from the city") % {
                "magnitude": _number(facts.get("magnitude")),
                "distance": _number(facts.get("distance_km")),
            }
        return _("BMKG warning: %(subject)s") % {"subject": alert.subject}
    return alert.subject


def alert_detail(alert: Alert) -> str:
    """One line on what was observed, in the active language."""
    facts = alert.facts or {}
    kind = alert.rule.kind
    if kind == RuleKind.METRIC_THRESHOLD:
        return _("%(metric)s %(value)s (threshold %(operator)s %(threshold)s), %(region)s") % {
            "metric": facts.get("metric"),
            "value": _number(facts.get("value")),
            "operator": _("above") if facts.get("operator") == "above" else _("below"),
            "threshold": _number(facts.get("threshold")),
            "region": facts.get("region") or "-",
        }
    if kind == RuleKind.SENSOR_THRESHOLD:
        return _("Level %(level)s m, threshold %(threshold)s m (river %(river)s)") % {
            "level": _number(facts.get("level_m")),
            "threshold": _number(facts.get("threshold_m")),
            "river": facts.get("river") or "-",
        }
    if kind == RuleKind.SLA_BREACH:
        return _("Tickets: %(tickets)s") % {"tickets": ", ".join(facts.get("tickets", []))}
    if kind == RuleKind.SOURCE_DOWN:
        if facts.get("failing"):
            return _("%(count)s failed runs in a row: %(error)s") % {
                "count": facts.get("consecutive_failures"),
                "error": facts.get("last_error") or "-",
            }
        return _("No successful run for more than %(minutes)s minutes") % {"minutes": facts.get("stale_minutes")}
    if kind == RuleKind.PROJECT_KRITIS:
        return _("%(agency)s: planned %(planned)s%%, realised %(realised)s%%, deviation %(deviation)s points (%(month)s)") % {
            "agency": facts.get("agency"),
            "planned": _number(facts.get("planned_physical")),
            "realised": _number(facts.get("realised_physical")),
            "deviation": _number(facts.get("deviation_physical")),
            "month": facts.get("as_of_month") or "-",
        }
    if kind == RuleKind.BMKG_WARNING:
        if facts.get("type") == "earthquake":
            return _("%(region)s, depth %(depth)s km. %(tsunami)s") % {
                "region": alert.subject,
                "depth": _number(facts.get("depth_km")),
                "tsunami": facts.get("tsunami_potential") or "",
            }
        return facts.get("headline") or facts.get("description") or alert.subject
    return ""


def alert_dict(alert: Alert) -> dict:
    return {
        "id": alert.pk,
        "rule": alert.rule.slug,
        "rule_name": alert.rule.name,
        "kind": alert.rule.kind,
        "severity": alert.severity,
        "title": alert_title(alert),
        "detail": alert_detail(alert),
        "subject": alert.subject,
        "agency": alert.agency.short_name if alert.agency_id else None,
        "raised_at": _iso(alert.raised_at),
        "cleared_at": _iso(alert.cleared_at),
        "last_value": alert.last_value,
        "last_seen_at": _iso(alert.last_seen_at),
        "acknowledged_at": _iso(alert.acknowledged_at),
        "acknowledged_by": _display_name(alert.acknowledged_by),
        "ack_comment": alert.ack_comment,
        "url": alert.url,
        "public": alert.rule.public,
    }


def _base():
    return Alert.objects.select_related("rule", "agency", "acknowledged_by")


def _scoped(queryset, user):
    if user is None:
        return queryset
    scope = alert_scope(user)
    if scope is None:
        return queryset
    return queryset.filter(agency_id=scope, rule__audience="staff")


def _sorted(alerts) -> list[dict]:
    rows = [alert_dict(alert) for alert in alerts]
    rows.sort(key=lambda row: row["raised_at"], reverse=True)
    rows.sort(key=lambda row: (row["cleared_at"] is not None, SEVERITY_RANK.get(row["severity"], 9)))
    return rows


def open_alerts(user=None) -> list[dict]:
    """Active or unacknowledged alerts ``user`` may see (every one when ``user`` is None): active
    before cleared, then most severe, then newest."""
    queryset = _base().filter(Q(cleared_at__isnull=True) | Q(acknowledged_at__isnull=True))
    return _sorted(_scoped(queryset, user))


def open_kritis_project_alerts(user) -> list[dict]:
    """The open alerts about kritis development projects ``user`` may see (the development watch pages
    show them beside their projects; registered with ``komando.development.selectors`` when ready)."""
    return [alert for alert in open_alerts(user) if alert["kind"] == RuleKind.PROJECT_KRITIS]


def recent_alerts(user=None, limit: int = RECENT_LIMIT) -> list[dict]:
    """Cleared and acknowledged alerts, newest first (the page's history)."""
    queryset = _base().filter(cleared_at__isnull=False, acknowledged_at__isnull=False).order_by("-raised_at")
    return [alert_dict(alert) for alert in _scoped(queryset, user)[:limit]]


def alerts_between(start: datetime, end: datetime) -> list[dict]:
    """Alerts raised in ``[start, end)``, oldest first (the daily report)."""
    return [alert_dict(alert) for alert in _base().filter(raised_at__gte=start, raised_at__lt=end).order_by("raised_at", "pk")]


def get_alert(pk: int) -> Alert | None:
    return _base().filter(pk=pk).first()


def public_alerts(limit: int = 100) -> list[Alert]:
    """What the public CAP feed shows: alerts of public rules (water levels, BMKG), the open ones and
    those cleared in the last 24 hours (as Cancel messages)."""
    from datetime import timedelta

    from django.utils import timezone

    since = timezone.now() - timedelta(hours=24)
    return list(
        _base()
        .filter(rule__public=True)
        .filter(Q(cleared_at__isnull=True) | Q(cleared_at__gte=since))
        .order_by("-raised_at")[:limit]
    )
