"""One JSON contract for every endpoint of Komando (DRF): one error shape, one exception handler, the
parser that bounds a body, and the schema pieces every endpoint's OpenAPI entry uses.

Every refusal, whatever raised it (a serializer, a permission, DRF itself for 401/403/404/405/429,
or a view for a domain refusal), is answered as::

    {"error": {"code": "invalid_json", "message": "…", "fields": {"text": ["…"]}}}

``code`` is stable for scripts (the field app's queue reads it), ``message`` is for people (in the
request's language), ``fields`` names what was wrong per input field (empty when none)."""

from __future__ import annotations

import json

from django.utils.functional import lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

MAX_JSON_BODY = 64 * 1024
CSRF_PREFIX = "CSRF Failed"  # how DRF's SessionAuthentication words a refused CSRF check


class ApiError(exceptions.APIException):
    """A refusal a view answers with: ``ApiError(400, "invalid_status", message)``."""

    def __init__(self, status_code: int, code: str, message, fields: dict | None = None):
        super().__init__(detail=str(message), code=code)
        self.status_code = status_code
        self.error_code = code
        self.fields = fields or {}


def error_body(code: str, message, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for name, value in detail.items():
            text = _first_message(value)
            if text:
                return text if name in ("non_field_errors", "detail") or str(name) in text else f"{name}: {text}"
        return ""
    if isinstance(detail, list):
        return next((text for text in (_first_message(value) for value in detail) if text), "")
    return str(detail)


def exception_handler(exc, context):
    """DRF's handler (it turns Http404 and Django's PermissionDenied into API exceptions, sets the
    WWW-Authenticate and Retry-After headers), with its body rewritten into the one error shape."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields: dict = {}
    if isinstance(exc, ApiError):
        code, message, fields = exc.error_code, str(exc.detail), exc.fields
    elif isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {name: value if isinstance(value, list) else [value] for name, value in detail.items()}
        code, message = "invalid", _first_message(detail) or _("The request is not valid.")
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # The pages' endpoints answer 401 (their scripts send the user to log in again); DRF answers
        # 403 when no scheme offers a challenge, which /api/ keeps.
        if getattr(context.get("view"), "unauthenticated_status", None):
            response.status_code = context["view"].unauthenticated_status
        code, message = "login_required", _("Your session has ended. Log in again.")
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith(CSRF_PREFIX):
        code, message = "csrf_failed", _("The page's security token is missing or out of date. Reload the page.")
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
        message = _first_message(detail)
    response.data = error_body(code, message, fields)
    return response


class BoundedJSONParser(JSONParser):
    """JSON bodies up to ``MAX_JSON_BODY`` bytes, and only a JSON object (what every endpoint takes)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(MAX_JSON_BODY + 1) if stream is not None else b""
        if len(raw) > MAX_JSON_BODY:
            raise ApiError(400, "too_large", _("The request is too large."))
        if not raw.strip():
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise ApiError(400, "invalid_json", _("The request is not valid JSON.")) from error
        if not isinstance(data, dict):
            raise ApiError(400, "invalid_json", _("The request must be a JSON object."))
        return data


class JsonView(APIView):
    """The base of the pages' JSON endpoints: JSON in (a bounded object), JSON out."""

    renderer_classes = [JSONRenderer]
    parser_classes = [BoundedJSONParser]
    unauthenticated_status = status.HTTP_401_UNAUTHORIZED


def data_of(request) -> dict:
    """The parsed body; an empty object for a request without one."""
    data = request.data
    return data if isinstance(data, dict) else {}


def validated(serializer_class, data, **context) -> dict:
    """``serializer_class(data=data)`` validated: its ``validated_data``, or a 400 in the one shape."""
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Input fields with the messages the pages show (they name the field) -----------------------


def _says(message: str, **values):
    """A message translated when it is shown (not at import), with its values filled in."""
    return lazy(lambda: _(message) % values, str)()


class Text(serializers.CharField):
    """Text, stripped; missing or null is ``""`` unless required; at most ``limit`` characters."""

    def __init__(self, name: str, *, required: bool = False, limit: int = 4000, **kwargs):
        kwargs.setdefault("help_text", f"At most {limit} characters")
        super().__init__(
            required=required,
            allow_blank=not required,
            allow_null=not required,
            max_length=limit,
            error_messages={
                "invalid": _says("%(field)s must be text.", field=name),
                "required": _says("%(field)s is required.", field=name),
                "blank": _says("%(field)s is required.", field=name),
                "null": _says("%(field)s is required.", field=name),
                "max_length": _says("%(field)s is longer than %(max)s characters.", field=name, max=limit),
            },
            **({} if required else {"default": ""}),
            **kwargs,
        )

    def to_internal_value(self, data):
        if not isinstance(data, str):  # DRF would take a number as its digits
            self.fail("invalid")
        return super().to_internal_value(data)

    def validate_empty_values(self, data):
        if data is None and not self.required:
            return True, ""
        return super().validate_empty_values(data)


class Number(serializers.IntegerField):
    """A positive whole number (an id), as a number or its digits."""

    def __init__(self, name: str, **kwargs):
        message = _says("%(field)s must be a number.", field=name)
        kwargs.setdefault("required", True)
        if not kwargs["required"]:
            kwargs.setdefault("allow_null", True)
            kwargs.setdefault("default", None)
        super().__init__(
            min_value=0,
            error_messages={
                "invalid": message,
                "min_value": message,
                "max_string_length": message,
                "required": _says("%(field)s is required.", field=name),
            },
            **kwargs,
        )

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).isdigit():
            self.fail("invalid")
        return super().to_internal_value(data)

    def validate_empty_values(self, data):
        if data == "" and not self.required:
            return True, None
        return super().validate_empty_values(data)


class Flag(serializers.BooleanField):
    """``true`` or ``false`` only (DRF would also take "yes", "on", 1)."""

    def __init__(self, name: str, **kwargs):
        kwargs.setdefault("default", False)
        super().__init__(error_messages={"invalid": _says("%(field)s must be true or false.", field=name)}, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


# --- Schema -------------------------------------------------------------------------------------


class ApiErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for scripts: login_required, csrf_failed, invalid, not_found, …")
    message = serializers.CharField(help_text="For people, in the request's language")
    fields = serializers.DictField(child=serializers.JSONField(), help_text="What was wrong per input field; empty when none")


class ApiErrorSerializer(serializers.Serializer):
    error = ApiErrorDetailSerializer()


ERROR_TEXTS = {
    400: "Bad input (a serializer's or an action's refusal)",
    401: "Not signed in, or the session has ended",
    403: "Not allowed (role, CSRF token)",
    404: "No such object, or not visible to this user",
    405: "Method not allowed",
    409: "Conflict with the stored state",
    429: "Too many requests",
    502: "The source behind the endpoint did not answer",
    503: "Not configured",
}


def errors(*codes: int) -> dict:
    """``extend_schema(responses={200: X, **errors(400, 403)})``: the error shape for those statuses."""
    return {code: OpenApiResponse(ApiErrorSerializer, description=ERROR_TEXTS.get(code, "Error")) for code in codes}
