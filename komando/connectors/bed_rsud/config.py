"""Settings of the bed availability connector (``KOMANDO_BED_RSUD_<FIELD>`` in the environment)."""

from komando.sources.framework import ConnectorConfig


class BedRsudConfig(ConnectorConfig):
    """``base_url`` of the city's bed availability service (public figures; no credentials)."""
