"""Settings of the BMKG connector (``KOMANDO_BMKG_<FIELD>`` in the environment)."""

from typing import Literal

from komando.sources.framework import ConnectorConfig


class BmkgConfig(ConnectorConfig):
    """``base_url`` serves the earthquake feed (``/DataMKG/TEWS/…``; BMKG: https://data.bmkg.go.id);
    ``nowcast_base_url`` serves the weather warnings (``/alerts/nowcast/id/rss.xml``; BMKG:
    https://www.bmkg.go.id), empty = the same server as ``base_url`` (the simulator serves both).
    ``earthquake_format`` picks the JSON or the XML variant of the earthquake feed."""

    nowcast_base_url: str = ""
    earthquake_format: Literal["json", "xml"] = "json"
