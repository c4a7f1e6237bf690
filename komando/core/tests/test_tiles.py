"""The tile registry: screens register what they show, domains publish without knowing the screens."""

import pytest

from komando.core import tiles
from komando.core.events import STAFF
from komando.core.tiles import Figure, Tile


def counter_tile():
    return Tile(key="counter", source="bmkg", title="Counter", figures=[Figure("Count", 3)], audience=STAFF)


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(tiles, "_registered", {})
    sent = []
    monkeypatch.setattr(tiles, "send_event_on_commit", sent.append)
    return sent


def test_a_registered_tile_is_sent_to_its_audience_as_it_reads(registry):
    tiles.register_tile("counter", counter_tile)
    tiles.publish_tile("counter")
    assert [(event.type, event.audience, event.data) for event in registry] == [("tile.counter", STAFF, counter_tile().as_dict())]


def test_a_tile_no_screen_shows_is_not_sent(registry):
    tiles.publish_tile("counter")
    assert registry == [] and tiles.build_tile("counter") is None


def test_a_key_cannot_be_registered_for_two_selectors(registry):
    tiles.register_tile("counter", counter_tile)
    tiles.register_tile("counter", counter_tile)  # the same again (a second ready) is harmless
    with pytest.raises(ValueError, match="registered twice"):
        tiles.register_tile("counter", lambda: None)
    assert tiles.registered_tiles() == ["counter"]


def test_a_tone_outside_the_palette_is_refused():
    with pytest.raises(ValueError, match="unknown tone"):
        Figure("Count", 1, tone="purple")
