from pydantic import Field

from komando.sources.framework import ConnectorConfig, SecretStr


class EmonevConfig(ConnectorConfig):
    """``KOMANDO_EMONEV_USERNAME`` / ``KOMANDO_EMONEV_PASSWORD`` (or ``…_FILE``); never in the repo.

    Missing credentials do not break start-up: the connector reports them as an auth error on the
    source's health. The password is a ``SecretStr``: its repr and str are masked.
    """

    username: str = ""
    password: SecretStr = SecretStr("")
    page_size: int = Field(default=50, ge=1, le=100)
    fiscal_year: int | None = Field(default=None, description="Default: the current year in WIB")
