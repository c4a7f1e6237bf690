"""Typed configuration of the e-Puskesmas connector, read from ``KOMANDO_EPUSKESMAS_<FIELD>``.

``client_id``/``client_secret`` are the SATUSEHAT OAuth2 client credentials (``…_FILE`` variants
work too). The defaults are for the simulator, which in demo mode (both variables unset) accepts any
non-empty pair; set both variables to make the simulator and the connector agree on a real pair.
"""

from pydantic import Field, SecretStr

from komando.sources.framework import ConnectorConfig


class EpuskesmasConfig(ConnectorConfig):
    client_id: SecretStr = SecretStr("komando-demo")
    client_secret: SecretStr = SecretStr("komando-demo-secret")
    fhir_path: str = "/fhir-r4/v1"
    token_path: str = "/oauth2/v1/accesstoken"
    page_size: int = Field(default=500, ge=1, le=1000)
    # Resources committed late with an earlier lastUpdated are caught by re-reading this many seconds
    # before the cursor; ids already counted in that window are kept in the cursor and skipped.
    overlap_seconds: int = Field(default=60, ge=0, le=3600)
    # The puskesmas and poli rooms (Organization, Location) are re-read this often, and at once when
    # a visit names one that is not known yet.
    directory_refresh_seconds: int = Field(default=900, ge=0)
