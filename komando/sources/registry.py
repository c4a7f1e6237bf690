"""Lazy registry of connector packages: nothing is imported until a connector is used."""

from __future__ import annotations

import importlib
from functools import cache

from komando.sources.framework import CONNECTORS_DIR, BaseCoordinator, DeviceFleet, Manifest, MapLayer


@cache
def manifests() -> dict[str, Manifest]:
    found = {}
    for path in sorted(CONNECTORS_DIR.glob("*/manifest.json")):
        manifest = Manifest.load(path)
        found[manifest.slug] = manifest
    return found


def package_name(slug: str) -> str:
    return f"komando.connectors.{slug.replace('-', '_')}"


def coordinator_class(slug: str) -> type[BaseCoordinator]:
    return importlib.import_module(package_name(slug) + ".coordinator").Coordinator


@cache
def is_pull(slug: str) -> bool:
    """Whether the scheduler fetches from this connector. A push-fed connector (webhook, MQTT)
    declares ``pull = False`` on its coordinator; its health still comes from the runs it records."""
    try:
        return bool(getattr(coordinator_class(slug), "pull", True))
    except (ImportError, AttributeError):
        return True  # let the run show what is wrong with the package on the source's health


def coordinator_for(slug: str, config=None, source=None) -> BaseCoordinator:
    """The coordinator of connector ``slug``. Its config comes from the environment, overridden by
    the credentials an administrator stored for ``source`` (decrypted; see komando.sources.secrets)."""
    manifest = manifests()[slug]
    coordinator_cls = coordinator_class(slug)
    if config is None:
        overrides = {}
        if source is not None:
            from komando.sources.credentials import stored_credentials

            overrides = stored_credentials(source)
        config = coordinator_cls.config_class.from_environment(manifest, overrides=overrides)
    return coordinator_cls(manifest, config)


def simulator_builder(slug: str):
    module = importlib.import_module(package_name(slug) + ".simulator")
    return module.build_simulator


@cache
def map_layers() -> tuple[tuple[str, MapLayer], ...]:
    """Every map layer the connectors contribute, as (source slug, layer), in their ``order``."""
    found = [(slug, layer) for slug, manifest in manifests().items() for layer in manifest.map_layers]
    keys = [layer.key for _, layer in found]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise ValueError(f"map layer keys contributed twice: {', '.join(duplicated)}")
    return tuple(sorted(found, key=lambda item: (item[1].order, item[1].key)))


def map_layer(key: str) -> tuple[str, MapLayer] | None:
    return next((item for item in map_layers() if item[1].key == key), None)


def map_layer_selector(layer: MapLayer):
    """The selector function of ``layer`` (ImportError when its domain lacks it)."""
    from django.utils.module_loading import import_string

    return import_string(layer.selector)


@cache
def device_domains() -> dict[str, DeviceFleet]:
    """The MQTT device domains (connector slugs whose applications own field devices), in order."""
    found = [(slug, manifest.devices) for slug, manifest in manifests().items() if manifest.devices is not None]
    return dict(sorted(found, key=lambda item: (item[1].order, item[0])))


@cache
def panels() -> dict[str, str]:
    """Every screen panel a connector declares it feeds (manifest ``panels``): panel → source slug."""
    found: dict[str, str] = {}
    for slug, manifest in manifests().items():
        for panel in manifest.panels:
            if panel in found:
                raise ValueError(f"panel {panel!r} declared by both {found[panel]} and {slug}")
            found[panel] = slug
    return found


def panel_source(panel: str) -> str:
    """The slug of the source whose connector feeds ``panel`` (LookupError when none declares it)."""
    try:
        return panels()[panel]
    except KeyError:
        raise LookupError(f"no connector declares the panel {panel!r}") from None
