"""HTTP helpers shared by connector clients: one way to turn transport failures, HTTP statuses and
validation errors into the connector errors that show on a source's health. No Django here."""

from __future__ import annotations

import httpx
from pydantic import ValidationError

from komando.sources.framework import SourceAuthFailed, SourceServerError, SourceUnreachable


def describe_validation_error(error: ValidationError, what: str, limit: int = 3) -> str:
    """``what: field.path: message (got 'value'); …`` — short enough for a health line."""
    problems = []
    for item in error.errors()[:limit]:
        location = ".".join(str(part) for part in item["loc"]) or "body"
        if item["type"] == "json_invalid":
            problems.append(f"malformed JSON ({item['msg']})")
            continue
        shown = "" if item["type"] == "missing" else f" (got {item.get('input')!r:.60})"
        problems.append(f"{location}: {item['msg']}{shown}")
    more = error.error_count() - limit
    return f"{what}: " + "; ".join(problems) + (f"; and {more} more" if more > 0 else "")


def get_body(http: httpx.Client, url: str, *, application: str, timeout: float, params: dict | None = None) -> bytes:
    """GET ``url`` and return the body of a 200 answer; anything else raises a connector error."""
    try:
        response = http.get(url, params=params)
    except httpx.TimeoutException as error:
        raise SourceUnreachable(f"{application} did not answer within {timeout:g} s ({url})") from error
    except httpx.HTTPError as error:
        raise SourceUnreachable(f"{application} is unreachable at {url}: {error}") from error
    if response.status_code in (401, 403):
        raise SourceAuthFailed(f"{application} refused access (HTTP {response.status_code}) to {url}")
    if response.status_code >= 500:
        raise SourceServerError(f"{application} server error: HTTP {response.status_code} from {url}")
    if response.status_code != 200:
        raise SourceServerError(f"{application} answered HTTP {response.status_code} to {url}")
    return response.content
