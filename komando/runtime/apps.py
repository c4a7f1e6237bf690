from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    """The top layer: every process entry point (``serve``, ``demo``, ``ingest``, the workers, the
    simulators) and the composition root that wires feeds to the incident bridges."""

    name = "komando.runtime"

    def ready(self) -> None:
        from komando.runtime import composition

        composition.install()
