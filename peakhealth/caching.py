"""The service's caches, one `cachetools` idiom for all, each with its rule beside it: what is
kept, by which key, and what ends an entry. Every cache is per process (workers and replicas
each keep their own, so no rule may depend on another process seeing an entry), bounded, and
not locked: the service runs on one event loop and a lookup or store never awaits."""

import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import LRUCache, TLRUCache, TTLCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def kept_answers(max_bytes: int) -> LRUCache[K, bytes]:
    """Rendered JSON answers of documents whose large part never changes once stored (a
    version's tree, a session's snapshot), see `peakhealth.answers`.

    Key: the kind of document and every stored field but the large one, so an answer depends on
    nothing outside its key. Never invalidated: any change of those fields is a new key, and a
    key's answer is always the same; entries leave only when the answers passed `max_bytes`
    (least recently used first). A large part edited behind the service's back is not seen
    until the process restarts."""
    return LRUCache(maxsize=max_bytes, getsizeof=len)


def until_expiry(
    max_entries: int,
    expires: Callable[[K, V, float], float],
    *,
    clock: Callable[[], float],
) -> TLRUCache[K, V]:
    """Entries that each stop being valid at a time of their own, `expires(key, value, now)`
    told on `clock` (for verified tokens: a minute after the check at most, never past the
    token's `exp`). Past it an entry is never answered; beyond `max_entries` the least recently
    used go first."""
    return TLRUCache(maxsize=max_entries, ttu=expires, timer=clock)


def for_seconds(
    max_entries: int, seconds: float, *, clock: Callable[[], float] = time.monotonic
) -> TTLCache[K, V]:
    """Entries answered for `seconds` after they were stored, then fetched again (for the
    exercise catalog: a change in it is seen at most `seconds` later; for a JWKS, whether its
    signing keys are younger than their maximum age, so a revoked key stops working). Beyond
    `max_entries` the least recently used go first."""
    return TTLCache(maxsize=max_entries, ttl=seconds, timer=clock)


def cooling_down(
    max_entries: int,
    seconds: Callable[[K, V], float],
    *,
    clock: Callable[[], float] = time.monotonic,
) -> TLRUCache[K, V]:
    """Recent attempts, each held for a cool-down of its own, `seconds(key, value)` from when it
    was stored; while one is held no new attempt starts (for a JWKS: a refetch of a loaded key
    set at most once a minute, however many unknown kids arrive; a first load that failed is
    retried a few seconds later). Whoever stores an entry may end it early (a first load that
    succeeded: a key rotated in just after it is fetched at once). Beyond `max_entries` the
    least recently used go first."""
    return TLRUCache(
        maxsize=max_entries, ttu=lambda key, value, now: now + seconds(key, value), timer=clock
    )
