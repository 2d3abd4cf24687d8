"""Shares: the body that creates an empty one, and the answers about shares."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from functions._schemas.base import Reject, RequestBody, Success, Timestamp
from functions._schemas.uploads import Option
from shared.files.catalog import file_link
from shared.files.records import FileRecord
from shared.shares.records import Member, ShareRecord


def share_link(base_url: str, share_id: str) -> str:
    return f"{base_url}/s/{share_id}"


class ShareDeclaration(RequestBody):
    """POST /api/shares as JSON: an empty share, to add files to."""

    unparsable = Reject("The request body must be a JSON object")

    expires_in: Option = None
    max_downloads: Option = None
    title: Option = None
    password: Option = Field(default=None, description="Stored only as an Argon2id hash.")
    group_id: Option = Field(default=None, description="`private` (the default) or a group's id.")

    def options(self) -> dict[str, str]:
        given = self.model_dump(
            include={"expires_in", "max_downloads", "title", "password", "group_id"}
        )
        return {name: value for name, value in given.items() if value is not None}


class LockedShare(Success):
    """A share with a password, asked about without it: only that, and when it expires."""

    password_required: Literal[True] = True
    expires_at: Timestamp

    @classmethod
    def of(cls, expires_at: datetime) -> LockedShare:
        return cls(message="A password is needed", expires_at=expires_at)


class SharedFile(BaseModel):
    file_url: str
    user_filename: str
    size: int

    @classmethod
    def of(cls, record: FileRecord) -> SharedFile:
        return cls(file_url=record.file_url, user_filename=record.user_filename, size=record.size)


class ShareCreated(Success):
    """A new share (with the files the request carried) and the key that manages it."""

    share_id: str
    share_url: str
    key: str = Field(description="The owner secret that adds files to the share and deletes it.")
    title: str | None
    expires_at: Timestamp
    max_downloads: int | None
    password_required: bool
    files: list[SharedFile]
    qr_url: str

    @classmethod
    def of(
        cls, share: ShareRecord, added: tuple[FileRecord, ...], base_url: str, message: str
    ) -> ShareCreated:
        return cls(
            message=message,
            share_id=share.share_id,
            share_url=share_link(base_url, share.share_id),
            key=share.key,
            title=share.title,
            expires_at=share.expires_at,
            max_downloads=share.max_downloads,
            password_required=share.password_hash is not None,
            files=[SharedFile.of(record) for record in added],
            qr_url=f"{share_link(base_url, share.share_id)}/qr",
        )


class ShareEntry(BaseModel):
    file_url: str
    file_url_full: str
    user_filename: str
    size: int
    content_type: str


class ShareManifest(Success):
    """What a share holds: never its key, and reading it never counts a download."""

    share_id: str
    title: str | None
    files: list[ShareEntry]
    total_size: int
    zip_url: str
    expires_at: Timestamp
    download_count: int = Field(description="Downloads of the whole share (its ZIP).")
    max_downloads: int | None
    downloads_left: int | None = Field(description="null: unlimited.")

    @classmethod
    def of(cls, share: ShareRecord, members: list[Member], base_url: str) -> ShareManifest:
        return cls(
            message="Share got successfully",
            share_id=share.share_id,
            title=share.title,
            files=[
                ShareEntry(
                    file_url=member.file_url,
                    file_url_full=file_link(base_url, member.file_url),
                    user_filename=member.user_filename,
                    size=member.size,
                    content_type=member.content_type,
                )
                for member in members
            ],
            total_size=sum(member.size for member in members),
            zip_url=f"{share_link(base_url, share.share_id)}/zip",
            expires_at=share.expires_at,
            download_count=share.download_count,
            max_downloads=share.max_downloads,
            downloads_left=share.downloads_left,
        )
