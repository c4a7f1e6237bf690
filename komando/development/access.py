"""Who may see the development watch (/pembangunan/). Views and the live bus ask these functions.

- Operators, executives and administrators see every OPD and every project.
- An OPD officer sees only their own OPD (``Profile.agency``); another OPD's page or project is a
  404, as if it did not exist. An OPD officer with no OPD set sees an empty watch.
- Anyone else signed in (field officers, users without a role) is refused (403); anonymous visitors
  are sent to the login page.
"""

from __future__ import annotations

from komando.accounts.access import can_view_development, development_agency_scope


def can_view_development_watch(user) -> bool:
    return can_view_development(user)


def watch_scope(user) -> int | None:
    """None = every OPD; otherwise the only agency id the user may see (-1: none)."""
    return development_agency_scope(user)
