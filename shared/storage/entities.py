"""Point operations on any of the app's tables, with SDK errors translated once.

Conditional writes report a lost race as a return value (False/None) rather than an exception, so
callers that retry on ETag conflicts read plainly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import EntityProperty, TableTransactionError, UpdateMode

from shared.storage.clients import storage

Entity = dict[str, Any]


def plain(entity: Mapping[str, Any]) -> Entity:
    """Entity values as plain Python (Int64 arrives wrapped); the row's ETag under `etag`."""
    values = {k: v.value if isinstance(v, EntityProperty) else v for k, v in entity.items()}
    metadata = getattr(entity, "metadata", None)
    if metadata:
        values["etag"] = metadata["etag"]
    return values


async def get(table_name: str, partition: str, row: str) -> Entity | None:
    client = await storage().table(table_name)
    async with storage().call():
        try:
            return plain(await client.get_entity(partition, row))
        except ResourceNotFoundError:
            return None


async def insert(table_name: str, entity: Mapping[str, Any]) -> bool:
    """Create the row; False if one with the same keys exists (uniqueness, atomically)."""
    client = await storage().table(table_name)
    async with storage().call():
        try:
            await client.create_entity({k: v for k, v in entity.items() if v is not None})
        except ResourceExistsError:
            return False
    return True


async def create(table_name: str, entity: Mapping[str, Any]) -> str | None:
    """Create the row; its ETag, or None if one with the same keys exists."""
    client = await storage().table(table_name)
    async with storage().call():
        try:
            created = await client.create_entity(entity)
        except ResourceExistsError:
            return None
    return str(created["etag"])


async def upsert(table_name: str, entity: Mapping[str, Any]) -> None:
    client = await storage().table(table_name)
    async with storage().call():
        await client.upsert_entity({k: v for k, v in entity.items() if v is not None})


async def update(table_name: str, entity: Mapping[str, Any], *, etag: str) -> str | None:
    """Merge `entity` if the row still has `etag`; its new ETag, or None if the race was lost."""
    client = await storage().table(table_name)
    async with storage().call():
        try:
            result = await client.update_entity(
                dict(entity),
                mode=UpdateMode.MERGE,
                etag=etag,
                match_condition=MatchConditions.IfNotModified,
            )
        except (ResourceModifiedError, ResourceNotFoundError):
            return None
    return str(result["etag"])


async def delete(table_name: str, partition: str, row: str, *, etag: str | None = None) -> bool:
    """Delete the row (only if unchanged, given `etag`); False if it was gone or had changed.

    `delete_entity` reports a missing row as success, so the delete goes through a one-operation
    transaction, which does fail on it: of concurrent deletes of one row, exactly one sees True.
    """
    condition = (
        {"etag": etag, "match_condition": MatchConditions.IfNotModified}
        if etag
        else {"match_condition": MatchConditions.Unconditionally}
    )
    client = await storage().table(table_name)
    async with storage().call():
        try:
            await client.submit_transaction(
                [("delete", {"PartitionKey": partition, "RowKey": row}, condition)]
            )
        except TableTransactionError as error:
            if error.status_code in (404, 412):
                return False
            raise
    return True


async def query(
    table_name: str, query: str, parameters: Mapping[str, Any], *, limit: int
) -> list[Entity]:
    """At most `limit` rows matching `query` (a key range, never a scan on a request path)."""
    client = await storage().table(table_name)
    rows: list[Entity] = []
    async with storage().call():
        async for entity in client.query_entities(
            query, parameters=dict(parameters), results_per_page=min(limit, 1000)
        ):
            rows.append(plain(entity))
            if len(rows) >= limit:
                break
    return rows


async def partition(table_name: str, key: str, *, limit: int | None = None) -> list[Entity]:
    """Every row of one partition, in RowKey order: a partition query, never a scan."""
    client = await storage().table(table_name)
    rows: list[Entity] = []
    async with storage().call():
        async for entity in client.query_entities(
            "PartitionKey eq @pk", parameters={"pk": key}, results_per_page=1000
        ):
            rows.append(plain(entity))
            if limit is not None and len(rows) >= limit:
                break
    return rows
