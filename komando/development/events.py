"""Who receives development events: unscoped viewers share one group; each OPD has its own."""

from komando.core.events import DEVELOPMENT_VIEWERS

PANEL_EVENT = "panel.development"


def agency_audience(agency_id: int) -> str:
    """The audience (group suffix) of the viewers scoped to one OPD."""
    return f"{DEVELOPMENT_VIEWERS}.agency.{int(agency_id)}"


def development_audience(user) -> str | None:
    """The one development audience ``user`` belongs to, or None (no development data for them)."""
    from komando.accounts.access import can_view_development, development_agency_scope

    if not can_view_development(user):
        return None
    scope = development_agency_scope(user)
    if scope is None:
        return DEVELOPMENT_VIEWERS
    if scope > 0:
        return agency_audience(scope)
    return None  # an OPD officer with no OPD set sees nothing
