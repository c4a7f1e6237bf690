"""Encryption at rest of connector credentials an administrator sets on the source health page.

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) through ``MultiFernet`` so that the key
can be rotated:

- ``KOMANDO_SECRETS_KEY`` (or ``KOMANDO_SECRETS_KEY_FILE``): one or more Fernet keys separated by
  commas; the first encrypts, all decrypt. Make a key with ``komando secrets-key generate``.
- Unset: one key derived from Django's ``SECRET_KEY`` with HKDF-SHA256 (so changing ``SECRET_KEY``
  makes stored credentials unreadable; set ``KOMANDO_SECRETS_KEY`` in production).
- Rotation: put the new key first (``KOMANDO_SECRETS_KEY=new,old``), run
  ``komando secrets-key reencrypt``, then drop the old key.

``stored_credentials(source)`` reads a source's stored values back, decrypted (the connector registry
lays them over the environment's config).

No plaintext is ever logged or audited; a token that no configured key opens raises
``SecretsKeyError`` with a message that says what to do.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from komando.core.env import env_str

KEY_VARIABLE = "KOMANDO_SECRETS_KEY"
HKDF_SALT = b"komando.sources.credentials"
HKDF_INFO = b"fernet key for connector credentials"


class SecretsKeyError(Exception):
    """The configured key cannot encrypt or decrypt (malformed key, or not the key a value was stored with)."""


def derived_key(secret_key: str) -> bytes:
    """A Fernet key derived from ``SECRET_KEY`` (used when ``KOMANDO_SECRETS_KEY`` is unset)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw)


def configured_keys() -> list[bytes]:
    raw = env_str(KEY_VARIABLE, "").strip()
    if not raw:
        return [derived_key(settings.SECRET_KEY)]
    return [part.strip().encode() for part in raw.split(",") if part.strip()]


def fernet() -> MultiFernet:
    keys = []
    for position, key in enumerate(configured_keys(), start=1):
        try:
            keys.append(Fernet(key))
        except (ValueError, TypeError) as error:
            raise SecretsKeyError(
                f"{KEY_VARIABLE}: key {position} is not a Fernet key (32 url-safe base64-encoded bytes); "
                "make one with `komando secrets-key generate`"
            ) from error
    return MultiFernet(keys)


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str, what: str = "a stored credential") -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretsKeyError(
            f"{what} cannot be decrypted with the configured {KEY_VARIABLE} (was the key changed? list the old "
            "key after the new one, or set the credential again on the source health page)"
        ) from error


def reencrypt(token: str, what: str = "a stored credential") -> str:
    """The same value encrypted with the first (newest) key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise SecretsKeyError(f"{what} cannot be decrypted with any key in {KEY_VARIABLE}") from error


def generate_key() -> str:
    return Fernet.generate_key().decode()


def stored_credentials(source) -> dict[str, str]:
    """The decrypted credentials stored for ``source`` (they override the environment). A value no
    configured key opens is reported as an authentication failure on the source's health."""
    from komando.sources.framework import SourceAuthFailed
    from komando.sources.models import SourceCredential

    values = {}
    for credential in SourceCredential.objects.filter(source_id=source.pk):
        try:
            values[credential.field] = decrypt(credential.ciphertext, f"stored credential {credential.field!r} of {source.slug}")
        except SecretsKeyError as error:
            raise SourceAuthFailed(str(error)) from error
    return values
