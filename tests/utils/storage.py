"""Look at what the service left in Azurite, with the synchronous SDK (never the app's code)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import EntityProperty, TableServiceClient, UpdateMode
from azure.storage.blob import BlobServiceClient

CONTAINER = "fileshare"


class StorageProbe:
    def __init__(self, connection_string: str) -> None:
        self.blobs = BlobServiceClient.from_connection_string(connection_string)
        self.tables = TableServiceClient.from_connection_string(connection_string)

    def blob_names(self) -> set[str]:
        container = self.blobs.get_container_client(CONTAINER)
        if not container.exists():
            return set()
        return set(container.list_blob_names())

    def blob_exists(self, file_url: str) -> bool:
        return bool(self.blobs.get_blob_client(CONTAINER, f"f/{file_url}").exists())

    def unfinished_blob_names(self) -> set[str]:
        """Names holding only uncommitted blocks: what an upload that never committed left."""
        container = self.blobs.get_container_client(CONTAINER)
        if not container.exists():
            return set()
        every = {blob.name for blob in container.list_blobs(include=["uncommittedblobs"])}
        return every - self.blob_names()

    def row(self, table: str, partition: str, row: str) -> dict[str, object] | None:
        try:
            entity = self.tables.get_table_client(table).get_entity(partition, row)
        except ResourceNotFoundError:
            return None
        return _plain(entity)

    def rows(self, table: str, partition: str) -> list[dict[str, object]]:
        client = self.tables.get_table_client(table)
        query = client.query_entities("PartitionKey eq @pk", parameters={"pk": partition})
        return [_plain(entity) for entity in query]

    def file_row(self, file_url: str) -> dict[str, object] | None:
        return self.row("files", file_url, "file")

    def listed(self, file_url: str) -> set[str]:
        """Partitions of `ownerfiles` (u:<user> / g:<group>) that list this file."""
        return {
            partition
            for partition, url in self._table_keys("ownerfiles", "file_url")
            if url == file_url
        }

    def footprint(self) -> set[tuple[str, str]]:
        """Everything files leave in storage: blobs (committed or not), records, listing rows,
        shares' member rows, pending direct uploads and their index entries. A crashed operation,
        once repaired, must leave nothing here that was not there before it began."""
        found = {("blob", name) for name in self.blob_names() | self.unfinished_blob_names()}
        found |= {("file", key) for key in self.file_rows()}
        found |= {("uploads", key) for key, _ in self._table_keys("uploads", "RowKey")}
        found |= {
            ("listing", f"{key}/{url}") for key, url in self._table_keys("ownerfiles", "file_url")
        }
        found |= {
            ("share member", f"{key}/{row}")
            for key, row in self._table_keys("shares", "RowKey")
            if row.startswith("m:")
        }
        kinds = ("file:", "upload:", "direct:", "scan:", "group:")
        found |= {("expiry", key) for key in self.expiry_rows() if key.startswith(kinds)}
        return found

    def _table_keys(self, table: str, field: str) -> set[tuple[str, str]]:
        """(PartitionKey, `field`) of every row; an absent table holds none."""
        try:
            return {
                (str(e["PartitionKey"]), str(e[field]))
                for e in self.tables.get_table_client(table).list_entities()
            }
        except ResourceNotFoundError:
            return set()

    def merge_file_row(self, file_url: str, values: dict[str, object]) -> None:
        """Overwrite some properties of a file's row, as another instance (or a crash) left them."""
        entity = {"PartitionKey": file_url, "RowKey": "file", **values}
        self.tables.get_table_client("files").update_entity(entity, mode=UpdateMode.MERGE)

    def share_rows(self, share_id: str) -> list[str]:
        """The RowKeys of a share's partition: `share` and its members' `m:…` rows."""
        return sorted(str(row["RowKey"]) for row in self.rows("shares", share_id))

    def file_rows(self) -> set[str]:
        return {key for key, _ in self._table_keys("files", "RowKey")}

    def expiry_rows(self) -> set[str]:
        return {row for _, row in self._table_keys("expiry", "RowKey")}

    def snapshot(self) -> tuple[set[str], set[str], set[str]]:
        """Blobs, file records and expiry entries: what an upload could leave behind.

        Rate-limit windows are left out: any request may open one, whatever else it does.
        """
        expiries = {key for key in self.expiry_rows() if not key.startswith("rate:")}
        return self.blob_names(), self.file_rows(), expiries


def _plain(entity: Mapping[str, Any]) -> dict[str, object]:
    return {k: v.value if isinstance(v, EntityProperty) else v for k, v in entity.items()}
