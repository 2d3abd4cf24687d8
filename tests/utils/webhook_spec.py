"""A Standard Webhooks verifier written from the specification, independent of the app's code.

Spec (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md): the signed
content is "{webhook-id}.{webhook-timestamp}.{body}"; the signature is base64 of its HMAC-SHA256
under the secret (the base64 after "whsec_"); `webhook-signature` is a space-separated list of
"v1,<signature>"; a timestamp more than five minutes from now is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time


class Unverified(Exception):
    pass


def verify(secret: str, headers: dict[str, str], body: bytes, *, tolerance: int = 300) -> None:
    """Raise Unverified unless the headers sign `body` with `secret`."""
    message_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (message_id and timestamp and signatures):
        raise Unverified("missing webhook headers")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > tolerance:
        raise Unverified("timestamp outside the tolerance")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for entry in signatures.split(" "):
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return
    raise Unverified("no signature matches")
