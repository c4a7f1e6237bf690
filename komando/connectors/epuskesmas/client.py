"""SATUSEHAT-style FHIR R4 client: OAuth2 client credentials, paged searches, validation (no Django).

Every resource is validated with ``fhir.resources.R4B``; a resource that fails raises
``SourceDataInvalid`` naming its type, id and the first errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from komando.sources.framework import SourceAuthFailed, SourceDataInvalid, SourceServerError, SourceUnreachable


def _outcome_text(response: httpx.Response) -> str:
    """The ``OperationOutcome`` details of an error response, or a bit of its body."""
    try:
        body = response.json()
        issues = body.get("issue") or []
        texts = [
            (issue.get("details") or {}).get("text") or issue.get("diagnostics") or issue.get("code", "") for issue in issues
        ]
        if any(texts):
            return "; ".join(t for t in texts if t)
    except (ValueError, AttributeError):
        pass
    return response.text[:200]


class FhirClient:
    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float,
        fhir_path: str = "/fhir-r4/v1",
        token_path: str = "/oauth2/v1/accesstoken",
    ):
        self.base_url = base_url.rstrip("/")
        self.fhir_base = self.base_url + fhir_path
        self.token_url = self.base_url + token_path
        self.client_id = client_id
        self.client_secret = client_secret
        self.http = httpx.Client(timeout=timeout, headers={"Accept": "application/fhir+json"})
        self.token: str | None = None
        self.models: dict[str, Any] = {}

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> FhirClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- transport -------------------------------------------------------------------------
    def _send(self, method: str, url: str, **kwargs) -> httpx.Response:
        try:
            return self.http.request(method, url, **kwargs)
        except httpx.TimeoutException as error:
            raise SourceUnreachable(f"e-Puskesmas timed out on {url}: {error}") from error
        except httpx.TransportError as error:
            raise SourceUnreachable(f"e-Puskesmas unreachable at {url}: {error}") from error

    def authenticate(self) -> None:
        response = self._send(
            "POST",
            self.token_url,
            params={"grant_type": "client_credentials"},
            data={"client_id": self.client_id, "client_secret": self.client_secret},
        )
        if response.status_code in (400, 401, 403):
            raise SourceAuthFailed(f"access token refused (HTTP {response.status_code}): {_outcome_text(response)}")
        if response.status_code >= 500:
            raise SourceServerError(f"token endpoint failed (HTTP {response.status_code}): {_outcome_text(response)}")
        body = self._json(response, "access token response")
        token = body.get("access_token") if isinstance(body, dict) else None
        if response.status_code != 200 or not isinstance(token, str) or not token:
            raise SourceAuthFailed(f"no access_token in the token response (HTTP {response.status_code})")
        self.token = token

    def _json(self, response: httpx.Response, what: str) -> Any:
        try:
            return response.json()
        except (ValueError, UnicodeDecodeError) as error:
            raise SourceDataInvalid(f"{what} is not valid JSON: {error}") from error

    def get(self, url: str, params: dict | None = None) -> Any:
        if self.token is None:
            self.authenticate()
        for attempt in (1, 2):
            response = self._send("GET", url, params=params, headers={"Authorization": f"Bearer {self.token}"})
            if response.status_code == 401 and attempt == 1:
                self.authenticate()  # the token may have expired: one fresh token, then give up
                continue
            break
        if response.status_code in (401, 403):
            raise SourceAuthFailed(f"FHIR request refused (HTTP {response.status_code}): {_outcome_text(response)}")
        if response.status_code >= 500:
            raise SourceServerError(f"FHIR server error (HTTP {response.status_code}) on {url}: {_outcome_text(response)}")
        if response.status_code != 200:
            raise SourceDataInvalid(f"unexpected HTTP {response.status_code} on {url}: {_outcome_text(response)}")
        return self._json(response, f"response of {url}")

    # --- FHIR ------------------------------------------------------------------------------
    def validate(self, resource: Any, expected_type: str | None = None) -> dict:
        """Validate one resource with fhir.resources (R4B); returns the plain dict."""
        if not isinstance(resource, dict):
            raise SourceDataInvalid(f"expected a FHIR resource object, got {type(resource).__name__}")
        kind = resource.get("resourceType")
        ident = f"{kind}/{resource.get('id', '?')}"
        if expected_type is not None and kind != expected_type:
            raise SourceDataInvalid(f"expected a {expected_type}, got {ident}")
        model = self.models.get(kind)
        if model is None:
            try:
                model = self.models[kind] = get_fhir_model_class(kind)
            except (KeyError, ValueError, TypeError) as error:
                raise SourceDataInvalid(f"unknown FHIR resourceType {kind!r}") from error
        try:
            model.model_validate(resource)
        except ValidationError as error:
            details = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in error.errors()[:3])
            raise SourceDataInvalid(f"invalid {ident}: {details}") from None
        return resource

    def search(self, resource_type: str, params: dict[str, Any]) -> Iterator[dict]:
        """All resources of a search, following ``next`` links, each validated.

        The next page is requested in a background thread while this one is validated, so the
        server's work and ours overlap (validation is most of a back-fill's time)."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fhir-prefetch") as prefetch:
            pending: Future | None = prefetch.submit(self.get, f"{self.fhir_base}/{resource_type}", params)
            while pending is not None:
                bundle = pending.result()
                pending = None
                next_url = self._check_bundle(resource_type, bundle)
                if next_url:
                    pending = prefetch.submit(self.get, next_url, None)
                try:
                    yield from self._validated_entries(resource_type, bundle)
                except BaseException:
                    if pending is not None:
                        pending.cancel()
                    raise

    def _check_bundle(self, resource_type: str, bundle: Any) -> str | None:
        """Checks a search Bundle's envelope; returns its ``next`` link."""
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise SourceDataInvalid(f"{resource_type} search did not return a Bundle")
        if bundle.get("type") != "searchset":
            raise SourceDataInvalid(f"{resource_type} search returned a {bundle.get('type')!r} Bundle")
        if not isinstance(bundle.get("entry") or [], list) or not isinstance(bundle.get("link") or [], list):
            raise SourceDataInvalid(f"{resource_type} search Bundle has a non-list entry or link")
        return next(
            (link.get("url") for link in bundle.get("link") or [] if isinstance(link, dict) and link.get("relation") == "next"),
            None,
        )

    def _validated_entries(self, resource_type: str, bundle: dict) -> Iterator[dict]:
        for entry in bundle.get("entry") or []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(entry, dict) and (entry.get("search") or {}).get("mode") == "include":
                continue
            yield self.validate(resource, resource_type)

    def search_by_ids(self, resource_type: str, ids: list[str], batch: int = 100) -> Iterator[dict]:
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            yield from self.search(resource_type, {"_id": ",".join(chunk), "_count": len(chunk)})
