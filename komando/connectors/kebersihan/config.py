"""Settings of the Kebersihan connector (``KOMANDO_KEBERSIHAN_<FIELD>`` in the environment)."""

from komando.sources.framework import ConnectorConfig


class KebersihanConfig(ConnectorConfig):
    """``base_url`` of DLH's Kebersihan application (no credentials on the city network)."""
