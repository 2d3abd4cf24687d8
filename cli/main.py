"""`fileshare`: upload, download, login, ls, rm, the cloud buffer, webhooks and upload links from
a terminal."""

from __future__ import annotations

import argparse
import getpass
import io
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import segno
from azure.core.exceptions import AzureError
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from cli import reverse, shares, transfer
from cli.api import Api, ApiError
from cli.config import Config
from cli.encryption import DecryptionError, LinkKey
from cli.state import State
from shared.sizes import human_size

Command = Callable[[argparse.Namespace, Api, "Screen"], int]


def run() -> None:
    """The console script's entry point."""
    sys.exit(main())


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console(highlight=False, soft_wrap=True)
    screen = Screen(console)
    config = Config.load(args.server)
    api = Api(config, wait=screen.count_down)
    try:
        command: Command = args.command
        return command(args, api, screen)
    except ApiError as error:
        screen.print(f"[red]error:[/red] {error.message} (HTTP {error.status})")
        return 1
    except DecryptionError as error:
        screen.print(f"[red]error: decryption failed:[/red] {error}; nothing was saved")
        return 1
    except (httpx.TransportError, AzureError) as error:
        screen.print(f"[red]error:[/red] {error}; run the same command again to resume")
        return 1
    except (OSError, httpx.HTTPError) as error:
        screen.print(f"[red]error:[/red] {error}")
        return 1
    except KeyboardInterrupt:
        screen.print("interrupted; run the same command again to resume")
        return 130
    finally:
        api.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fileshare", description=__doc__)
    parser.add_argument("--server", help="API base URL (default: config file or $FILESHARE_SERVER)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    up = commands.add_parser(
        "upload", help="upload a file straight to storage (resumable); several make one share"
    )
    up.add_argument("files", nargs="+", type=Path, metavar="file")
    up.add_argument("--title", help="the share's title (several files)")
    up.add_argument("--expires-in", type=int, metavar="SECONDS")
    up.add_argument("--max-downloads", type=int, metavar="N", help="1 makes a one-time link")
    up.add_argument("--group", default="private", help="group id (needs login)")
    up.add_argument("--include-ext", action="store_true", help="end the link with the extension")
    up.add_argument("--concurrency", type=int, default=transfer.DEFAULT_CONCURRENCY)
    up.add_argument("--no-qr", action="store_true", help="print the link without a QR code")
    _password_option(up, "protect the link with a password")
    up.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt name, type and bytes here; the key goes only into the link's #fragment",
    )
    _encryption_password_options(up, "with --encrypt: mix a password into the key (asked for)")
    up.set_defaults(command=_upload)

    down = commands.add_parser("download", help="download a link (a share: all its files)")
    down.add_argument("link", help="a link, or just its file id")
    down.add_argument("--zip", action="store_true", help="a share as one ZIP")
    down.add_argument("-o", "--output", type=Path, help="file or directory to write")
    down.add_argument("--force", action="store_true", help="overwrite an existing file")
    down.add_argument("--concurrency", type=int, default=transfer.DEFAULT_CONCURRENCY)
    _password_option(down, "the link's password")
    _encryption_password_options(
        down, "an encrypted link's password, if it has one (asked for when needed)"
    )
    down.set_defaults(command=_download)

    login = commands.add_parser("login", help="log in and remember the token")
    login.add_argument("username")
    login.add_argument("--password-stdin", action="store_true", help="read the password")
    login.add_argument("--bot", action="store_true", help="a long-lived bot token")
    login.set_defaults(command=_login)

    ls = commands.add_parser("ls", help="list your files (needs login)")
    ls.add_argument("--group", default="private")
    ls.set_defaults(command=_ls)

    rm = commands.add_parser("rm", help="delete a file you uploaded")
    rm.add_argument("link")
    rm.add_argument("--key", help="the file's key (default: remembered, or from your listing)")
    rm.set_defaults(command=_rm)

    buffer = commands.add_parser("buffer", help="your cloud buffer (needs login)")
    buffer_commands = buffer.add_subparsers(required=True, metavar="ACTION")
    put = buffer_commands.add_parser("put", help="store text or a file")
    what = put.add_mutually_exclusive_group(required=True)
    what.add_argument("file", nargs="?", type=Path, help="a file, or - for standard input")
    what.add_argument("--text", help="store this text")
    put.set_defaults(command=_buffer_put)
    get = buffer_commands.add_parser("get", help="print the text, or save the file")
    get.add_argument("-o", "--output", type=Path, help="where to save a file")
    get.add_argument("--force", action="store_true", help="overwrite an existing file")
    get.set_defaults(command=_buffer_get)

    hooks = commands.add_parser("webhooks", help="endpoints told about your files (needs login)")
    hook_commands = hooks.add_subparsers(required=True, metavar="ACTION")
    add = hook_commands.add_parser("add", help="register an endpoint; prints its signing secret")
    add.add_argument("url")
    add.add_argument(
        "--event", action="append", dest="events", metavar="EVENT", help="repeat; default: all"
    )
    add.set_defaults(command=_webhooks_add)
    hook_commands.add_parser("ls", help="list your endpoints").set_defaults(command=_webhooks_ls)
    remove = hook_commands.add_parser("rm", help="remove an endpoint")
    remove.add_argument("id")
    remove.set_defaults(command=_webhooks_rm)
    test = hook_commands.add_parser("test", help="send a webhook.test event")
    test.add_argument("id")
    test.set_defaults(command=_webhooks_test)
    sent = hook_commands.add_parser("deliveries", help="recent delivery attempts")
    sent.add_argument("id")
    sent.set_defaults(command=_webhooks_deliveries)
    reverse.add_commands(commands, _password_option, _password)
    return parser


