"""Import limits, overridable in settings (and so per test)."""

from django.conf import settings

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 50_000
STORED_ERRORS = 1000  # errors kept on a rejected batch; the count is always complete


def max_bytes() -> int:
    return int(getattr(settings, "KOMANDO_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "KOMANDO_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))
