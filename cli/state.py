"""Transfers the client started, so running the same command again resumes instead of restarting.

`uploads.json` in the config directory maps a file's fingerprint (absolute path, size and
modification time: a changed file starts over) to its upload's `file_url`, `key`, `upload_url`
and server. Keys of finished uploads are kept too, so `fileshare rm` can delete them. Downloads
in progress are kept by their partial file's absolute path, with the ETag of the bytes in it:
a resumed download asks for the rest only if the file is still that one (If-Range).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cli.config import config_dir, read_json, write_json


def fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"


@dataclass(frozen=True)
class Pending:
    server: str
    file_url: str
    key: str
    upload_url: str


@dataclass(frozen=True)
class PartialDownload:
    server: str
    file_url: str
    etag: str


class State:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "uploads.json"

    def _read(self) -> dict[str, Any]:
        data = read_json(self.path)
        data.setdefault("pending", {})
        data.setdefault("keys", {})
        data.setdefault("downloads", {})
        return data

    def pending(self, file_print: str, server: str) -> Pending | None:
        entry = self._read()["pending"].get(file_print)
        if not isinstance(entry, dict) or entry.get("server") != server:
            return None
        try:
            return Pending(server, entry["file_url"], entry["key"], entry["upload_url"])
        except KeyError:
            return None

    def remember_pending(self, file_print: str, pending: Pending) -> None:
        data = self._read()
        data["pending"][file_print] = {
            "server": pending.server,
            "file_url": pending.file_url,
            "key": pending.key,
            "upload_url": pending.upload_url,
        }
        write_json(self.path, data)

    def forget_pending(self, file_print: str) -> None:
        data = self._read()
        if data["pending"].pop(file_print, None) is not None:
            write_json(self.path, data)

    def remember_key(self, server: str, file_url: str, key: str) -> None:
        data = self._read()
        data["keys"][f"{server}|{file_url}"] = key
        write_json(self.path, data)

    def key_for(self, server: str, file_url: str) -> str | None:
        key = self._read()["keys"].get(f"{server}|{file_url}")
        return key if isinstance(key, str) else None

    def forget_key(self, server: str, file_url: str) -> None:
        data = self._read()
        if data["keys"].pop(f"{server}|{file_url}", None) is not None:
            write_json(self.path, data)

    def partial_download(self, partial: Path) -> PartialDownload | None:
        entry = self._read()["downloads"].get(str(partial.resolve()))
        if not isinstance(entry, dict):
            return None
        try:
            return PartialDownload(entry["server"], entry["file_url"], entry["etag"])
        except KeyError:
            return None

    def remember_download(self, partial: Path, download: PartialDownload) -> None:
        data = self._read()
        data["downloads"][str(partial.resolve())] = {
            "server": download.server,
            "file_url": download.file_url,
            "etag": download.etag,
        }
        write_json(self.path, data)

    def forget_download(self, partial: Path) -> None:
        data = self._read()
        if data["downloads"].pop(str(partial.resolve()), None) is not None:
            write_json(self.path, data)
