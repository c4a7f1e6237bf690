"""Settings of the Call Center 112 receiver (``KOMANDO_CALL_112_<FIELD>`` in the environment).

112 pushes to Komando, so there is nothing to fetch: ``base_url`` is unused. The shared secret the
112 system signs each call with is ``KOMANDO_CALL_112_WEBHOOK_SECRET`` (or ``…_FILE``)."""

from komando.sources.framework import ConnectorConfig, SecretStr


class Call112Config(ConnectorConfig):
    webhook_secret: SecretStr = SecretStr("")
