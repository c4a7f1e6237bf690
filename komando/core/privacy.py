"""Privacy at the edge (UU PDP 27/2022): what the public may see of counts about people."""

from __future__ import annotations

SMALL_CELL_THRESHOLD = 5
SUPPRESSED = "<5"


def public_count(count: int | None) -> int | str | None:
    """A count of people as the public may see it: 1–4 become "<5" (a small cell could single a
    person out); 0, None and 5 or more are shown as they are."""
    if count is None or count == 0 or count >= SMALL_CELL_THRESHOLD:
        return count
    return SUPPRESSED
