"""Moving bytes: direct uploads in parallel blocks (resumable) and verified downloads.

Blocks go straight to Blob Storage through azure-storage-blob with the upload's SAS; the API only
authorises, reports which blocks storage already holds (renewing the short-lived SAS), and
publishes. Block ids are the block's index, zero-padded to a fixed width (storage wants equal
lengths within a blob), so a resumed run knows which blocks to skip from the ids alone.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import threading
import zlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, cast
from urllib.parse import parse_qs, urlsplit

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceModifiedError
from azure.storage.blob import BlobBlock, BlobClient

from cli import sealing
from cli.api import Api, ApiError
from cli.encryption import STORED_NAME, DecryptionError, Decryptor, LinkKey
from cli.state import PartialDownload, Pending, State, fingerprint

DEFAULT_CONCURRENCY = 8
_READ_CHUNK = 1024 * 1024
# Ranges a direct download fetches in parallel: large enough to keep the link busy.
_GET_CHUNK = 8 * 1024 * 1024
# Encrypted transfers: fewer blocks in flight (each is held while sealed or opened) and smaller
# ranges, so the client stays within ~150 MiB whatever the file's size.
SEALED_CONCURRENCY = 4
_SEALED_GET_CHUNK = 4 * 1024 * 1024


def block_id(index: int) -> str:
    return f"{index:08d}"


@dataclass
class Progress:
    """Callbacks a front end (the progress bar) hooks into; each may be called from any thread."""

    start: Callable[[int, int], None] = lambda total, done: None
    advance: Callable[[int], None] = lambda count: None


@dataclass
class UploadResult:
    published: dict[str, Any]
    blocks_total: int
    blocks_sent: int
    resumed: bool
    notes: list[str] = field(default_factory=list)
    fragment: str = ""  # `k=...` of an encrypted upload: the link's `#` part, never sent

    @property
    def link(self) -> str:
        base = str(self.published["file_url_full"])
        return f"{base}#{self.fragment}" if self.fragment else base


def upload(
    api: Api,
    path: Path,
    *,
    options: dict[str, Any],
    state: State,
    progress: Progress | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    encrypt: bool = False,
    password: str | None = None,
) -> UploadResult:
    """Upload `path` directly to storage, resuming the upload this client began for it before.

    Into a share (`share_id` in `options`), the file's CRC-32 is computed first: the share's
    ZIP writes it ahead of the bytes. With `encrypt`, what goes to storage is the file's name,
    type and bytes encrypted (cli/encryption.py); the key is only in `UploadResult.fragment`,
    never sent.
    """
    progress = progress or Progress()
    crc32 = file_crc32(path) if options.get("share_id") else None
    size = path.stat().st_size
    file_print = fingerprint(path)
    server = api.config.server
    notes: list[str] = []
    stored: dict[str, int] = {}
    committed = False
    resumed = False
    pending = state.pending(file_print, server)
    if pending is not None and bool(pending.encryption) != encrypt:
        state.forget_pending(file_print)  # asked for the other kind this time: start over
        pending = None
    grant: dict[str, Any] | None = None
    if pending is not None:
        grant = _resume(api, pending, notes)
        if grant is not None and grant["state"] == "complete":
            state.forget_pending(file_print)
            published = api.complete_upload(pending.file_url, pending.key, crc32=crc32)
            fragment = (
                sealing.Sealed.restore(pending.encryption).key.fragment()
                if (pending.encryption)
                else ""
            )
            return UploadResult(published, 0, 0, True, notes, fragment)
        if grant is None:
            state.forget_pending(file_print)
        else:
            resumed = True
            committed = bool(grant["committed"])
            stored = {block["id"]: block["size"] for block in grant["uncommitted"]}
    if grant is None:
        sealed = sealing.new(password is not None) if encrypt else None
        declared = (
            {
                "filename": STORED_NAME,
                "size": sealing.size_of(path, size),
                "encrypted": True,
            }
            if sealed is not None
            else {"filename": path.name, "size": size}
        )
        grant = api.begin_upload({**declared, **options})
        pending = Pending(
            server,
            grant["file_url"],
            grant["key"],
            grant["upload_url"],
            sealed.saved() if sealed is not None else "",
        )
        state.remember_pending(file_print, pending)
    assert pending is not None
    fragment = ""
    read: Callable[[int, int], bytes | bytearray] = _file_reader(path)
    if pending.encryption:
        sealed = sealing.Sealed.restore(pending.encryption)
        encryptor = sealed.encryptor(path, size, password)
        fragment = sealed.key.fragment()
        size, read = encryptor.size, encryptor.read
        concurrency = min(concurrency, SEALED_CONCURRENCY)

    block_size = int(grant["block_size"])
    count = math.ceil(size / block_size)
    sizes = [min(block_size, size - i * block_size) for i in range(count)]
    missing = [] if committed else [i for i in range(count) if stored.get(block_id(i)) != sizes[i]]
    progress.start(size, size - sum(sizes[i] for i in missing))
    sas = _Sas(api, pending, grant["upload_url"], str(grant["expires_at"]))
    _stage_blocks(sas, read, block_size, sizes, missing, progress, concurrency)
    if not committed:
        blocks = [BlobBlock(block_id(i)) for i in range(count)]
        sas.call(lambda blob: blob.commit_block_list(blocks))
    published = api.complete_upload(pending.file_url, pending.key, crc32=crc32)
    state.forget_pending(file_print)
    state.remember_key(server, published["file_url"], published["key"])
    return UploadResult(published, count, len(missing), resumed, notes, fragment)


def _resume(api: Api, pending: Pending, notes: list[str]) -> dict[str, Any] | None:
    """The server's view of an upload begun earlier, or None if it is gone (start over)."""
    try:
        status = api.upload_status(pending.file_url, pending.key)
    except ApiError as error:
        if error.status in (400, 404):
            notes.append(f"the earlier upload is gone ({error.message}); starting over")
            return None
        raise
    return status


