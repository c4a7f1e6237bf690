"""Settings of the flood early-warning connector (``KOMANDO_BANJIR_<FIELD>`` in the environment)."""

from komando.sources.framework import ConnectorConfig


class BanjirConfig(ConnectorConfig):
    """``base_url`` of the flood early-warning application of PUPR/BPBD (no credentials on the city network)."""
