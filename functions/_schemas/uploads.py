"""Uploads: the streamed upload's answer and the direct (client → Blob Storage) upload's bodies."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from functions._schemas.base import Reject, RequestBody, Success, Timestamp
from shared.accounts.auth import Identity
from shared.files import direct_uploads, uploads
from shared.files.catalog import file_link
from shared.files.pending_uploads import PendingUpload
from shared.files.records import FileRecord
from shared.storage.staged_blobs import Block as StagedBlock
from shared.web.qr import qr_link

AuthErrorDetail = Annotated[
    dict[str, str | int],
    Field(description="`{}`, or the section 1.1 error (message, errorId) of the token sent."),
]


class EvictedFile(BaseModel):
    file_url: str
    user_filename: str


class UploadResult(Success):
    """A published file, as `POST /api/upload/{group_id}` answers (direct uploads too)."""

    file_url: str
    file_url_full: str
    key: str = Field(description="The owner secret that deletes the file.")
    ext: str
    user_filename: str
    synced: bool = Field(description="Whether the file is listed in an account or group.")
    auth_error: AuthErrorDetail
    size: int
    content_type: str
    expires_at: Timestamp
    max_downloads: int | None
    password_required: bool = Field(description="Whether downloads need the password.")
    encrypted: bool = Field(
        description="Encrypted in the client: name, type and size are the ciphertext's."
    )
    qr_url: str
    evicted: list[EvictedFile] = Field(
        description="The account's oldest files this upload pushed over MAX_FILES_PER_USER."
    )

    @classmethod
    def of(cls, published: uploads.Published, identity: Identity, base_url: str) -> UploadResult:
        record = published.record
        return cls(
            message="File uploaded successfully",
            file_url=record.file_url,
            file_url_full=file_link(base_url, record.file_url),
            key=record.key,
            ext=record.ext,
            user_filename=record.user_filename,
            synced=identity.username is not None,
            auth_error=identity.auth_error,
            size=record.size,
            content_type=record.content_type,
            expires_at=record.expires_at,
            max_downloads=record.max_downloads,
            password_required=record.password_hash is not None,
            encrypted=record.encrypted,
            qr_url=qr_link(base_url, record.file_url),
            evicted=[
                EvictedFile(file_url=old.file_url, user_filename=old.user_filename)
                for old in published.evicted
            ],
        )


def _form_text(value: object) -> object:
    """A JSON scalar as the same option reads in a form field (`true`, `3600`); else unchanged."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("blank")
    return value


# An option of POST /api/upload, given as JSON: a string, number or boolean (null: not given).
Option = Annotated[
    str | None,
    BeforeValidator(_form_text, json_schema_input_type=str | int | float | bool | None),
    Reject("{field} must be a string or a number"),
]


class UploadDeclaration(RequestBody):
    """POST /api/uploads: the file a client is about to put into storage, and its options."""

    unparsable = Reject("The request body must be a JSON object")

    filename: Annotated[
        str, Field(min_length=1), AfterValidator(_not_blank), Reject("filename is required")
    ]
    size: Annotated[
        int,
        Field(ge=0, description="The file's length in bytes; the upload must match it."),
        Reject("size must be the file's length in bytes, a whole number"),
    ]
    expires_in: Option = None
    max_downloads: Option = None
    group_id: Option = Field(default=None, description="`private` (the default) or a group's id.")
    include_ext: Option = None
    reverse_share_id: Option = Field(
        default=None,
        description="Send the file through this upload link (its password as HTTP Basic): the "
        "link's terms replace the options, and completing answers a receipt.",
    )
    password: Annotated[
        str | None,
        Field(
            max_length=1024,
            description="A password for the link (1 to 1024 characters); stored as an "
            "Argon2id hash, asked for with HTTP Basic on every download.",
        ),
        Reject("password must be a string of at most 1024 characters", error_id=23),
    ] = None
    share_id: Option = Field(
        default=None,
        description="Upload into this share (with its `key`): the file takes the share's "
        "expiry, limit, password and owner, so leave those options out.",
    )
    key: Option = Field(default=None, description="The share's key, with `share_id`.")

    encrypted: Option = Field(
        default=None,
        description="`true`: the client encrypts the bytes, name and type (docs/encryption.md); "
        "`size` is the ciphertext's. The file is stored as `encrypted.bin`.",
    )

    def options(self) -> dict[str, str]:
        """The options given, as the same form fields of `POST /api/upload` would carry them."""
        names = {"expires_in", "max_downloads", "group_id", "include_ext", "encrypted"}
        names |= {"share_id", "key", "reverse_share_id"}
        given = self.model_dump(include=names)
        return {name: value for name, value in given.items() if value}


class _OpenUpload(Success):
    file_url: str
    user_filename: str
    size: int
    upload_url: str = Field(description="A SAS for the one blob: create and write only.")
    block_size: int = Field(description="Bytes per block to stage (the last may be smaller).")
    expires_at: Timestamp = Field(description="When `upload_url` stops working.")

    @staticmethod
    def described(upload: PendingUpload, upload_url: str) -> dict[str, object]:
        return {
            "file_url": upload.file_url,
            "user_filename": upload.user_filename,
            "size": upload.size,
            "upload_url": upload_url,
            "block_size": upload.block_size,
            "expires_at": upload.sas_expires_at,
        }


class DirectUpload(_OpenUpload):
    """An authorised direct upload; nothing is visible until it is completed."""

    key: str
    synced: bool
    auth_error: AuthErrorDetail

    @classmethod
    def of(cls, grant: direct_uploads.Grant) -> DirectUpload:
        return cls.model_validate(
            {
                "message": "Upload authorised",
                **cls.described(grant.upload, grant.upload_url),
                "key": grant.upload.key,
                "synced": grant.identity.username is not None,
                "auth_error": grant.identity.auth_error,
            }
        )


class Block(BaseModel):
    id: str
    size: int


def _blocks(blocks: list[StagedBlock]) -> list[Block]:
    return [Block(id=block.block_id, size=block.size) for block in blocks]


class UploadPending(_OpenUpload):
    """A direct upload not yet completed, with a fresh `upload_url` and the blocks storage holds."""

    state: Literal["pending", "publishing"]
    committed: list[Block]
    uncommitted: list[Block]

    @classmethod
    def of(cls, opened: direct_uploads.OpenUpload) -> UploadPending:
        return cls.model_validate(
            {
                "message": "Upload in progress",
                **cls.described(opened.upload, opened.upload_url),
                "state": opened.upload.state,
                "committed": _blocks(opened.blocks.committed),
                "uncommitted": _blocks(opened.blocks.uncommitted),
            }
        )


class UploadComplete(Success):
    """A direct upload that is published."""

    state: Literal["complete"] = "complete"
    file_url: str
    file_url_full: str
    size: int

    @classmethod
    def of(cls, record: FileRecord, base_url: str) -> UploadComplete:
        return cls(
            message="Upload complete",
            file_url=record.file_url,
            file_url_full=file_link(base_url, record.file_url),
            size=record.size,
        )
