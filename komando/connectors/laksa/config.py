"""Settings of the LAKSA connector (``KOMANDO_LAKSA_<FIELD>`` in the environment)."""

from pydantic import Field

from komando.sources.framework import ConnectorConfig


class LaksaConfig(ConnectorConfig):
    """``base_url``: LAKSA's Open311 endpoint host (the API lives under ``/open311/v2``);
    ``jurisdiction_id``: Open311 jurisdiction (blank: the city's ``open311_jurisdiction_id``, its web
    root); ``format``: json or xml."""

    jurisdiction_id: str = ""
    format: str = Field(default="json", pattern="^(json|xml)$")
    overlap_seconds: int = Field(default=300, ge=0, description="Re-read this much before the cursor")
