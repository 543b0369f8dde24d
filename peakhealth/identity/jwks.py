"""The Supabase project's signing keys (JWKS), fetched with httpx's async client so the event loop
never blocks, cached, and refetched when a token names a key the cache lacks: at most once a
minute, and once for any number of concurrent requests waiting on the same fetch."""

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
from cachetools import TLRUCache, TTLCache

from peakhealth import caching
from peakhealth.errors import ServiceUnavailable

log = logging.getLogger("peakhealth")

ASYMMETRIC = ("RS256", "ES256")
FETCH_TIMEOUT = 5.0  # seconds for the whole fetch (connect, read)
REFRESH_INTERVAL = 60.0  # at least this long between refetches of a loaded JWKS
RETRY_INTERVAL = 5.0  # between first-load attempts while none succeeded (the 503's Retry-After)
MAX_AGE = 600.0  # keys older than this are refetched, so a revoked key stops working


def jwks_url(supabase_url: str) -> str:
    """Where a Supabase project publishes its public signing keys."""
    return f"{supabase_url.rstrip('/')}/auth/v1/.well-known/jwks.json"


class UnknownKey(LookupError):
    """The loaded JWKS has no usable RS256/ES256 key with that id."""


def parse_jwks(document: Any) -> dict[str, jwt.PyJWK]:
    """The RS256 and ES256 signing keys of a JWKS document, by `kid`; other members (no `kid`,
    `use` other than `sig`, symmetric keys, unsupported curves, malformed keys) are skipped."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("the answer is not a JWKS (no 'keys' list)")
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict):
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid or entry.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK.from_dict(entry)
        except jwt.PyJWTError as error:
            log.warning("JWKS key %r skipped: %s", kid, error)
            continue
        if key.algorithm_name in ASYMMETRIC:
            keys[kid] = key
    return keys


class JwksCache:
    """The keys of one JWKS URL, loaded on first use. `key(kid)` answers from the cache; a kid it
    lacks (or a cache older than `max_age`) causes a refetch, unless one was attempted within
    `refresh_interval` (so a key rotated in just after the first load is found at once, and a
    flood of made-up kids costs one fetch a minute). While no load ever succeeded, attempts are
    `retry_interval` apart. Fetches run one at a time under a lock; requests waiting on it use
    what the fetch loaded. Both timings are caches of `peakhealth.caching`, their rules written
    there: `for_seconds` (the set's age) and `cooling_down` (refetches and first-load retries)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = FETCH_TIMEOUT,
        refresh_interval: float = REFRESH_INTERVAL,
        retry_interval: float = RETRY_INTERVAL,
        max_age: float = MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.refresh_interval = refresh_interval
        self.retry_interval = retry_interval
        self.clock = clock

        def now() -> float:  # through the attribute: a clock set later counts
            return self.clock()

        self.loaded = False  # True once a fetch succeeded (even if the JWKS held no usable key)
        # The set last loaded: answered while fresh, and kept (stale) while refetches fail.
        self._keys: dict[str, jwt.PyJWK] = {}
        # The URL is held while the set is younger than `max_age`.
        self._fresh: TTLCache[str, bool] = caching.for_seconds(1, max_age, clock=now)
        # The URL is held while no new fetch may start; the value: was a set loaded before it.
        self._cooling: TLRUCache[str, bool] = caching.cooling_down(
            1, lambda _, loaded: refresh_interval if loaded else retry_interval, clock=now
        )
        # One lock per event loop: an asyncio.Lock is bound to the loop it first waited in.
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    async def key(self, kid: str) -> jwt.PyJWK:
        """The key named `kid`. Raises UnknownKey when the JWKS has no such key (after the
        refetch it allowed), ServiceUnavailable when no JWKS could ever be fetched."""
        cached = self._keys.get(kid)
        if cached is not None and (self._is_fresh() or self._guard().locked()):
            return cached  # fresh, or a refresh is under way and this key is still good
        async with self._guard():
            # Another request may have fetched while this one waited for the lock.
            if (kid not in self._keys or not self._is_fresh()) and self.url not in self._cooling:
                await self._fetch()
        found = self._keys.get(kid)
        if found is not None:
            return found
        if not self.loaded:
            raise ServiceUnavailable(
                "the project's signing keys (JWKS) cannot be fetched; retry shortly"
            )
        raise UnknownKey(kid)

    def _guard(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    def _is_fresh(self) -> bool:
        # Never loaded counts as fresh: there is nothing to refresh, only a kid to look for.
        return not self.loaded or self.url in self._fresh

    async def _fetch(self) -> None:
        # The cool-down counts from the attempt; a first load that succeeds ends its own, so a
        # key rotated in just after it is refetched at once.
        first_load = not self.loaded
        self._cooling[self.url] = self.loaded
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(self.url, headers={"Accept": "application/json"})
            response.raise_for_status()
            keys = parse_jwks(response.json())
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as error:
            kept = (
                f"keeping the {len(self._keys)} keys loaded before"
                if self.loaded
                else "no key loaded yet, asymmetric tokens answer 503"
            )
            log.warning(
                "JWKS fetch from %s failed (%s: %s); %s; next attempt in %.0f s at the earliest",
                self.url,
                type(error).__name__,
                error,
                kept,
                self.refresh_interval if self.loaded else self.retry_interval,
            )
            return
        self._keys = keys
        self._fresh[self.url] = True
        self.loaded = True
        if first_load:
            self._cooling.pop(self.url, None)
        log.info(
            "JWKS loaded from %s: %d signing keys (%s)",
            self.url,
            len(keys),
            ", ".join(sorted(keys)) or "none usable",
        )
