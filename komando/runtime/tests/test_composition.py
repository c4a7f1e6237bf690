"""The composition root: registered at start-up, it gets what a feed stored after the feed's commit,
and a failing reaction never breaks the feed."""

from __future__ import annotations

import logging

import pytest

from komando.runtime.composition import after_feed_commit
from komando.sources import reactions
from komando.sources.framework import FetchResult
from komando.sources.models import Source, SourceRun
from komando.sources.runner import run_source


@pytest.fixture
def registered(monkeypatch):
    """The registered reactions, restored after the test."""
    monkeypatch.setattr(reactions, "_reactions", list(reactions._reactions))
    return reactions._reactions


def test_the_composition_root_is_registered_when_the_apps_are_ready():
    assert after_feed_commit in reactions._reactions


def test_registering_twice_registers_once(registered):
    def reaction(source, stored):
        return None

    reactions.react_after_feed_commit(reaction)
    reactions.react_after_feed_commit(reaction)
    assert registered.count(reaction) == 1


def test_a_failing_reaction_is_logged_and_the_others_still_run(registered, caplog):
    seen = []

    def broken(source, stored):
        raise RuntimeError("disk on fire")

    reactions.react_after_feed_commit(broken)
    reactions.react_after_feed_commit(lambda source, stored: seen.append(stored))
    logger = logging.getLogger("komando.ingest")
    logger.addHandler(caplog.handler)
    try:
        reactions.feed_committed(None, "stored")
    finally:
        logger.removeHandler(caplog.handler)
    assert seen == ["stored"]
    assert any("broken" in r.getMessage() and r.exc_info for r in caplog.records)


def test_nothing_stored_reaches_no_reaction(registered):
    seen = []
    reactions.react_after_feed_commit(lambda source, stored: seen.append(stored))
    reactions.feed_committed(None, None)
    assert seen == []


class StoringCoordinator:
    """A connector whose store returns what it stored, like the feeds' actions."""

    def __init__(self, stored):
        self.stored = stored

    def fetch(self, cursor):
        return FetchResult(data=[1, 2], records=2)

    def store(self, source, result):
        return self.stored


@pytest.mark.django_db
def test_the_runner_hands_what_was_stored_to_the_reactions_after_the_run_is_recorded(reference_data, registered):
    seen = []

    def reaction(source, stored):
        seen.append((source.slug, stored, SourceRun.objects.filter(source=source, ok=True).count()))

    reactions.react_after_feed_commit(reaction)
    source = Source.objects.get(slug="siak")
    assert run_source(source, StoringCoordinator({"rows": 2})) is True
    assert seen == [("siak", {"rows": 2}, 1)]


@pytest.mark.django_db
def test_a_failed_run_reaches_no_reaction(reference_data, registered):
    seen = []
    reactions.react_after_feed_commit(lambda source, stored: seen.append(stored))

    class Crashing(StoringCoordinator):
        def store(self, source, result):
            raise RuntimeError("bug in the connector")

    assert run_source(Source.objects.get(slug="siak"), Crashing("never")) is False
    assert seen == []
