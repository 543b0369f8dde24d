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
    what the fetch loaded."""

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
        self.max_age = max_age
        self.clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._loaded_at: float | None = None  # the last successful fetch
        self._attempted_at: float | None = None  # the last fetch, successful or not
        self._refetched_at: float | None = None  # the last fetch of an already loaded JWKS
        # One lock per event loop: an asyncio.Lock is bound to the loop it first waited in.
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    @property
    def loaded(self) -> bool:
        """True once a fetch succeeded (even if the JWKS held no usable key)."""
        return self._loaded_at is not None

    async def key(self, kid: str) -> jwt.PyJWK:
        """The key named `kid`. Raises UnknownKey when the JWKS has no such key (after the
        refetch it allowed), ServiceUnavailable when no JWKS could ever be fetched."""
        cached = self._keys.get(kid)
        if cached is not None and (not self._stale() or self._guard().locked()):
            return cached  # fresh, or a refresh is under way and this key is still good
        async with self._guard():
            # Another request may have fetched while this one waited for the lock.
            if (kid not in self._keys or self._stale()) and self._may_fetch():
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

    def _stale(self) -> bool:
        return self._loaded_at is not None and self.clock() - self._loaded_at >= self.max_age

    def _may_fetch(self) -> bool:
        if self.loaded:
            last, interval = self._refetched_at, self.refresh_interval
        else:
            last, interval = self._attempted_at, self.retry_interval
        return last is None or self.clock() - last >= interval

    async def _fetch(self) -> None:
        self._attempted_at = self.clock()
        if self.loaded:
            self._refetched_at = self._attempted_at
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
        self._loaded_at = self.clock()
        log.info(
            "JWKS loaded from %s: %d signing keys (%s)",
            self.url,
            len(keys),
            ", ".join(sorted(keys)) or "none usable",
        )
