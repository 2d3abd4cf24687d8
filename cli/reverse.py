"""`fileshare reverse`: upload links others send you files through (create, list, revoke)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, Protocol

from rich.table import Table

from cli.api import Api
from shared.sizes import human_size

_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


class Printer(Protocol):
    def print(self, text: str | Table) -> None: ...


def size(text: str) -> int:
    """`500`, `100M`, `2G` (powers of 1024, as everywhere here) as bytes."""
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    number, unit = (value[:-1], value[-1]) if value and value[-1] in _UNITS else (value, "")
    if not number.isdigit() or int(number) < 1:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 500, 100M, 2G)")
    return int(number) * _UNITS[unit]


def add_commands(
    commands: Any,
    password_option: Callable[[argparse.ArgumentParser, str], None],
    password_of: Callable[[argparse.Namespace], str | None],
) -> None:
    """The `reverse` command and its actions, on the main parser's subcommands."""
    links = commands.add_parser("reverse", help="upload links others send you files through")
    actions = links.add_subparsers(required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a link; prints its address")
    create.add_argument("--files", type=int, default=10, help="files it accepts (default 10)")
    create.add_argument("--size", type=size, default="100M", help="bytes in all (default 100M)")
    create.add_argument("--expires-in", type=int, help="seconds the link lives")
    create.add_argument("--file-expires-in", type=int, help="seconds each received file lives")
    create.add_argument("--group", help="a group of yours to receive the files")
    password_option(create, "a password uploaders must give")
    create.set_defaults(command=create_link, password_of=password_of)
    listing = actions.add_parser("list", aliases=["ls"], help="your links and what they received")
    listing.set_defaults(command=list_links)
    remove = actions.add_parser("revoke", aliases=["rm"], help="revoke a link at once")
    remove.add_argument("id")
    remove.set_defaults(command=revoke_link)


def create_link(args: argparse.Namespace, api: Api, out: Printer) -> int:
    body: dict[str, Any] = {"max_files": args.files, "max_bytes": args.size}
    optional = {
        "expires_in": args.expires_in,
        "file_expires_in": args.file_expires_in,
        "group_id": args.group,
        "password": args.password_of(args),
    }
    body.update({name: value for name, value in optional.items() if value is not None})
    link = api.create_link(body)
    out.print(link["upload_url"])
    out.print(
        f"{link['max_files']} files, {human_size(link['max_bytes'])}, until {link['expires_at']}"
    )
    return 0


def list_links(args: argparse.Namespace, api: Api, out: Printer) -> int:
    table = Table("id", "upload url", "files", "bytes", "expires")
    for link in api.links().get("data", []):
        table.add_row(
            str(link["id"]),
            str(link["upload_url"]),
            f"{link['files_received']}/{link['max_files']}",
            f"{human_size(link['bytes_received'])}/{human_size(link['max_bytes'])}",
            str(link["expires_at"]),
        )
    out.print(table)
    return 0


def revoke_link(args: argparse.Namespace, api: Api, out: Printer) -> int:
    api.revoke_link(args.id)
    out.print(f"revoked {args.id}")
    return 0
