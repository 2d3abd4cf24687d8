"""Accounts (contract 1.2): sign-in bodies, sessions, an account's files and their transfer."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from functions._schemas.base import Envelope, Reject, RequestBody, Success, Timestamp
from shared.accounts.users import PASSWORD_CHARS, USERNAME_CHARS
from shared.files.catalog import file_link

NO_CREDENTIALS = Reject("No username/password provided", error_id=2)
NO_TOKEN = Reject("No access token provided", error_id=5)


def _normalized(username: str) -> str:
    """One spelling per name: surrounding spaces dropped, Unicode composed (NFC)."""
    return unicodedata.normalize("NFC", username.strip())


Username = Annotated[str, Field(min_length=1), AfterValidator(_normalized), NO_CREDENTIALS]
Password = Annotated[str, Field(min_length=1), NO_CREDENTIALS]


class Credentials(RequestBody):
    """POST /api/login."""

    unparsable = NO_CREDENTIALS

    username: Username
    password: Password


class NewCredentials(Credentials):
    """POST /api/register: a name and password within these rules (errorId 6 and 7)."""

    # users.register checks the rules, on the normalized name; the same constants state them here.

    username: Annotated[
        Username,
        Field(
            description="Printable, without / \\ # ? (errorId 6).",
            json_schema_extra={"minLength": USERNAME_CHARS[0], "maxLength": USERNAME_CHARS[1]},
        ),
    ]
    password: Annotated[
        Password,
        Field(
            description="errorId 7 outside these lengths.",
            json_schema_extra={"minLength": PASSWORD_CHARS[0], "maxLength": PASSWORD_CHARS[1]},
        ),
    ]


class Session(Envelope):
    """A signed-in account: its token and its name as registered."""

    access_token: str = Field(alias="accessToken")
    username: str
    message: str


class RefreshRequest(RequestBody):
    """POST /api/refresh_token: the token alone, without `Bearer`."""

    unparsable = NO_TOKEN

    access_token: Annotated[str, Field(alias="accessToken", min_length=1), NO_TOKEN]


class NewToken(Success):
    access_token: str = Field(alias="accessToken")


class FileEntry(BaseModel):
    """One live file of an account or group."""

    file_url: str
    file_url_full: str
    key: str | None = Field(
        description="The delete key: only for the file's uploader; null for other group members."
    )
    ext: str
    user_filename: str
    creation_date: str = Field(description="day.month.year, as the contract writes it.")
    synced: bool
    size: int
    expires_at: Timestamp
    received_via: str | None = Field(
        description="The upload link (reverse share) a stranger sent the file through, if any."
    )

    @classmethod
    def of(cls, entry: Mapping[str, Any], base_url: str) -> FileEntry:
        created = entry["created_at"]
        return cls(
            file_url=entry["file_url"],
            file_url_full=file_link(base_url, entry["file_url"]),
            key=entry["key"],
            ext=entry["ext"],
            user_filename=entry["user_filename"],
            creation_date=f"{created.day}.{created.month}.{created.year}",
            synced=True,
            size=entry["size"],
            expires_at=entry["expires_at"],
            received_via=entry.get("received_via"),
        )


class FileList(Success):
    username: str
    is_group_owner: bool
    data: list[FileEntry] = Field(description="Newest first.")


class TransferItem(BaseModel):
    """An anonymous upload to bind, by its link and key; other fields are sent back as they came."""

    model_config = ConfigDict(strict=True, extra="allow")

    file_url: str
    key: str


# Items of another shape are not an error: they come back in `unsuccess`, as sent.
Transferable = TransferItem | Any


class TransferRequest(RequestBody):
    """POST /api/transfer."""

    unparsable = Reject("Couldn't parse request body")

    data: Annotated[list[Transferable], Reject("No data field in request body")]


class TransferResult(Success):
    unsuccess: list[Transferable] = Field(description="The items that could not be bound.")
