import json

from django.core.serializers.json import DjangoJSONEncoder
from django.forms.models import model_to_dict

from komando.audit.middleware import current_request
from komando.audit.models import AuditRecord

SECRET_FIELDS = {"password", "secret", "token", "api_key"}
MASK = "***"


def _is_secret(key) -> bool:
    return any(word in str(key).lower() for word in SECRET_FIELDS)


def _mask_nested(value):
    """Mask secret-looking keys inside JSON values too (e.g. a connector's cursor)."""
    if isinstance(value, dict):
        return {key: MASK if _is_secret(key) else _mask_nested(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_nested(item) for item in value]
    return value


def snapshot(instance, exclude=()) -> dict:
    """A JSON-safe picture of a model instance, secrets masked, ``exclude``d fields left out."""
    data = model_to_dict(instance)
    for key in list(data):
        if key in exclude:
            del data[key]
        elif _is_secret(key):
            data[key] = MASK
        elif hasattr(data[key], "pk"):
            data[key] = data[key].pk
        elif isinstance(data[key], (list, tuple)):
            data[key] = [getattr(v, "pk", v) for v in data[key]]
        else:
            data[key] = _mask_nested(data[key])
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))


def record_audit(
    *,
    actor,
    channel: str,
    action: str,
    instance=None,
    object_type: str = "",
    object_id: str = "",
    before=None,
    after=None,
    actor_username: str = "",
) -> AuditRecord:
    # SQLite would keep a longer action silently and PostgreSQL refuse it: refuse it everywhere.
    limit = AuditRecord._meta.get_field("action").max_length
    assert limit is not None  # a CharField always has one
    if not action or len(action) > limit:
        raise ValueError(f"An audit action is 1 to {limit} characters: {action!r}")
    request = current_request()
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    if instance is not None:
        object_type = object_type or instance._meta.label
        object_id = object_id or str(instance.pk or "")
    return AuditRecord.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_username=(getattr(actor, "username", "") or actor_username or "")[:150],
        channel=channel,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(instance)[:200] if instance is not None else "",
        before=before,
        after=after,
        ip_address=ip,
    )
