"""Lazy registry of connector packages: nothing is imported until a connector is used."""

from __future__ import annotations

import importlib
from functools import cache

from komando.sources.framework import CONNECTORS_DIR, BaseCoordinator, Manifest


@cache
def manifests() -> dict[str, Manifest]:
    found = {}
    for path in sorted(CONNECTORS_DIR.glob("*/manifest.json")):
        manifest = Manifest.load(path)
        found[manifest.slug] = manifest
    return found


def package_name(slug: str) -> str:
    return f"komando.sources.connectors.{slug.replace('-', '_')}"


def coordinator_for(slug: str, config=None) -> BaseCoordinator:
    manifest = manifests()[slug]
    module = importlib.import_module(package_name(slug) + ".coordinator")
    coordinator_class = module.Coordinator
    if config is None:
        config = coordinator_class.config_class.from_environment(manifest)
    return coordinator_class(manifest, config)


def simulator_builder(slug: str):
    module = importlib.import_module(package_name(slug) + ".simulator")
    return module.build_simulator
