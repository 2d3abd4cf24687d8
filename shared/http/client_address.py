"""Which address a request came from, as the platform saw it: the key of per-client limits."""

from __future__ import annotations

import ipaddress
import re

# `[IPv6]` or `[IPv6]:port`, and `IPv4:port`: the host is group 1. A bare IPv6 address has
# several colons and no brackets, so it never matches and is parsed whole, as is a bare IPv4.
_BRACKETED = re.compile(r"\[([^\]]+)\](?::[0-9]{1,5})?")
_IPV4_WITH_PORT = re.compile(r"([0-9.]+):[0-9]{1,5}")


def client_address(peer: str | None, forwarded_for: str | None, *, behind_front_end: bool) -> str:
    """The caller's address as the platform saw it; never a value the client chose.

    In Azure the front end appends the address it accepted the connection from as the last
    X-Forwarded-For entry (earlier entries come from the client and are ignored). Locally there is
    no front end, so the TCP peer is used and X-Forwarded-For is ignored altogether.
    """
    if behind_front_end and forwarded_for:
        address = forwarded_address(forwarded_for.split(",")[-1])
        if address is not None:
            return address
    return peer or "unknown"


def forwarded_address(entry: str) -> str | None:
    """The address in one X-Forwarded-For entry, in each form Azure's front end writes: `IPv4`,
    `IPv4:port`, `[IPv6]:port`, bare `IPv6`; None for anything else.

    A form not understood falls back to the TCP peer, the front end itself: one rate-limit bucket
    shared by every client, which is why `[IPv6]:port` must be read too.
    """
    text = entry.strip()
    match = _BRACKETED.fullmatch(text) or _IPV4_WITH_PORT.fullmatch(text)
    try:
        return str(ipaddress.ip_address(match.group(1) if match else text))
    except ValueError:
        return None