def _encryption_password_options(parser: argparse.ArgumentParser, text: str) -> None:
    """Apart from `--password` (the link's, which the server checks): this one never leaves the
    machine, so it is never taken from the command line either."""
    parser.add_argument("--encrypt-password", action="store_true", help=text)
    parser.add_argument(
        "--encrypt-password-stdin",
        action="store_true",
        help="read the encryption password from standard input",
    )


def _encryption_password(args: argparse.Namespace, needed: bool) -> str | None:
    """An encryption password from standard input or a prompt; never from the command line,
    where other users and the shell history would see it."""
    if args.encrypt_password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if args.encrypt_password or needed:
        return getpass.getpass("encryption password: ")
    return None


class _SizeColumn(ProgressColumn):
    """Done and total in KB/MB/GB (powers of 1024), as everywhere else."""

    def render(self, task: Task) -> Text:
        total = "?" if task.total is None else human_size(int(task.total))
        return Text(f"{human_size(int(task.completed))} / {total}", style="progress.download")


class _SpeedColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        shown = "?" if speed is None else f"{human_size(int(speed))}/s"
        return Text(shown, style="progress.data.speed")


class Screen:
    """The console, the progress bar of the transfer under way, and countdowns: when the server
    answers 429 the client waits as long as its Retry-After says, showing the seconds left (in
    the bar's label while a bar is shown), then tries again."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._bar: tuple[Progress, TaskID, str] | None = None

    def print(self, text: str | Table) -> None:
        self.console.print(text)

    @contextmanager
    def bar(self, label: str) -> Iterator[transfer.Progress]:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            _SizeColumn(),
            _SpeedColumn(),
            TimeRemainingColumn(),
            console=self.console,
            transient=not self.console.is_terminal,
        ) as bar:
            task = bar.add_task(label, total=None)
            self._bar = (bar, task, label)
            try:
                yield transfer.Progress(
                    start=lambda total, done: bar.update(task, total=total, completed=done),
                    advance=lambda count: bar.advance(task, count),
                )
            finally:
                self._bar = None

    def count_down(self, seconds: int) -> None:
        def note(left: int) -> str:
            return f"rate limited by the server: retrying in {left} s"

        if not self.console.is_terminal:
            self.console.print(note(seconds))
            time.sleep(seconds)
        elif self._bar is not None:
            bar, task, label = self._bar
            for left in range(seconds, 0, -1):
                bar.update(task, description=note(left))
                time.sleep(1)
            bar.update(task, description=label)
        else:
            with self.console.status(note(seconds)) as status:
                for left in range(seconds, 0, -1):
                    status.update(note(left))
                    time.sleep(1)


# `--password` given without a value.
_ASK = object()


def _password_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--password",
        nargs="?",
        const=_ASK,
        metavar="PASSWORD",
        help=f"{what}; without a value: $FILESHARE_PASSWORD, else asked for (not echoed)",
    )


def _password(args: argparse.Namespace) -> str | None:
    """`--password VALUE`; bare `--password`: $FILESHARE_PASSWORD, else a prompt; else None."""
    if args.password is None:
        return None
    if args.password is not _ASK:
        return str(args.password)
    return os.environ.get("FILESHARE_PASSWORD") or getpass.getpass("link password: ")


def _upload(args: argparse.Namespace, api: Api, screen: Screen) -> int:
    if len(args.files) > 1:
        return _upload_share(args, api, screen)
    args.file = args.files[0]
    options: dict[str, Any] = {"group_id": args.group}
    password = _password(args)
    if password:
        options["password"] = password
    if args.expires_in is not None:
        options["expires_in"] = args.expires_in
    if args.max_downloads is not None:
        options["max_downloads"] = args.max_downloads
    if args.include_ext:
        options["include_ext"] = True
    secret = _encryption_password(args, False) if args.encrypt else None
    with screen.bar(args.file.name) as progress:
        result = transfer.upload(
            api,
            args.file,
            options=options,
            state=State(),
            progress=progress,
            concurrency=args.concurrency,
            encrypt=args.encrypt,
            password=secret,
        )
    for note in result.notes:
        screen.print(note)
    if result.resumed:
        stored = result.blocks_total - result.blocks_sent
        screen.print(
            f"resumed: {stored} of {result.blocks_total} blocks were already stored, "
            f"sent {result.blocks_sent}"
        )
    published = result.published
    link = result.link
    screen.print(link)
    if result.fragment:
        screen.print("encrypted: the key is the part after # (the server never saw it)")
    screen.print(f"key: {published['key']}  (keep it to delete the file)")
    if not args.no_qr:
        _print_qr(screen.console, link)
    return 0


def _upload_share(args: argparse.Namespace, api: Api, screen: Screen) -> int:
    if args.encrypt:
        screen.print("[red]error:[/red] --encrypt takes one file (encrypt an archive of several)")
        return 2
    options: dict[str, Any] = {"group_id": args.group}
    for name, value in (
        ("password", _password(args)),
        ("title", args.title),
        ("expires_in", args.expires_in),
        ("max_downloads", args.max_downloads),
    ):
        if value:
            options[name] = value
    result = shares.upload(
        api,
        args.files,
        options=options,
        state=State(),
        progress_for=screen.bar,
        concurrency=args.concurrency,
    )
    if result.skipped:
        screen.print(f"resumed: already in the share: {', '.join(result.skipped)}")
    link = str(result.share["share_url"])
    screen.print(link)
    screen.print(f"key: {result.share['key']}  (keep it to add files or delete the share)")
    if not args.no_qr:
        _print_qr(screen.console, link)
    return 0


def _download_share(args: argparse.Namespace, api: Api, screen: Screen, share_id: str) -> int:
    api.link_password = _password(args)
    result = shares.download(
        api,
        share_id,
        output=args.output,
        as_zip=args.zip,
        force=args.force,
        state=State(),
        progress_for=screen.bar,
        concurrency=args.concurrency,
    )
    if result.zip_path is not None:
        screen.print(f"saved {result.zip_path}")
    for path in result.saved:
        screen.print(f"saved {path}")
    return 0


def _print_qr(console: Console, link: str) -> None:
    drawn = io.StringIO()
    segno.make(link, error="m").terminal(out=drawn, compact=True)
    console.out(drawn.getvalue(), highlight=False, end="")


def _download(args: argparse.Namespace, api: Api, screen: Screen) -> int:
    share_id = shares.share_id_of(args.link)
    if share_id is not None:
        return _download_share(args, api, screen, share_id)
    file_url = transfer.file_url_of(args.link)
    api.link_password = _password(args)
    fragment = urlsplit(args.link).fragment
    key = LinkKey.from_fragment(fragment) if "k=" in fragment else None
    secret = _encryption_password(args, key is not None and key.password_required)
    with screen.bar(file_url) as progress:
        result = transfer.download(
            api,
            file_url,
            output=args.output,
            force=args.force,
            state=State(),
            progress=progress,
            concurrency=args.concurrency,
            key=key,
            password=secret,
        )
    if result.redirect_target is not None:
        screen.print(f"this link redirects to {result.redirect_target}")
        return 0
    if result.resumed_from:
        fetched = result.size - result.resumed_from
        screen.print(
            f"resumed: {result.resumed_from} of {result.size} bytes were already here, "
            f"fetched {fetched}"
        )
    how = "straight from storage" if result.direct else "through the API"
    verified = "size and SHA-256 verified" if result.checksum else "size verified"
    if result.decrypted:
        verified = "decrypted, every record authenticated"
    screen.print(f"saved {result.path} ({result.size} bytes, {verified}, {how})")
    return 0


def _login(args: argparse.Namespace, api: Api, screen: Screen) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
    body = api.login(args.username, password, bot=args.bot)
    Config(api.config.server, str(body["accessToken"]), str(body["username"])).save()
    screen.print(f"logged in to {api.config.server} as {body['username']}")
    return 0


def _ls(args: argparse.Namespace, api: Api, screen: Screen) -> int:
    body = api.files(args.group)
    table = Table("file", "name", "size", "expires", "link")
    for item in body.get("data", []):
        table.add_row(
            str(item["file_url"]),
            str(item["user_filename"]),
            human_size(int(item["size"])),
            str(item["expires_at"]),
            str(item["file_url_full"]),
        )
    screen.print(table)
    return 0


def _rm(args: argparse.Namespace, api: Api, screen: Screen) -> int:
    file_url = transfer.file_url_of(args.link)
    state = State()
    key = args.key or state.key_for(api.config.server, file_url) or _listed_key(api, file_url)
    if key is None:
        screen.print("[red]error:[/red] no key for this file: pass --key")
        return 1
    api.delete(file_url, key)
    state.forget_key(api.config.server, file_url)
    screen.print(f"deleted {file_url}")
    return 0


def _listed_key(api: Api, file_url: str) -> str | None:
    """A logged-in user's own files list their keys."""
    if not api.config.token:
        return None
    for item in api.files("private").get("data", []):
        if item.get("file_url") == file_url:
            return str(item["key"])
    return None


