"""The library's exceptions; functions/_http.py turns them into the contract's JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class ServiceError(Exception):
    """A failure the client should see, with the contract's status, message and errorId."""

    status: int = 500
    message: str = "Internal server error"

    def __init__(self, message: str | None = None, *, error_id: int | None = None) -> None:
        self.message = message or type(self).message
        self.error_id = error_id
        super().__init__(self.message)

    def headers(self) -> dict[str, str]:
        return {}


class BadRequest(ServiceError):
    status = 400
    message = "Bad request"


class Forbidden(ServiceError):
    status = 403
    message = "Forbidden"


class NotFound(ServiceError):
    status = 404
    message = "Not found"


class MethodNotAllowed(ServiceError):
    status = 405
    message = "Method not allowed"

    def __init__(self, allowed: list[str]) -> None:
        super().__init__()
        self.allowed = allowed

    def headers(self) -> dict[str, str]:
        return {"Allow": ", ".join(self.allowed)}


class FileNotFound(NotFound):
    """Missing, expired and consumed files answer identically, so none can be told apart."""

    message = "File not found"


class ContentChanged(FileNotFound):
    """The stored bytes are not the ones published (rewritten through a leaked or still-valid
    upload SAS): never served, answered like a missing file, and the file is removed."""


class PayloadTooLarge(ServiceError):
    status = 413


class UploadLinkNotFound(NotFound):
    """Missing, expired and revoked upload links (reverse shares) answer identically."""

    message = "Upload link not found"


class UploadLinkFull(ServiceError):
    """The upload link received all the files it allows (errorId 40)."""

    status = 409
    message = "This upload link accepts no more files"

    def __init__(self) -> None:
        super().__init__(error_id=40)


class UploadLinkBytesExhausted(PayloadTooLarge):
    """The file would take the upload link past the bytes it allows (errorId 41)."""

    message = "The file exceeds what this upload link still accepts"

    def __init__(self) -> None:
        super().__init__(error_id=41)


class RangeNotSatisfiable(ServiceError):
    status = 416
    message = "Requested range not satisfiable"

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def headers(self) -> dict[str, str]:
        return {"Content-Range": f"bytes */{self.size}"}


class RateLimited(ServiceError):
    status = 429
    message = "Too many requests, try again later"

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class BeingScanned(ServiceError):
    """Malware scanning is on and has no verdict yet: the file is not served until it has."""

    status = 503
    message = "The file is being scanned for malware, try again shortly"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "10"}


class StorageUnavailable(ServiceError):
    status = 503
    message = "Storage is temporarily unavailable, try again shortly"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "5"}


class AuthError(ServiceError):
    """Section 1.1 of the contract: always 401, details nested in `auth_error`."""

    status = 401
    NO_HEADER = (-1, "No Authorization header provided")
    BAD_FORMAT = (-2, "Authorization header must have Bearer <token> format")
    EXPIRED = (-3, "Access token expired")
    INVALID = (-4, "Invalid access token")
    NOT_FOUND = (-5, "Token not found")

    def __init__(self, reason: tuple[int, str]) -> None:
        error_id, message = reason
        super().__init__(message, error_id=error_id)

    def auth_error(self) -> dict[str, Any]:
        return {"message": self.message, "errorId": self.error_id}


class ShareNotFound(NotFound):
    """Missing, expired, used-up and deleted shares answer identically, as files do."""

    message = "Share not found"

    def __init__(self) -> None:
        super().__init__(error_id=30)


class ShareFileLimited(Forbidden):
    """A file of a share with a download limit is downloaded only within the share's ZIP, so a
    download of the share is one thing to count (docs/api.md, shares)."""

    message = "This file is in a share with a download limit: download the whole share as a ZIP"

    def __init__(self) -> None:
        super().__init__(error_id=31)


class LinkLocked(ServiceError):
    """A link with a password, asked for without the right one (shared/access/unlock.py).

    Always 401 without `WWW-Authenticate: Basic`, so a browser never shows its own dialog: a
    browser gets the password page instead (functions/_http.py). `expires_at` is what the page
    may tell before the link is unlocked.
    """

    status = 401
    error_id_of: int = 0  # each subclass's errorId

    def __init__(self, message: str | None = None, *, expires_at: datetime | None = None) -> None:
        super().__init__(message, error_id=self.error_id_of)
        self.expires_at = expires_at


class PasswordRequired(LinkLocked):
    message = "This link needs a password: send it with HTTP Basic (any user name)"
    error_id_of = 20


class WrongPassword(LinkLocked):
    message = "Wrong password"
    error_id_of = 21
