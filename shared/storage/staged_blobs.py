"""What a client wrote straight to Blob Storage: its blocks, its committed size, its headers."""

from __future__ import annotations

from dataclasses import dataclass

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.storage.blob import BlobBlock, ContentSettings

from shared.storage.clients import storage


@dataclass(frozen=True)
class Block:
    """A block as azure-storage-blob names it: the REST `blockid`, base64-decoded."""

    block_id: str
    size: int


@dataclass(frozen=True)
class Blocks:
    committed: list[Block]
    uncommitted: list[Block]


def _blocks(blocks: list[BlobBlock]) -> list[Block]:
    return [Block(str(block.id), int(block.size or 0)) for block in blocks]


async def blocks(name: str) -> Blocks:
    """Committed and uncommitted blocks; both empty while nothing was written."""
    client = await storage().blob(name)
    async with storage().call():
        try:
            committed, uncommitted = await client.get_block_list("all")
        except ResourceNotFoundError:
            return Blocks([], [])
    return Blocks(_blocks(committed), _blocks(uncommitted))


@dataclass(frozen=True)
class Committed:
    """A committed blob: its size, its ETag and the content headers it would be served with."""

    size: int
    etag: str
    # Content type, encoding, language, disposition and cache control, None where unset.
    headers: tuple[str | None, ...]

    def has_only(self, content_type: str) -> bool:
        """True if its only content header is `content_type`: as `reset_headers` leaves it."""
        return self.headers == (content_type, None, None, None, None)


async def committed(name: str) -> Committed | None:
    """The committed blob, or None while there is none."""
    client = await storage().blob(name)
    async with storage().call():
        try:
            props = await client.get_blob_properties()
        except ResourceNotFoundError:
            return None
    content = props.content_settings
    headers = (
        content.content_type,
        content.content_encoding,
        content.content_language,
        content.content_disposition,
        content.cache_control,
    )
    return Committed(int(props.size), str(props.etag), tuple(value or None for value in headers))


async def snapshot(name: str, *, etag: str) -> str | None:
    """Snapshot the blob if it is still `etag`: the snapshot's id, or None if it changed.

    A snapshot cannot be written, not even with a SAS for its blob: it keeps the published bytes.
    """
    client = await storage().blob(name)
    async with storage().call():
        try:
            result = await client.create_snapshot(
                etag=etag, match_condition=MatchConditions.IfNotModified
            )
        except (ResourceModifiedError, ResourceNotFoundError):
            return None
    return str(result["snapshot"])


async def reset_headers(name: str, *, content_type: str, etag: str) -> str | None:
    """Replace whatever content headers the client set with ours, if the blob is still `etag`.

    Returns the new ETag, or None if the blob changed or vanished meanwhile.
    """
    client = await storage().blob(name)
    async with storage().call():
        try:
            result = await client.set_http_headers(
                ContentSettings(content_type=content_type),
                etag=etag,
                match_condition=MatchConditions.IfNotModified,
            )
        except (ResourceModifiedError, ResourceNotFoundError):
            return None
    return str(result["etag"])