def _buffer_put(args: argparse.Namespace, api: Api, screen: Screen) -> int:
    if args.text is not None:
        body = api.buffer_put(args.text.encode(), data_type="text")
    elif str(args.file) == "-":
        body = api.buffer_put(sys.stdin.buffer.read(), data_type="text")
    else:
        body = api.buffer_put(args.file.read_bytes(), data_type="file", filename=args.file.name)
    item = body.get("item", {})
    screen.print(f"buffer holds {item.get('type')} ({human_size(int(item.get('size') or 0))})")
    return 0


def _buffer_get(args: argparse.Namespace, api: Api, screen: Screen) -> int:
    with api.buffer_get() as response:
        if response.headers.get("x-data-type") == "text":
            sys.stdout.buffer.write(response.read())
            sys.stdout.flush()
            return 0
        name = _attachment_name(response.headers.get("content-disposition", "")) or "buffer"
        target = args.output or Path(name)
        if target.is_dir():
            target = target / name
        if target.exists() and not args.force:
            raise FileExistsError(f"{target} exists (use --force to overwrite)")
        with target.open("wb") as out:
            for chunk in response.iter_bytes():
                out.write(chunk)
    screen.print(f"saved {target}")
    return 0


def _attachment_name(disposition: str) -> str | None:
    """The RFC 6266 `filename*` (else `filename`), reduced to a bare name."""
    fallback = None
    for part in disposition.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "filename*" and value.lower().startswith("utf-8''"):
            return Path(unquote(value[7:])).name or None
        if name.lower() == "filename":
            fallback = Path(value.strip('"')).name or None
    return fallback


