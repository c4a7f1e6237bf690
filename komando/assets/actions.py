"""Writers of assets: things with a place that a source application knows (puskesmas, cameras…)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from komando.assets.models import Asset
from komando.regions.models import Region
from komando.sources.framework import AssetItem, SourceDataInvalid

ASSET_FIELDS = ("name", "lat", "lon", "online", "attributes")


@transaction.atomic
def do_sync_assets(source, kind: str, items: Iterable[AssetItem]) -> dict[str, Asset]:
    """Create or update ``source``'s assets of ``kind``, matched by (source, source_ref).

    Each item is an ``AssetItem`` (``komando.sources.framework``): ``source_ref`` and ``name``, and
    optionally ``lat``, ``lon``, ``region_code`` (dotted Kemendagri code), ``online`` and
    ``attributes``. Assets not in ``items`` are kept (a registry that drops one for a while must not
    erase its history).
    An unknown region code raises ``SourceDataInvalid`` naming it, so nothing is written.
    Returns the assets by ``source_ref``.
    """
    items = list(items)
    codes = {code for item in items if (code := item.get("region_code"))}
    regions = {region.code: region for region in Region.objects.filter(code__in=codes)}
    unknown = sorted(codes - regions.keys())
    if unknown:
        raise SourceDataInvalid(
            f"unknown region code {unknown[0]!r}" + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
        )

    existing = {asset.source_ref: asset for asset in Asset.objects.filter(source=source)}
    synced: dict[str, Asset] = {}
    for item in items:
        ref = str(item["source_ref"])
        values = {
            "name": item["name"],
            "lat": item.get("lat"),
            "lon": item.get("lon"),
            "online": bool(item.get("online", True)),
            "attributes": dict(item.get("attributes") or {}),
        }
        region = regions.get(item.get("region_code") or "")
        asset = existing.get(ref)
        if asset is None:
            asset = Asset.objects.create(source=source, kind=kind, source_ref=ref, region=region, **values)
        elif (
            asset.kind != kind
            or asset.region_id != (region.pk if region else None)
            or any(getattr(asset, name) != values[name] for name in ASSET_FIELDS)
        ):
            asset.kind = kind
            for name, value in values.items():
                setattr(asset, name, value)
            asset.region = region
            asset.save()
        synced[ref] = asset
    return synced