class _Sas:
    """The upload's SAS, renewed through the API when storage refuses it (403: it has expired).

    The server renews it for UPLOAD_SAS_TTL_SECONDS more, up to the upload's maximum time; when
    it has nothing newer to give, the refusal stands.
    """

    def __init__(self, api: Api, pending: Pending, upload_url: str, expires_at: str) -> None:
        self._api = api
        self._pending = pending
        self._expires_at = expires_at  # ISO 8601 UTC, whole seconds: compares as text
        self._lock = threading.Lock()
        self.blob = BlobClient.from_blob_url(upload_url)

    def call(self, action: Callable[[BlobClient], object]) -> None:
        blob = self.blob
        try:
            action(blob)
        except HttpResponseError as error:
            if error.status_code != 403 or not self._renew(blob):
                raise
            action(self.blob)

    def _renew(self, refused: BlobClient) -> bool:
        with self._lock:
            if self.blob is not refused:
                return True  # another block's refusal renewed it already
            status = self._api.upload_status(self._pending.file_url, self._pending.key)
            url, expires_at = status.get("upload_url"), str(status.get("expires_at"))
            if not isinstance(url, str) or expires_at <= self._expires_at:
                return False  # nothing newer: the upload's maximum time is reached
            self._expires_at, self.blob = expires_at, BlobClient.from_blob_url(url)
            return True


def _file_reader(path: Path) -> Callable[[int, int], bytes]:
    def read(offset: int, length: int) -> bytes:
        with path.open("rb") as source:
            source.seek(offset)
            data = source.read(length)
        if len(data) != length:
            raise OSError(f"{path} changed while uploading")
        return data

    return read


def _stage_blocks(
    sas: _Sas,
    read: Callable[[int, int], bytes | bytearray],
    block_size: int,
    sizes: list[int],
    indices: list[int],
    progress: Progress,
    concurrency: int,
) -> None:
    """Stage the blocks at `indices`, `concurrency` at a time; the first failure stops the rest."""
    if not indices:
        return

    failed = threading.Event()

    def stage(index: int) -> None:
        if failed.is_set():
            return  # another block failed: start no more
        try:
            data = read(index * block_size, sizes[index])
            # A bytearray (encrypted blocks) is sent as it is, like bytes.
            body = cast(bytes, data)
            sas.call(lambda blob: blob.stage_block(block_id(index), body, length=len(body)))
            progress.advance(len(data))
        except BaseException:
            failed.set()
            raise

    pool = ThreadPoolExecutor(max_workers=max(1, concurrency))
    try:
        futures: list[Future[None]] = [pool.submit(stage, index) for index in indices]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class DownloadResult:
    path: Path
    size: int
    direct: bool
    redirect_target: str | None = None
    resumed_from: int = 0  # bytes already on disk from an interrupted run
    checksum: bool = False  # a SHA-256 from the server was checked too, not only the size
    decrypted: bool = False  # an encrypted file, every record verified


