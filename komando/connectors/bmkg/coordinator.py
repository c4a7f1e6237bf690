"""BMKG coordinator: the latest earthquakes and the weather warnings in force, stored once each."""

from __future__ import annotations

from komando.connectors.bmkg.client import BmkgClient, Quake, Warning
from komando.connectors.bmkg.config import BmkgConfig
from komando.hazards.actions import EarthquakeRow, WarningRow, do_record_hazards
from komando.sources.framework import BaseCoordinator, FetchResult


def earthquake_row(quake: Quake) -> EarthquakeRow:
    return EarthquakeRow(**{name: getattr(quake, name) for name in EarthquakeRow._fields})


def warning_row(warning: Warning) -> WarningRow:
    return WarningRow(**{name: getattr(warning, name) for name in WarningRow._fields})


class Coordinator(BaseCoordinator):
    config_class = BmkgConfig

    def fetch(self, cursor: dict) -> FetchResult:
        client = BmkgClient(
            self.config.base_url, self.config.nowcast_base_url, self.config.timeout_seconds, self.config.earthquake_format
        )
        quakes, warnings = client.fetch()
        # Exercises, tests and drafts are not for the public; cancellations need the referenced
        # message (not in the nowcast feed) and are left out.
        actual = [w for w in warnings if w.status == "Actual" and w.msg_type in ("Alert", "Update")]
        newest = max([q.occurred_at for q in quakes] + [w.sent for w in actual], default=None)
        return FetchResult(
            data=([earthquake_row(q) for q in quakes], [warning_row(w) for w in actual]),
            records=len(quakes) + len(actual),
            data_as_of=newest,
            notes=[f"{len(quakes)} earthquakes, {len(actual)} weather warnings"],
        )

    def store(self, source, result: FetchResult) -> None:
        earthquakes, warnings = result.data
        do_record_hazards(source, earthquakes, warnings)
