"""A stored file's public facts: GET /api/metadata/{file_url}."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from functions._schemas.base import Success, Timestamp
from shared.files.catalog import file_link
from shared.files.records import FileRecord


class Metadata(Success):
    """Public metadata: never the key, never anything that consumes a download."""

    original_name: str
    content_type: str
    file_size: int
    download_count: int
    download_link: str
    created_at: Timestamp
    expires_at: Timestamp
    max_downloads: int | None = Field(description="null: unlimited.")
    downloads_left: int | None
    password_required: bool = Field(description="Whether downloads need the link's password.")
    encrypted: bool = Field(
        description="Encrypted in the client (docs/encryption.md): `original_name` is "
        "`encrypted.bin` and `file_size` the ciphertext's; the key is only in the link's fragment."
    )

    @classmethod
    def of(cls, record: FileRecord, base_url: str) -> Metadata:
        return cls(
            message="Metadata got successfully",
            original_name=record.user_filename,
            content_type=record.content_type,
            file_size=record.size,
            download_count=record.download_count,
            download_link=file_link(base_url, record.file_url),
            created_at=record.created_at,
            expires_at=record.expires_at,
            max_downloads=record.max_downloads,
            downloads_left=record.downloads_left,
            password_required=record.password_hash is not None,
            encrypted=record.encrypted,
        )


class LockedMetadata(Success):
    """A link with a password, asked about without it: only that, and when it expires."""

    password_required: Literal[True] = True
    expires_at: Timestamp

    @classmethod
    def of(cls, record: FileRecord) -> LockedMetadata:
        return cls(message="A password is needed", expires_at=record.expires_at)
