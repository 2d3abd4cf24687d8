"""Signing secrets: made, sealed at rest, and used to sign per the Standard Webhooks spec.

A secret is `whsec_` + base64 of 24 random bytes, shown to its owner once. The sender needs it
again for every delivery, so it is stored, sealed with AES-256-GCM under a key derived (HKDF) from
JWT_SECRET and bound to its row's keys: a copy of the table alone signs nothing, and a sealed
secret moved to another row does not open. Rotating JWT_SECRET therefore makes existing secrets
unreadable; such endpoints are disabled with that reason and must be created again.
"""

from __future__ import annotations

import base64
import binascii
import functools
import secrets
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 - the spec's prefix, not a secret
_SECRET_BYTES = 24
_NONCE_BYTES = 12
_KEY_INFO = b"fileshare webhook signing secrets v1"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(_SECRET_BYTES)).decode()


def signature_headers(secret: str, *, message_id: str, now: datetime, body: str) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp` (this attempt's) and `webhook-signature` (v1, HMAC)."""
    signature = Webhook(secret).sign(message_id, now, body)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }


@functools.lru_cache(maxsize=4)
def _key(jwt_secret: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(
        jwt_secret.encode()
    )
    return AESGCM(derived)


def seal(secret: str, *, jwt_secret: str, context: str) -> str:
    """The secret encrypted for storage; `context` (the row's keys) must match to open it."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = _key(jwt_secret).encrypt(nonce, secret.encode(), context.encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal(sealed: str, *, jwt_secret: str, context: str) -> str | None:
    """The secret, or None when it was sealed under another JWT_SECRET or for another row."""
    try:
        raw = base64.b64decode(sealed, validate=True)
        plain = _key(jwt_secret).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
    except (InvalidTag, ValueError, binascii.Error):
        return None
    return plain.decode()
