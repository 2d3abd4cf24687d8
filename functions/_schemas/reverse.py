"""Upload links (reverse shares): a new link, links as their owner sees them, the receipt."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from functions._schemas.base import Reject, RequestBody, Success, Timestamp
from functions._schemas.uploads import Option
from shared.access import passwords
from shared.clock import parse_ttl
from shared.config import Settings
from shared.reverse.limits import MAX_FILES
from shared.reverse.links import ReverseShare
from shared.reverse.receive import Receipt
from shared.reverse.service import NewLink

# JSON numbers stay exact up to 2**53; far beyond any storage account's capacity anyway.
MAX_BYTES = 2**53


class NewReverseShare(RequestBody):
    """POST /api/reverse_shares."""

    unparsable = Reject("The request body must be a JSON object")

    max_files: Annotated[
        int,
        Field(ge=1, le=MAX_FILES, description="Files the link accepts in all."),
        Reject(f"max_files must be a whole number from 1 to {MAX_FILES}"),
    ]
    max_bytes: Annotated[
        int,
        Field(ge=1, le=MAX_BYTES, description="Bytes the link accepts in all, over every file."),
        Reject("max_bytes must be a whole number of bytes, at least 1"),
    ]
    expires_in: Option = Field(
        default=None, description="Seconds until the link expires (as `expires_in` of uploads)."
    )
    file_expires_in: Option = Field(
        default=None,
        description="Seconds each received file lives; absent: DEFAULT_TTL_SECONDS.",
    )
    password: Annotated[
        str | None,
        Field(
            max_length=passwords.MAX_CHARS,
            description="Uploaders must send it (HTTP Basic); stored as an Argon2id hash.",
        ),
        Reject(
            f"password must be a string of at most {passwords.MAX_CHARS} characters", error_id=23
        ),
    ] = None
    group_id: Option = Field(
        default=None, description="A group's id: files land in the group (members only)."
    )

    def new_link(self, settings: Settings) -> NewLink:
        """The request, its times parsed as uploads parse them (400 naming a bad one)."""
        return NewLink(
            max_files=self.max_files,
            max_bytes=self.max_bytes,
            ttl_seconds=_ttl(self.expires_in, settings),
            file_ttl_seconds=_ttl(self.file_expires_in, settings, name="file_expires_in"),
            password=self.password,
            group_id=self.group_id,
        )


def _ttl(raw: str | None, settings: Settings, *, name: str = "expires_in") -> int:
    return parse_ttl(
        raw, default=settings.default_ttl_seconds, maximum=settings.max_ttl_seconds, name=name
    )


class ReverseShareInfo(BaseModel):
    """A link as its owner sees it; never the password."""

    id: str
    upload_url: str = Field(description="`/r/{id}` under PUBLIC_BASE_URL: give it to uploaders.")
    group_id: str | None
    created_at: Timestamp
    expires_at: Timestamp
    max_files: int
    max_bytes: int
    files_received: int = Field(description="Received, plus uploads in progress.")
    bytes_received: int = Field(description="Received, plus uploads in progress.")
    files_left: int
    bytes_left: int
    file_expires_in: int = Field(description="Seconds each received file lives.")
    password: bool = Field(description="Whether uploaders must send a password.")

    @classmethod
    def of(cls, link: ReverseShare, base_url: str) -> ReverseShareInfo:
        return cls(
            id=link.link_id,
            upload_url=upload_link(base_url, link.link_id),
            group_id=link.group_id,
            created_at=link.created_at,
            expires_at=link.expires_at,
            max_files=link.max_files,
            max_bytes=link.max_bytes,
            files_received=link.files_used,
            bytes_received=link.bytes_used,
            files_left=link.files_left,
            bytes_left=link.bytes_left,
            file_expires_in=link.file_ttl_seconds,
            password=link.password_hash is not None,
        )


def upload_link(base_url: str, link_id: str) -> str:
    return f"{base_url.rstrip('/')}/r/{link_id}"


class ReverseShareCreated(Success, ReverseShareInfo):
    pass


class ReverseShareList(Success):
    data: list[ReverseShareInfo] = Field(description="Live links, oldest first.")


class UploadLinkStatus(Success):
    """GET /r/{id} for a program: what the link still accepts (the page reads this)."""

    files_left: int
    bytes_left: int
    max_file_bytes: int = Field(description="The most one streamed upload may carry.")
    expires_at: Timestamp
    password: bool = Field(description="Whether a password must be sent (HTTP Basic).")

    @classmethod
    def of(cls, link: ReverseShare, settings: Settings) -> UploadLinkStatus:
        return cls(
            message="Upload link",
            files_left=link.files_left,
            bytes_left=link.bytes_left,
            max_file_bytes=min(settings.max_upload_bytes, link.bytes_left),
            expires_at=link.expires_at,
            password=link.password_hash is not None,
        )


class ReceivedFile(BaseModel):
    user_filename: str
    size: int


class UploadReceipt(Success):
    """What the uploader gets: never the file's link or key."""

    received: list[ReceivedFile]
    files_left: int
    bytes_left: int

    @classmethod
    def of(cls, receipt: Receipt) -> UploadReceipt:
        return cls(
            message="File received",
            received=[ReceivedFile(user_filename=receipt.user_filename, size=receipt.size)],
            files_left=receipt.files_left,
            bytes_left=receipt.bytes_left,
        )