def file_url_of(link: str) -> str:
    """`https://host/file/<id>`, `.../f/<id>` or a bare id: the id."""
    path = urlsplit(link).path if "://" in link else link
    return path.rstrip("/").rsplit("/", 1)[-1]


def download(
    api: Api,
    file_url: str,
    *,
    output: Path | None,
    force: bool,
    state: State,
    progress: Progress | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    key: LinkKey | None = None,
    password: str | None = None,
) -> DownloadResult:
    """Download to `output` (default: the original name here), resuming an interrupted run, and
    verify the size (and the SHA-256, when the metadata gives one).

    Bytes arrive in order into `.<name>.part`, so after Ctrl-C or a dropped connection its size
    is where to continue: the rerun asks for the rest with Range and If-Range (the ETag kept in
    `state`); a file that changed meanwhile, or that cannot be resumed (a download limit), is
    fetched whole again.
    """
    progress = progress or Progress()
    meta = api.metadata(file_url)
    if "file_size" not in meta and meta.get("password_required"):
        raise ApiError(401, "This link needs a password: use --password")
    size = int(meta["file_size"])
    if meta.get("encrypted"):
        if key is None:
            raise DecryptionError("the file is encrypted: give the whole link, with its #k=...")
        decryptor = Decryptor(key, password)
        return _download_decrypting(
            api, file_url, decryptor, output, force, size, progress, concurrency
        )
    name = Path(str(meta.get("original_name") or file_url)).name or file_url
    target = output or Path(name)
    if target.is_dir():
        target = target / name
    if target.exists() and not force:
        raise FileExistsError(f"{target} exists (use --force to overwrite)")
    partial = target.with_name(f".{target.name}.part")
    server = api.config.server
    offset, etag = _resumable(state.partial_download(partial), partial, server, file_url, size)
    direct = False
    with api.open_file(file_url, offset=offset, etag=etag) as response:
        if response.is_redirect:
            location = response.headers["location"]
            if not _is_blob_sas(location):
                return DownloadResult(target, 0, False, redirect_target=location)
            direct = True
            blob = BlobClient.from_blob_url(location)
            blob_etag = str(blob.get_blob_properties().etag)
            offset = offset if blob_etag == etag else 0
            state.remember_download(partial, PartialDownload(server, file_url, blob_etag))
            progress.start(size, offset)
            with partial.open("r+b" if offset else "wb") as out:
                out.truncate(offset)
                out.seek(offset)
                try:
                    _fetch_ranges(blob, blob_etag, out, offset, size, progress, concurrency)
                except ResourceModifiedError:
                    out.truncate(0)
                    raise OSError(
                        "the file changed on the server while downloading; "
                        "run the same command again to download it anew"
                    ) from None
        else:
            if response.status_code != 206:
                offset = 0  # the whole file: it changed, or cannot be resumed
            if response.headers.get("etag"):
                state.remember_download(
                    partial, PartialDownload(server, file_url, response.headers["etag"])
                )
            progress.start(size, offset)
            with partial.open("r+b" if offset else "wb") as out:
                out.truncate(offset)
                out.seek(offset)
                for chunk in response.iter_bytes(_READ_CHUNK):
                    out.write(chunk)
                    progress.advance(len(chunk))
    checksum = _verify(partial, size, meta.get("sha256"))
    os.replace(partial, target)
    state.forget_download(partial)
    return DownloadResult(target, size, direct, resumed_from=offset, checksum=checksum)


class _Decrypting:
    """A file-like sink: ciphertext in, verified plaintext out to `out`."""

    def __init__(self, decryptor: Decryptor, out: BinaryIO) -> None:
        self.decryptor = decryptor
        self.out = out

    def write(self, data: bytes) -> int:
        for piece in self.decryptor.feed(data):
            self.out.write(piece)
        return len(data)

    def finish(self) -> None:
        for piece in self.decryptor.finish():
            self.out.write(piece)


