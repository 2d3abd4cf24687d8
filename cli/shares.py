"""Shares from the terminal: several files uploaded as one share, and a share downloaded as its
files or as one ZIP.

An upload of several files creates the share, then sends each file by direct upload into it
(resumable, like a single file). `uploads.json` remembers the share and the files already in
it, under the fingerprints of all the files, so running the same command again continues the
same share instead of starting another.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cli import transfer
from cli.api import Api, ApiError
from cli.state import PartialDownload, State, fingerprint
from shared.shares.zip_layout import unique_names

ProgressFor = Callable[[str], AbstractContextManager[transfer.Progress]]


def share_id_of(link: str) -> str | None:
    """The id of a share link (`https://host/s/<id>`, `/s/<id>/zip`), or None for another link."""
    path = urlsplit(link).path if "://" in link else link
    parts = [part for part in path.split("/") if part]
    if "s" in parts[:-1]:
        return parts[parts.index("s") + 1]
    return None


@dataclass
class SharedUpload:
    share: dict[str, Any]
    uploaded: list[str]  # names sent by this run
    skipped: list[str]  # names already in the share from an interrupted run


def upload(
    api: Api,
    paths: list[Path],
    *,
    options: dict[str, Any],
    state: State,
    progress_for: ProgressFor,
    concurrency: int = transfer.DEFAULT_CONCURRENCY,
) -> SharedUpload:
    """Create a share (or continue the one an interrupted run created) and upload every file."""
    server = api.config.server
    prints = [fingerprint(path) for path in paths]
    remembered_as = f"{server}|{'|'.join(prints)}"
    saved = state.share_upload(remembered_as)
    share: dict[str, Any] | None = None
    if saved is not None:
        try:
            api.share(str(saved["share_id"]))
            share = dict(saved)
        except ApiError as error:
            if error.status not in (401, 404):
                raise
    if share is None:
        created = api.create_share(options)
        share = {"share_id": created["share_id"], "key": created["key"], "done": [], **created}
        state.remember_share_upload(remembered_as, share)
    uploaded, skipped = [], []
    for path, file_print in zip(paths, prints, strict=True):
        if file_print in share["done"]:
            skipped.append(path.name)
            continue
        into = {"share_id": share["share_id"], "key": share["key"]}
        with progress_for(path.name) as progress:
            transfer.upload(
                api, path, options=into, state=state, progress=progress, concurrency=concurrency
            )
        share["done"] = [*share["done"], file_print]
        state.remember_share_upload(remembered_as, share)
        uploaded.append(path.name)
    state.forget_share_upload(remembered_as)
    return SharedUpload(share, uploaded, skipped)


@dataclass
class SharedDownload:
    saved: list[Path]
    zip_path: Path | None = None


def download(
    api: Api,
    share_id: str,
    *,
    output: Path | None,
    as_zip: bool,
    force: bool,
    state: State,
    progress_for: ProgressFor,
    concurrency: int = transfer.DEFAULT_CONCURRENCY,
) -> SharedDownload:
    """Every file of the share into a folder (default: the share's title or id), or with
    `as_zip` its ZIP. A share with a download limit comes only as its ZIP: it is fetched (one
    download of the share) and unpacked."""
    manifest = api.share(share_id)
    if manifest.get("password_required") and "files" not in manifest:
        raise ApiError(401, "This share needs a password: use --password")
    name = str(manifest.get("title") or share_id)
    if as_zip:
        target = output or Path(f"{name}.zip")
        if target.is_dir():
            target = target / f"{name}.zip"
        return SharedDownload([], _fetch_zip(api, share_id, target, force, state, progress_for))
    folder = output or Path(name)
    folder.mkdir(parents=True, exist_ok=True)
    files = manifest["files"]
    names = unique_names([Path(str(item["user_filename"])).name for item in files])
    targets = [folder / item for item in names]
    if not force:
        for target in targets:
            if target.exists():
                raise FileExistsError(f"{target} exists (use --force to overwrite)")
    if manifest.get("max_downloads") is not None:
        archive = folder / f".{share_id}.zip.part"
        _fetch_zip(api, share_id, archive, True, state, progress_for)
        try:
            _unpack(archive, dict(zip(names, targets, strict=True)))
        finally:
            archive.unlink(missing_ok=True)
        return SharedDownload(targets)
    for item, target in zip(files, targets, strict=True):
        with progress_for(target.name) as progress:
            transfer.download(
                api,
                str(item["file_url"]),
                output=target,
                force=force,
                state=state,
                progress=progress,
                concurrency=concurrency,
            )
    return SharedDownload(targets)


def _fetch_zip(
    api: Api,
    share_id: str,
    target: Path,
    force: bool,
    state: State,
    progress_for: ProgressFor,
) -> Path:
    """The ZIP into `target`, resuming an interrupted run with Range and If-Range."""
    if target.exists() and not force:
        raise FileExistsError(f"{target} exists (use --force to overwrite)")
    partial = target.with_name(f".{target.name}.part")
    server = api.config.server
    saved = state.partial_download(partial)
    offset, etag = 0, None
    if saved is not None and (saved.server, saved.file_url) == (server, f"s/{share_id}"):
        offset = partial.stat().st_size if partial.exists() else 0
        etag = saved.etag if offset else None
    with api.open_share_zip(share_id, offset=offset, etag=etag) as response:
        if response.status_code != 206:
            offset = 0
        size = offset + int(response.headers.get("content-length", "0"))
        if response.headers.get("etag"):
            remembered = PartialDownload(server, f"s/{share_id}", response.headers["etag"])
            state.remember_download(partial, remembered)
        with progress_for(target.name) as progress, partial.open("r+b" if offset else "wb") as out:
            progress.start(size, offset)
            out.truncate(offset)
            out.seek(offset)
            for chunk in response.iter_bytes(1024 * 1024):
                out.write(chunk)
                progress.advance(len(chunk))
    if partial.stat().st_size != size:
        raise OSError("the archive was cut short; run the same command again to resume")
    os.replace(partial, target)
    state.forget_download(partial)
    return target


def _unpack(archive: Path, targets: dict[str, Path]) -> None:
    """Each member to its own target (names as the server's ZIP spells them), checked by CRC."""
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            target = targets.get(info.filename)
            if target is None:
                continue
            with opened.open(info) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
