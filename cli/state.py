"""Transfers the client started, so running the same command again resumes instead of restarting.

`uploads.json` in the config directory maps a file's fingerprint (absolute path, size and
modification time: a changed file starts over) to its upload's `file_url`, `key`, `upload_url`
and server. Keys of finished uploads are kept too, so `fileshare rm` can delete them. Downloads
in progress are kept by their partial file's absolute path, with the ETag of the bytes in it:
a resumed download asks for the rest only if the file is still that one (If-Range). A share
being uploaded is kept under the fingerprints of all its files, with those already in it.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

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
    # An encrypted upload's `secret:salt` (base64url) and whether a password is mixed in, so a
    # resumed run re-creates the same ciphertext; "" for a plain upload.
    encryption: str = ""


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
        for section in _SECTIONS:
            data.setdefault(section, {})
        return data

    def _get(self, section: str, key: str) -> Any:
        return self._read()[section].get(key)

    def _put(self, section: str, key: str, value: Any) -> None:
        data = self._read()
        data[section][key] = value
        write_json(self.path, data)

    def _drop(self, section: str, key: str) -> None:
        data = self._read()
        if data[section].pop(key, None) is not None:
            write_json(self.path, data)

    def pending(self, file_print: str, server: str) -> Pending | None:
        entry = _entry(Pending, self._get("pending", file_print))
        return entry if entry is not None and entry.server == server else None

    def remember_pending(self, file_print: str, pending: Pending) -> None:
        self._put("pending", file_print, asdict(pending))

    def forget_pending(self, file_print: str) -> None:
        self._drop("pending", file_print)

    def remember_key(self, server: str, file_url: str, key: str) -> None:
        self._put("keys", f"{server}|{file_url}", key)

    def key_for(self, server: str, file_url: str) -> str | None:
        key = self._get("keys", f"{server}|{file_url}")
        return key if isinstance(key, str) else None

    def forget_key(self, server: str, file_url: str) -> None:
        self._drop("keys", f"{server}|{file_url}")

    def partial_download(self, partial: Path) -> PartialDownload | None:
        return _entry(PartialDownload, self._get("downloads", str(partial.resolve())))

    def remember_download(self, partial: Path, download: PartialDownload) -> None:
        self._put("downloads", str(partial.resolve()), asdict(download))

    def forget_download(self, partial: Path) -> None:
        self._drop("downloads", str(partial.resolve()))

    def share_upload(self, files: str) -> dict[str, Any] | None:
        """A share an earlier run of the same upload created, and the files already in it."""
        saved = self._get("shares", files)
        return saved if isinstance(saved, dict) and isinstance(saved.get("done"), list) else None

    def remember_share_upload(self, files: str, share: dict[str, Any]) -> None:
        self._put("shares", files, share)

    def forget_share_upload(self, files: str) -> None:
        self._drop("shares", files)


_SECTIONS = ("pending", "keys", "downloads", "shares")
_Entry = TypeVar("_Entry", Pending, PartialDownload)


def _entry(kind: type[_Entry], stored: Any) -> _Entry | None:
    """A saved record read back, or None if it is missing or not of that shape (an old file)."""
    if not isinstance(stored, dict):
        return None
    names = {f.name for f in fields(kind) if f.name in stored or f.default is MISSING}
    if not names <= stored.keys() or not all(isinstance(stored[n], str) for n in names):
        return None
    return kind(**{name: stored[name] for name in names})
