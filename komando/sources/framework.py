"""The connector framework (home-assistant's coordinator shape, healthchecks' typed config).

A connector is a package ``komando/connectors/<slug>/`` with:

- ``manifest.json``: slug, name, group, owning OPD, access level, schedule, simulator port, and the
  map layers it contributes (``map_layers``: key, title, selector, order, default_on, live_event)
  and the field devices its application owns (``devices``: message, asset_kind, fleet groups);
- ``config.py``: a ``ConnectorConfig`` subclass (secrets as ``SecretStr``), read from the environment;
- ``client.py``: speaks the application's real HTTP API; no Django imports;
- ``coordinator.py``: class ``Coordinator(BaseCoordinator)``: ``fetch`` (network → typed data, no
  database) and ``store`` (hands the typed data to one action, inside the run's transaction);
- ``simulator.py``: ``build_simulator(city_dir, **options) -> SimulatorApp`` serving the same API.

Errors raised by a connector are ``ConnectorError`` subclasses; their ``kind`` shows on the source's
health (unreachable, auth, invalid, server).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Required, TypedDict

from pydantic import BaseModel, ConfigDict, SecretStr  # noqa: F401  (re-exported for connectors)

from komando.core.env import env_str

CONNECTORS_DIR = Path(__file__).resolve().parent.parent / "connectors"


class ConnectorError(Exception):
    kind: ClassVar[str] = "internal"


class SourceUnreachable(ConnectorError):
    kind = "unreachable"


class SourceAuthFailed(ConnectorError):
    kind = "auth"


class SourceDataInvalid(ConnectorError):
    kind = "invalid"


class SourceServerError(ConnectorError):
    kind = "server"


def localized(text: str | dict[str, str]) -> str:
    """A manifest's text in the active language: ``{"en": …, "id": …}`` (English when the language
    is missing), or a plain string (shown as it is). A connector brings its own translations."""
    if isinstance(text, str):
        return text
    from django.utils.translation import get_language

    language = (get_language() or "en").split("-")[0]
    return text.get(language) or text.get("en") or next(iter(text.values()), "")


@dataclass(frozen=True)
class MapLayer:
    """A layer a connector contributes to the maps (operator map, wall, situation room): a selector
    (dotted path to a function with no arguments returning a GeoJSON FeatureCollection, [lon, lat])
    of the domain the connector feeds."""

    key: str
    title: str | dict[str, str]
    selector: str
    order: int = 100  # where the layer stands in the map's list, smallest first
    default_on: bool = True
    live_event: str = ""  # a live event that carries this layer's changes directly


@dataclass(frozen=True)
class DeviceFleet:
    """Field devices the connector's application owns: they publish over MQTT with the connector's
    slug as the topic's domain (see ``komando.devices.protocol``)."""

    message: str  # what they send: "location" (OwnTracks) or "waterLevel" (FIWARE WaterObserved)
    asset_kind: str  # the kind of the asset registered for a device not known yet
    order: int = 100  # the order the device simulator publishes the fleets in
    # fleet.json group → how the simulated devices of that group move (radius_m, lap_seconds,
    # battery_drains, tracker_id, accuracy_m); see ``komando.devices.simulation``.
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    slug: str
    name: str
    group: str
    agency: str
    access_level: str
    schedule_seconds: int
    simulator_port: int
    description: str = ""
    map_layers: tuple[MapLayer, ...] = ()
    devices: DeviceFleet | None = None
    # The screen panels whose data this connector feeds (e.g. "health"): a screen asks the registry
    # for the source of a panel instead of naming a slug (see ``komando.sources.registry.panel_source``).
    panels: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path) -> Manifest:
        raw = json.loads(path.read_text())
        raw["map_layers"] = tuple(MapLayer(**layer) for layer in raw.get("map_layers", ()))
        raw["devices"] = DeviceFleet(**raw["devices"]) if raw.get("devices") else None
        raw["panels"] = tuple(raw.get("panels", ()))
        return cls(**raw)


def _is_secret_annotation(annotation) -> bool:
    if annotation is SecretStr:
        return True
    return SecretStr in getattr(annotation, "__args__", ())


class ConnectorConfig(BaseModel):
    """Typed configuration. Each field ``x`` is read from ``KOMANDO_<SLUG>_<X>`` (or ``…_FILE``)."""

    model_config = ConfigDict(extra="forbid")

    base_url: str
    timeout_seconds: float = 10.0

    # The fields an administrator may set on the source health page (stored encrypted, overriding
    # the environment). None: every ``SecretStr`` field, plus ``username`` when there is one.
    credential_field_names: ClassVar[tuple[str, ...] | None] = None

    @classmethod
    def credential_fields(cls) -> list[str]:
        if cls.credential_field_names is not None:
            return list(cls.credential_field_names)
        secret = [name for name, info in cls.model_fields.items() if _is_secret_annotation(info.annotation)]
        if secret and "username" in cls.model_fields and "username" not in secret:
            secret.insert(0, "username")
        return secret

    @classmethod
    def from_environment(cls, manifest: Manifest, overrides: dict[str, str] | None = None) -> ConnectorConfig:
        """Values from ``KOMANDO_<SLUG>_<FIELD>``; ``overrides`` (stored credentials) win."""
        prefix = f"KOMANDO_{manifest.slug.upper().replace('-', '_')}_"
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            raw = env_str(prefix + name.upper(), "")
            if raw != "":
                values[name] = raw
        for name, value in (overrides or {}).items():
            if name in cls.model_fields:
                values[name] = value
        if "base_url" not in values:
            host = env_str("KOMANDO_SIMULATOR_HOST", "127.0.0.1")
            values["base_url"] = f"http://{host}:{manifest.simulator_port}"
        return cls(**values)


class AssetItem(TypedDict, total=False):
    """One thing with a place that a source application knows (camera, hospital, gauge, truck…), as
    a coordinator hands it to ``komando.assets.actions.do_sync_assets`` (matched by ``source_ref``)."""

    source_ref: Required[str]
    name: Required[str]
    lat: float | None
    lon: float | None
    region_code: str | None  # dotted Kemendagri code; unknown → SourceDataInvalid, nothing written
    online: bool
    attributes: dict[str, Any]


@dataclass
class FetchResult:
    """What one fetch brought: typed data for ``store``, where to resume, how fresh it is."""

    data: Any
    records: int
    cursor: dict[str, Any] | None = None
    data_as_of: datetime | None = None
    notes: list[str] = field(default_factory=list)


class BaseCoordinator:
    config_class: ClassVar[type[ConnectorConfig]] = ConnectorConfig
    # False for a source fed by push (webhook, MQTT): the scheduler never fetches from it, while its
    # health (waiting / ok / stale) still follows the runs its receiver records.
    pull: ClassVar[bool] = True

    def __init__(self, manifest: Manifest, config: ConnectorConfig):
        self.manifest = manifest
        self.config = config

    def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        raise NotImplementedError

    def store(self, source, result: FetchResult) -> Any:
        """Persist through one action and return what the action returned (what it stored: the runner
        hands it to the reactions after the commit, ``komando.sources.reactions``). Runs inside the
        run's transaction; raise to roll back."""
        raise NotImplementedError
