"""Settings of the Perizinan connector (``KOMANDO_PERIZINAN_<FIELD>`` in the environment)."""

from pydantic import Field

from komando.sources.framework import ConnectorConfig


class PerizinanConfig(ConnectorConfig):
    """``base_url`` of DPMPTSP's permit service (public aggregates; no credentials on the city network)."""

    page_size: int = Field(default=500, ge=1, le=1000)
    max_pages: int = Field(default=40, ge=1, le=1000, description="Pages per run; the rest comes next run")