def _webhooks_add(args: argparse.Namespace, api: Api, console: Console) -> int:
    body = api.add_webhook(args.url, args.events)
    console.print(f"added {body['id']} for {', '.join(body['events'])}")
    console.print(f"signing secret: {body['secret']}  (shown only now)")
    return 0


def _webhooks_ls(args: argparse.Namespace, api: Api, console: Console) -> int:
    table = Table("id", "url", "events", "state")
    for hook in api.webhooks().get("data", []):
        state = f"disabled: {hook['disabled_reason']}" if hook["disabled"] else "enabled"
        table.add_row(str(hook["id"]), str(hook["url"]), ", ".join(hook["events"]), state)
    console.print(table)
    return 0


def _webhooks_rm(args: argparse.Namespace, api: Api, console: Console) -> int:
    api.remove_webhook(args.id)
    console.print(f"removed {args.id}")
    return 0


def _webhooks_test(args: argparse.Namespace, api: Api, console: Console) -> int:
    body = api.test_webhook(args.id)
    console.print(f"queued test event {body['event_id']}")
    return 0


def _webhooks_deliveries(args: argparse.Namespace, api: Api, console: Console) -> int:
    table = Table("time", "event", "status", "attempt", "answer")
    for sent in api.webhook_deliveries(args.id).get("data", []):
        answer = sent["error"] or str(sent["http_status"])
        table.add_row(sent["time"], sent["event"], sent["status"], str(sent["attempt"]), answer)
    console.print(table)
    return 0
