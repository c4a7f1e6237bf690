"""Settings of the Ketertiban connector (``KOMANDO_KETERTIBAN_<FIELD>`` in the environment)."""

from komando.sources.framework import ConnectorConfig


class KetertibanConfig(ConnectorConfig):
    """``base_url`` of Satpol PP's Ketertiban application (no credentials on the city network)."""
