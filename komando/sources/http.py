"""HTTP helpers shared by connector clients: one way to turn transport failures, HTTP statuses and
validation errors into the connector errors that show on a source's health. No Django here."""

from __future__ import annotations

from typing import Annotated, ClassVar, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from komando.sources.framework import SourceAuthFailed, SourceDataInvalid, SourceServerError, SourceUnreachable


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


def send(http: httpx.Client, method: str, url: str, *, application: str, timeout: float, **kwargs) -> httpx.Response:
    """One request; a timeout or a transport failure raises ``SourceUnreachable`` (the answer, whatever
    its status, is returned)."""
    try:
        return http.request(method, url, **kwargs)
    except httpx.TimeoutException as error:
        raise SourceUnreachable(f"{application} did not answer within {timeout:g} s ({url})") from error
    except httpx.HTTPError as error:
        raise SourceUnreachable(f"{application} is unreachable at {url}: {error}") from error


def check_status(
    response: httpx.Response, url: str, *, application: str, refused: str = "access", show_body: bool = False
) -> bytes:
    """The body of a 200 answer; 401/403 raise ``SourceAuthFailed`` (``application refused <refused>``),
    anything else ``SourceServerError``."""
    if response.status_code in (401, 403):
        raise SourceAuthFailed(f"{application} refused {refused} (HTTP {response.status_code}) to {url}")
    if response.status_code >= 500:
        raise SourceServerError(f"{application} server error: HTTP {response.status_code} from {url}")
    if response.status_code != 200:
        shown = f": {response.text[:200]}" if show_body else ""
        raise SourceServerError(f"{application} answered HTTP {response.status_code} to {url}{shown}")
    return response.content


def get_body(http: httpx.Client, url: str, *, application: str, timeout: float, params: dict | None = None) -> bytes:
    """GET ``url`` and return the body of a 200 answer; anything else raises a connector error."""
    response = send(http, "GET", url, application=application, timeout=timeout, params=params)
    return check_status(response, url, application=application)


KELURAHAN_CODE = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"
KECAMATAN_CODE = r"^\d{2}\.\d{2}\.\d{2}$"
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
KelurahanCode = Annotated[str, StringConstraints(pattern=KELURAHAN_CODE)]
KecamatanCode = Annotated[str, StringConstraints(pattern=KECAMATAN_CODE)]


class StrictModel(BaseModel):
    """The base of every wire model: strict types (no "12" for 12), frozen, and fields that are not
    named are dropped on parsing (names, NIK, phone numbers never leave the client)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


ModelT = TypeVar("ModelT")


def parse_json(model: type[ModelT] | TypeAdapter, body: bytes, what: str) -> ModelT:
    """``body`` validated as ``model`` (a pydantic model or a ``TypeAdapter``); malformed JSON or a
    wrong type raises ``SourceDataInvalid`` saying where (``what: field.path: message``)."""
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_json(body)
        return model.model_validate_json(body)
    except ValidationError as error:
        raise SourceDataInvalid(describe_validation_error(error, what)) from error


class JsonClient:
    """The base of a connector's HTTP client: request, HTTP status → typed connector error, JSON
    parse, strict model validation. ``application`` names the source in every error."""

    application: ClassVar[str] = "the application"
    accept: ClassVar[str] = "application/json"

    def __init__(self, base_url: str, timeout_seconds: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout_seconds

    def session(self, **headers: str) -> httpx.Client:
        """An HTTP session with this client's timeout (use it as a context manager)."""
        return httpx.Client(timeout=self.timeout, headers={"Accept": self.accept, **headers})

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}{path}"

    def get_body(self, http: httpx.Client, path: str, params: dict | None = None) -> bytes:
        return get_body(http, self.url(path), application=self.application, timeout=self.timeout, params=params)

    def get_model(
        self, http: httpx.Client, path: str, model: type[ModelT] | TypeAdapter, what: str, params: dict | None = None
    ) -> ModelT:
        """GET ``path`` and validate its body as ``model``."""
        return parse_json(model, self.get_body(http, path, params), what)
