"""What happens after a feed's transaction commits, beyond the feed itself.

A feed's action stores and returns what it stored (complaints, a call, gauge levels, traffic
intervals); it knows nothing of the layers above. The process that ran it (the ingest runner, the
MQTT ingest, the 112 webhook) hands that to ``feed_committed`` once the transaction has committed,
and the reactions registered here run: the composition root (``komando.runtime.composition``)
registers them when the apps are ready, e.g. the incident bridges. A reaction never breaks the
feed: whatever goes wrong in it is logged, and the feed's rows stay stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("komando.ingest")

# reaction(source, stored): ``source`` the Source that was fed (None for the device ingest, which
# feeds several), ``stored`` what the feed's action returned.
FeedReaction = Callable[[Any, Any], None]
_reactions: list[FeedReaction] = []


def react_after_feed_commit(reaction: FeedReaction) -> FeedReaction:
    """Register ``reaction`` (once; registering it again changes nothing). Returns it (a decorator)."""
    if reaction not in _reactions:
        _reactions.append(reaction)
    return reaction


def feed_committed(source, stored) -> None:
    """Run every registered reaction on what a feed stored. Call it after the feed's commit. Never raises."""
    if stored is None:
        return
    for reaction in list(_reactions):
        try:
            reaction(source, stored)
        except Exception:  # a reaction must not break the feed that stored
            logger.exception(
                "reaction %s to %s failed; the feed goes on",
                getattr(reaction, "__name__", reaction),
                getattr(source, "slug", "a feed"),
            )