def _download_decrypting(
    api: Api,
    file_url: str,
    decryptor: Decryptor,
    output: Path | None,
    force: bool,
    size: int,
    progress: Progress,
    concurrency: int,
) -> DownloadResult:
    """Fetch the ciphertext and decrypt it as it arrives into a temporary file, which becomes
    the target only once the last record has verified: a tampered, truncated or reordered file
    fails with DecryptionError and leaves no plaintext behind."""
    if output is not None and not output.is_dir() and output.exists() and not force:
        raise FileExistsError(f"{output} exists (use --force to overwrite)")  # before any byte
    folder = output if output is not None and output.is_dir() else None
    if folder is None:
        folder = output.parent if output is not None else Path.cwd()
    descriptor, temporary = tempfile.mkstemp(prefix=".fileshare-", suffix=".part", dir=folder)
    partial = Path(temporary)
    direct = False
    try:
        with os.fdopen(descriptor, "wb") as out:
            sink = _Decrypting(decryptor, out)
            progress.start(size, 0)
            with api.open_file(file_url) as response:
                if response.is_redirect:
                    location = response.headers["location"]
                    if not _is_blob_sas(location):
                        raise DecryptionError("an encrypted file cannot be a redirect")
                    direct = True
                    blob = BlobClient.from_blob_url(location)
                    etag = str(blob.get_blob_properties().etag)
                    _fetch_ranges(
                        blob,
                        etag,
                        sink,
                        0,
                        size,
                        progress,
                        min(concurrency, SEALED_CONCURRENCY),
                        chunk=_SEALED_GET_CHUNK,
                    )
                else:
                    for chunk in response.iter_bytes(_READ_CHUNK):
                        sink.write(chunk)
                        progress.advance(len(chunk))
            sink.finish()
        name = Path(decryptor.name or file_url).name or file_url
        target = output if output is not None and not output.is_dir() else folder / name
        if target.exists() and not force:
            raise FileExistsError(f"{target} exists (use --force to overwrite)")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return DownloadResult(target, target.stat().st_size, direct, decrypted=True)


def _resumable(
    saved: PartialDownload | None, partial: Path, server: str, file_url: str, size: int
) -> tuple[int, str | None]:
    """Where an earlier run of this download stopped, and the ETag of what it holds."""
    if saved is None or (saved.server, saved.file_url) != (server, file_url):
        return 0, None
    try:
        held = partial.stat().st_size
    except FileNotFoundError:
        return 0, None
    return (held, saved.etag) if 0 < held <= size else (0, None)


def _fetch_ranges(
    blob: BlobClient,
    etag: str,
    out: BinaryIO | _Decrypting,
    start: int,
    size: int,
    progress: Progress,
    concurrency: int,
    *,
    chunk: int = _GET_CHUNK,
) -> None:
    """Fetch [start, size) in parallel ranges but write them in order, so the file on disk is
    always a prefix of the blob (resumable from its size). Each range must still be `etag`."""

    def fetch(offset: int) -> bytes:
        length = min(chunk, size - offset)
        downloader = blob.download_blob(
            offset=offset, length=length, etag=etag, match_condition=MatchConditions.IfNotModified
        )
        return downloader.readall()

    offsets = iter(range(start, size, chunk))
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency))
    try:
        window = deque(pool.submit(fetch, offset) for offset in islice(offsets, concurrency))
        while window:
            data = window.popleft().result()
            out.write(data)
            progress.advance(len(data))
            following = next(offsets, None)
            if following is not None:
                window.append(pool.submit(fetch, following))
    except BaseException:
        # Ctrl-C or a failed range: return at once; ranges in flight are dropped (not written).
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _verify(partial: Path, size: int, sha256: object) -> bool:
    """Check the size, and the SHA-256 when the server gave one; a mismatch starts over."""
    received = partial.stat().st_size
    problem = None
    if received != size:
        problem = f"size mismatch: expected {size} bytes, received {received}"
    elif isinstance(sha256, str) and sha256 and file_sha256(partial) != sha256.lower():
        problem = "checksum mismatch: the file's SHA-256 is not the server's"
    if problem is not None:
        partial.unlink(missing_ok=True)
        raise OSError(f"{problem}; run the same command again to download it anew")
    return isinstance(sha256, str) and bool(sha256)


def file_crc32(path: Path) -> int:
    crc = 0
    with path.open("rb") as source:
        for block in iter(lambda: source.read(_READ_CHUNK), b""):
            crc = zlib.crc32(block, crc)
    return crc


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(_READ_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_blob_sas(url: str) -> bool:
    query = parse_qs(urlsplit(url).query)
    return "sig" in query and query.get("sr") in (["b"], ["bs"])  # a blob, or its snapshot
