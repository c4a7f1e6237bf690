"""Settings of the Kinerja ASN connector (``KOMANDO_KINERJA_ASN_<FIELD>`` in the environment)."""

from pydantic import Field

from komando.sources.framework import ConnectorConfig


class KinerjaAsnConfig(ConnectorConfig):
    """``base_url`` of BKPSDM's attendance service (aggregates per OPD; on the city network)."""

    first_run_days: int = Field(default=7, ge=1, le=31, description="Days fetched on the first run")
    max_days: int = Field(default=31, ge=1, le=92, description="Days caught up in one run after an outage")
