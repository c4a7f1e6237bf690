"""Settings of the SIAK connector (``KOMANDO_SIAK_<FIELD>`` in the environment)."""

from komando.sources.framework import ConnectorConfig


class SiakConfig(ConnectorConfig):
    """``base_url`` of the Disdukcapil aggregate web service; pages of ``page_size`` kelurahan."""

    page_size: int = 100
    # A page fetch may straddle an update of the registry: retry the whole read this many times.
    consistent_read_attempts: int = 3
