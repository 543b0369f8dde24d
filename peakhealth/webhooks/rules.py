"""The pure rules of webhooks: event types, which targets are refused, when a failed delivery is
tried again and when a subscription that keeps failing is disabled. No I/O."""

import ipaddress
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import SplitResult, urlsplit

# The change feed's resource types (DOMAIN.md section 12) as events name them.
RESOURCE_TYPES = (
    "session",
    "assignment",
    "routine",
    "template",
    "section",
    "workout",
    "metric",
    "record",
)
ACTIONS = ("created", "updated", "deleted")
TEST_EVENT = "webhook.test"
EventType = Literal[
    "session.created",
    "session.updated",
    "session.deleted",
    "assignment.created",
    "assignment.updated",
    "assignment.deleted",
    "routine.created",
    "routine.updated",
    "routine.deleted",
    "template.created",
    "template.updated",
    "template.deleted",
    "section.created",
    "section.updated",
    "section.deleted",
    "workout.created",
    "workout.updated",
    "workout.deleted",
    "metric.created",
    "metric.updated",
    "metric.deleted",
    "record.created",
    "record.updated",
    "record.deleted",
    "webhook.test",
]
EVENT_TYPES: frozenset[str] = frozenset(
    [f"{resource}.{action}" for resource in RESOURCE_TYPES for action in ACTIONS] + [TEST_EVENT]
)

FAILING_LIMIT = timedelta(hours=24)  # failing this long in a row disables a subscription
MAX_URL_LENGTH = 2048

# Cloud metadata services, refused by name before any resolution (their addresses are refused
# as link-local or private too, but a name is refused even where DNS says otherwise).
METADATA_HOSTS = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data", "metadata.azure.com"}
)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(text)
    for text in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def event_type(resource_type: str, *, revision: int, deleted: bool) -> str:
    """`<resourceType>.<created|updated|deleted>` of one change: a tombstone is a deletion, the
    first revision a creation, any later one an update."""
    action = "deleted" if deleted else "created" if revision <= 1 else "updated"
    return f"{resource_type}.{action}"


def unknown_events(events: Iterable[str]) -> list[tuple[int, str]]:
    """(position, name) of every event type no change has."""
    return [(index, name) for index, name in enumerate(events) if name not in EVENT_TYPES]


def refused_address(address: Address) -> str | None:
    """Why a delivery must not reach `address` (None when it may): loopback, private,
    link-local, multicast, reserved, unspecified, shared (100.64.0.0/10), cloud metadata, and
    IPv4 addresses of those written as IPv6 (::ffff:10.0.0.1)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return refused_address(address.ipv4_mapped)
    if address in METADATA_ADDRESSES:
        return f"{address} is a cloud metadata address"
    for refused, what in (
        (address.is_loopback, "a loopback address"),
        (address.is_unspecified, "the unspecified address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
    ):
        if refused:
            return f"{address} is {what}"
    if not address.is_global:  # shared (100.64.0.0/10), documentation, benchmarking ranges
        return f"{address} is not a public address"
    return None


def split_url(url: str, *, allow_private: bool) -> SplitResult:
    """The parts of a target URL, or ValueError saying what is wrong with it: https (http too
    when private targets are allowed), a host, no user or password in it."""
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(f"at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as error:
        raise ValueError(f"not a URL: {error}") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise ValueError("must be an https:// URL")
    if not parts.hostname:
        raise ValueError("must name a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not carry a user name or password")
    if parts.fragment:
        raise ValueError("must not have a fragment (#...)")
    return parts


def refused_host(host: str) -> str | None:
    """Why a host name is refused before it is resolved (a metadata service's name)."""
    name = host.lower().rstrip(".")
    if name in METADATA_HOSTS or name == "localhost" or name.endswith(".localhost"):
        return f"{host} is not a public host"
    return None


def retry_at(attempts_made: int, delays: Sequence[int], now: datetime) -> datetime | None:
    """When to try again after `attempts_made` attempts all failed (None: give up): the
    attempt-th delay of `delays` from now."""
    if attempts_made > len(delays):
        return None
    return now + timedelta(seconds=delays[attempts_made - 1])


def failing_too_long(failing_since: datetime | None, now: datetime) -> bool:
    """True once a subscription has failed every attempt for `FAILING_LIMIT`."""
    return failing_since is not None and now - failing_since >= FAILING_LIMIT
