"""Which address a request came from, as the platform saw it: the key of per-client limits."""

from __future__ import annotations

import ipaddress


def client_address(peer: str | None, forwarded_for: str | None, *, behind_front_end: bool) -> str:
    """The caller's address as the platform saw it; never a value the client chose.

    In Azure the front end appends the address it accepted the connection from as the last
    X-Forwarded-For entry (earlier entries come from the client and are ignored). Locally there is
    no front end, so the TCP peer is used and X-Forwarded-For is ignored altogether.
    """
    if behind_front_end and forwarded_for:
        candidate = forwarded_for.split(",")[-1].strip()
        host = candidate.rsplit(":", 1)[0] if candidate.count(":") == 1 else candidate
        try:
            return str(ipaddress.ip_address(host.strip("[]")))
        except ValueError:
            pass
    return peer or "unknown"
