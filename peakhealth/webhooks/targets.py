"""Where a delivery may go: a target URL is parsed, its host resolved (through the event loop's
`getaddrinfo`, never blocking it) and every address it resolves to checked against the SSRF rules
(`rules.refused_address`), when subscribing and again before every delivery. The delivery then
connects to an address checked here (`Target.connect_url`), not to a second lookup of the name,
so a name that resolves to a public address for the check and to a private one a moment later
(DNS rebinding) still reaches only the checked address."""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from peakhealth.webhooks import rules

Resolve = Callable[[str, int], Awaitable[list[str]]]
"""Resolves (host, port) to the addresses it names; injectable so tests need no real DNS."""


class UnsafeTarget(Exception):
    """A target URL that must not be called; the message says why."""


async def resolve_with_the_event_loop(host: str, port: int) -> list[str]:
    """The host's addresses, from the system resolver run by the event loop (in its executor,
    so the loop never blocks on DNS)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Target:
    """A checked target: the URL as given, its host and port, and the address to connect to."""

    url: str
    host: str
    port: int
    address: str

    @property
    def connect_url(self) -> str:
        """The URL with the checked address in place of the host name; the request carries the
        name in `Host` and in TLS (SNI and the certificate check)."""
        host = f"[{self.address}]" if ":" in self.address else self.address
        parts = urlsplit(self.url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{parts.scheme}://{host}:{self.port}{parts.path or '/'}{query}"

    @property
    def host_header(self) -> str:
        default = 443 if self.url.startswith("https:") else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


async def check_target(url: str, *, allow_private: bool, resolve: Resolve) -> Target:
    """The target of `url` with an address it may reach, or UnsafeTarget saying why not: not
    https, a host that does not resolve, or any of its addresses refused (unless
    `allow_private`: development and tests)."""
    try:
        parts = rules.split_url(url, allow_private=allow_private)
    except ValueError as error:
        raise UnsafeTarget(str(error)) from None
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = [str(ipaddress.ip_address(host))]  # a literal address: nothing to resolve
    except ValueError:
        if not allow_private and (reason := rules.refused_host(host)):
            raise UnsafeTarget(reason) from None
        try:
            addresses = await resolve(host, port)
        except (OSError, UnicodeError) as error:
            raise UnsafeTarget(f"{host} cannot be resolved ({error})") from None
    if not addresses:
        raise UnsafeTarget(f"{host} resolves to no address")
    if not allow_private:
        # Every address, not only the first: a name with one private address among public ones
        # could be steered to it.
        for address in addresses:
            reason = rules.refused_address(ipaddress.ip_address(address.split("%", 1)[0]))
            if reason:
                raise UnsafeTarget(f"{host} resolves to {reason}" if host != address else reason)
    return Target(url=url, host=host, port=port, address=addresses[0])
