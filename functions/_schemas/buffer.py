"""The cloud buffer: an item's description (its bytes are sent as they are, not as JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from functions._schemas.base import Success, Timestamp
from shared.buffer import service


class BufferItem(BaseModel):
    id: str
    type: Literal["text", "file"]
    name: str | None = Field(description="A file's name; null for text.")
    size: int
    content_type: str
    created_at: Timestamp
    expires_at: Timestamp
    url: str = Field(description="Where the item's bytes are: `GET` with the token.")

    @classmethod
    def of(cls, item: service.BufferItem, base_url: str) -> BufferItem:
        return cls.model_validate(
            {
                "id": item.item_id,
                "type": item.data_type,
                "name": item.name,
                "size": item.size,
                "content_type": item.content_type,
                "created_at": item.created_at,
                "expires_at": item.expires_at,
                "url": f"{base_url}/api/buffer/history/{item.item_id}",
            }
        )


class BufferStored(Success):
    item: BufferItem


class BufferCleared(Success):
    deleted: int = Field(description="How many items were deleted.")


class BufferHistory(Success):
    data: list[BufferItem] = Field(description="Newest first.")
