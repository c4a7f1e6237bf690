"""The intake catalogue: every category with its current SOP playbook version, cached per process.

Every report reads its category and the SOP it starts under; building those two queries through the
ORM on each report cost more than the report's own writes. The catalogue is read once and kept, and
a plain-SQL fingerprint notices what another process wrote: a new playbook version (versions are
immutable, so a new one means a new highest id), a new playbook or category, and a changed category
(``Category.updated_at``). The fingerprint is read at most once per ``CHECK_SECONDS`` (a burst of
reports shares one check; a quiet city checks on every report), so another worker's change is seen
within that second. Saves in this process clear the cache at once (signals); anything else (an
agency renamed) is picked up within ``CACHE_SECONDS``.

The cached instances are shared between threads and must be treated as read-only.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.db import connection

from komando.incidents.models import Category, Playbook, PlaybookVersion

CACHE_SECONDS = 60
CHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Entry:
    category: Category
    version: PlaybookVersion | None  # None: the category has no SOP playbook yet


@dataclass
class _Catalogue:
    fingerprint: tuple
    built_at: float
    checked_at: float
    by_code: dict[str, Entry]
    by_lower_code: dict[str, list[Entry]]  # in the categories' own order


_catalogue: _Catalogue | None = None
_lock = threading.Lock()


def _fingerprint() -> tuple:
    quote = connection.ops.quote_name
    category, playbook, version = (quote(model._meta.db_table) for model in (Category, Playbook, PlaybookVersion))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(id) FROM {category}), (SELECT MAX(updated_at) FROM {category}), "
            f"(SELECT COUNT(id) FROM {playbook}), (SELECT MAX(id) FROM {version})"
        )
        return tuple(cursor.fetchone())


def _build(fingerprint: tuple) -> _Catalogue:
    categories = {category.pk: category for category in Category.objects.filter(active=True).select_related("parent")}
    current: dict[int, PlaybookVersion] = {}
    for version in (
        PlaybookVersion.objects.filter(playbook__category__in=list(categories))
        .select_related("agency", "playbook")
        .order_by("playbook__category_id", "number")
    ):
        current[version.playbook.category_id] = version  # the highest number wins
    by_code = {category.code: Entry(category, current.get(pk)) for pk, category in categories.items()}
    by_lower_code: dict[str, list[Entry]] = {}
    for found in sorted(by_code.values(), key=lambda e: (e.category.sort_order, e.category.name, e.category.pk)):
        by_lower_code.setdefault(found.category.code.lower(), []).append(found)
    now = time.monotonic()
    return _Catalogue(fingerprint=fingerprint, built_at=now, checked_at=now, by_code=by_code, by_lower_code=by_lower_code)


def _current() -> _Catalogue:
    global _catalogue
    catalogue = _catalogue
    now = time.monotonic()
    if catalogue is not None and now - catalogue.checked_at < CHECK_SECONDS and now - catalogue.built_at < CACHE_SECONDS:
        return catalogue
    fingerprint = _fingerprint()
    if catalogue is None or catalogue.fingerprint != fingerprint or now - catalogue.built_at > CACHE_SECONDS:
        with _lock:
            catalogue = _build(fingerprint)
            _catalogue = catalogue
    else:
        catalogue.checked_at = now
    return catalogue


def entry(code: str, *, with_playbook: bool = False) -> Entry | None:
    """The active category of ``code`` (exact, else case-insensitive) with its current playbook version;
    ``with_playbook``: only a category that has one (an Open311 service)."""
    code = str(code or "").strip()
    if not code:
        return None
    catalogue = _current()
    exact = catalogue.by_code.get(code)
    if exact is not None and (exact.version is not None or not with_playbook):
        return exact
    for found in catalogue.by_lower_code.get(code.lower(), ()):
        if found.version is not None or not with_playbook:
            return found
    return None


def current_version_of(category: Category) -> PlaybookVersion | None:
    """The current playbook version of an active category (None when it has none)."""
    found = _current().by_code.get(category.code)
    if found is None or found.category.pk != category.pk:
        return None
    return found.version


def clear_cache(**kwargs) -> None:
    global _catalogue
    _catalogue = None


def connect_cache_invalidation() -> None:
    from django.db.models.signals import post_delete, post_save

    from komando.agencies.models import Agency

    for model in (Category, Playbook, PlaybookVersion, Agency):
        name = model._meta.label_lower
        post_save.connect(clear_cache, sender=model, dispatch_uid=f"komando.incidents.catalogue.{name}.saved")
        post_delete.connect(clear_cache, sender=model, dispatch_uid=f"komando.incidents.catalogue.{name}.deleted")
