"""Settings of the ATCS connector (``KOMANDO_ATCS_<FIELD>`` in the environment)."""

from komando.sources.framework import ConnectorConfig


class AtcsConfig(ConnectorConfig):
    """``base_url`` of Dishub's ATCS integration service (no credentials on the city network)."""
