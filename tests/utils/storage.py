"""Look at what the service left in Azurite, with the synchronous SDK (never the app's code)."""

from __future__ import annotations

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

    def file_row(self, file_url: str) -> dict[str, object] | None:
        try:
            entity = self.tables.get_table_client("files").get_entity(file_url, "file")
        except ResourceNotFoundError:
            return None
        return {k: v.value if isinstance(v, EntityProperty) else v for k, v in entity.items()}

    def merge_file_row(self, file_url: str, values: dict[str, object]) -> None:
        """Overwrite some properties of a file's row, as another instance (or a crash) left them."""
        entity = {"PartitionKey": file_url, "RowKey": "file", **values}
        self.tables.get_table_client("files").update_entity(entity, mode=UpdateMode.MERGE)

    def file_rows(self) -> set[str]:
        return {str(e["PartitionKey"]) for e in self._rows("files")}

    def expiry_rows(self) -> set[str]:
        return {str(e["RowKey"]) for e in self._rows("expiry")}

    def _rows(self, table: str) -> list[dict[str, object]]:
        """Every row of a table; none when the app has not created it yet (a fresh emulator)."""
        try:
            return list(self.tables.get_table_client(table).list_entities())
        except ResourceNotFoundError:
            return []

    def snapshot(self) -> tuple[set[str], set[str], set[str]]:
        """Blobs, file records and expiry entries: what an upload could leave behind.

        Rate-limit windows are left out: any request may open one, whatever else it does.
        """
        expiries = {key for key in self.expiry_rows() if not key.startswith("rate:")}
        return self.blob_names(), self.file_rows(), expiries
