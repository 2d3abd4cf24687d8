"""Where a webhook may be sent: URL rules at registration, address rules at every connection.

Receivers are untrusted URLs, so in Azure (WEBHOOK_ALLOW_PRIVATE_DESTINATIONS off) the sender
must never reach the app's own network: private, loopback, link-local (the instance metadata
service), shared, reserved and multicast addresses are refused, and so is Azure's platform
address 168.63.129.16. Names are checked once at registration (cheap, no DNS) and again, for
real, on every delivery: the resolver below drops every address the rules refuse and the
connection goes to an address it returned, so a name that re-resolves to 127.0.0.1 between the
check and the connection (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from shared.errors import BadRequest

MAX_URL_CHARS = 2048
_PLATFORM = tuple(
    ipaddress.ip_network(net)
    for net in (
        "168.63.129.16/32",  # Azure's wire server and DNS
        "169.254.169.254/32",  # instance metadata (link-local too, named for clarity)
        "fd00:ec2::254/128",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# A top-level label is never numeric: such a "name" is an IPv4 address in a legacy spelling.
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan")


class DestinationRefused(OSError):
    """The receiver's address is one the rules refuse."""


def is_public_address(text: str) -> bool:
    """True for an address on the public internet; False for anything else, or no address."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    if address.is_multicast or not address.is_global:
        return False
    return not any(address in network for network in _PLATFORM)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def may_be_public(host: str) -> bool:
    """Whether a URL's host can name a public address, judged without asking DNS."""
    host = host.strip("[]").rstrip(".").lower()
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    else:
        return is_public_address(host)
    if not host or "." not in host or host == "localhost" or host.endswith(_LOCAL_SUFFIXES):
        return False
    return not _NUMERIC_LABEL.match(host.rsplit(".", 1)[-1])


def check_url(raw: object, *, allow_private: bool) -> str:
    """A receiver URL as registered: http(s), a host, no credentials; public unless allowed."""
    if not isinstance(raw, str) or not raw.strip():
        raise BadRequest("url is required")
    url = raw.strip()
    if len(url) > MAX_URL_CHARS:
        raise BadRequest(f"url must be at most {MAX_URL_CHARS} characters")
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise BadRequest("url must be an http or https URL")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise BadRequest("url must be an http or https URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadRequest("url must be an http or https URL")
    if parts.username is not None or parts.password is not None:
        raise BadRequest("url must not contain a user name or password")
    if not allow_private and not may_be_public(parts.hostname):
        raise BadRequest("url must point to a public address, not a private or local one")
    return url


def literal_refused(url: str) -> bool:
    """An address written into the URL itself is connected to without any resolver: check it."""
    host = (urlsplit(url).hostname or "").split("%", 1)[0]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return not is_public_address(host)


class PublicOnlyResolver(AbstractResolver):
    """A resolver (the system's by default) keeping only public addresses; none is a refusal."""

    def __init__(self, resolver: AbstractResolver | None = None) -> None:
        self._resolver = resolver or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        allowed = [result for result in found if is_public_address(result["host"])]
        if not allowed:
            raise DestinationRefused(f"{host} resolves to no public address")
        return allowed

    async def close(self) -> None:
        await self._resolver.close()
