"""Settings of the SP4N-LAPOR! connector (``KOMANDO_LAPOR_<FIELD>`` in the environment)."""

from pydantic import Field

from komando.sources.framework import ConnectorConfig, SecretStr


class LaporConfig(ConnectorConfig):
    """``KOMANDO_LAPOR_KEYTOKEN`` (or ``…_FILE``): the integration key LAPOR! issues to the city;
    never in the repo. ``instansi_id``: the city's id at LAPOR!."""

    keytoken: SecretStr = SecretStr("")
    instansi_id: str = "pemkot-tangerang"
    overlap_seconds: int = Field(default=300, ge=0, description="Re-read this much before the cursor")
