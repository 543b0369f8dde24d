"""Requests under /api per caller (`RATE_LIMIT`, counted by the `limits` package): keyed by the
verified token's subject, else by the client address. Every /api response carries
X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset; over the limit the route does not
run and the answer is a 429 problem with Retry-After."""

import logging
import math
import time

import limits
from limits.aio.storage import MovingWindowSupport, Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peakhealth.errors import ServiceUnavailable
from peakhealth.http.problems import problem
from peakhealth.identity.tokens import InvalidToken, TokenVerifier
from peakhealth.identity.users import CurrentUser

log = logging.getLogger("peakhealth")

API_PREFIX = "/api"
CALENDAR_PREFIX = "/calendar/"
# Scope state key: (bearer token, the CurrentUser it names or the InvalidToken it raised), so
# `current_user` does not verify the same token twice.
VERIFIED_CALLER = "peakhealth.verified_caller"


def under_api(path: str) -> bool:
    return path == API_PREFIX or path.startswith(f"{API_PREFIX}/")


def rate_limited(path: str) -> bool:
    """/api, and the calendar feeds read without a token (counted by address: a guessed secret
    costs the guesser their budget)."""
    return under_api(path) or path.startswith(CALENDAR_PREFIX)


def bearer_token(headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def verified_upstream(request: Request, token: str) -> CurrentUser | None:
    """The caller this middleware already verified for `token` (None when it did not run or saw
    another token); raises InvalidToken again when that verification failed."""
    remembered = request.scope.get("state", {}).get(VERIFIED_CALLER)
    if remembered is None or remembered[0] != token:
        return None
    outcome: CurrentUser | InvalidToken = remembered[1]
    if isinstance(outcome, InvalidToken):
        raise InvalidToken(outcome.detail)
    return outcome


class RateLimit:
    """Pure ASGI middleware; a moving window where the storage supports one, else fixed."""

    def __init__(self, app: ASGIApp, *, limit: str, storage_uri: str) -> None:
        self.app = app
        self.item = limits.parse(limit)
        storage = storage_from_string(storage_uri, wrap_exceptions=True)
        if not isinstance(storage, Storage):
            raise ValueError(f"{storage_uri!r} is not an async storage (use an async+ scheme)")
        self.limiter: RateLimiter = (
            MovingWindowRateLimiter(storage)
            if isinstance(storage, MovingWindowSupport)
            else FixedWindowRateLimiter(storage)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not rate_limited(scope["path"]):
            await self.app(scope, receive, send)
            return
        key = await self._caller_key(scope)
        try:
            allowed = await self.limiter.hit(self.item, key)
            stats = await self.limiter.get_window_stats(self.item, key)
        except (StorageError, OSError) as error:
            log.error("rate-limit storage unreachable: %r", error)
            unavailable = problem(
                Request(scope),
                503,
                "the rate-limit store cannot be reached",
                headers={"Retry-After": "5"},
            )
            await unavailable(scope, receive, send)
            return
        headers = {
            "X-RateLimit-Limit": str(self.item.amount),
            "X-RateLimit-Remaining": str(max(0, stats.remaining)),
            "X-RateLimit-Reset": str(math.ceil(stats.reset_time)),
        }
        if not allowed:
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            refused = problem(
                Request(scope),
                429,
                f"the limit is {self.item} per caller; retry in {retry_after} s",
                headers={**headers, "Retry-After": str(retry_after)},
            )
            await refused(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _caller_key(self, scope: Scope) -> str:
        """`user:<sub>` for a valid bearer token, else `address:<client host>`; the outcome of the
        verification is kept in the scope state for `current_user`."""
        token = bearer_token(Headers(scope=scope))
        if token is not None:
            verifier: TokenVerifier = scope["app"].state.verifier
            outcome: CurrentUser | InvalidToken | None
            try:
                outcome = await verifier.verify(token)  # a JWKS fetch is awaited, not blocking
            except InvalidToken as error:
                outcome = error
            except ServiceUnavailable:
                # No JWKS could be fetched yet: counted by address, nothing remembered, so
                # `current_user` verifies again and answers 503.
                outcome = None
            if outcome is not None:
                scope["state"] = {**scope.get("state", {}), VERIFIED_CALLER: (token, outcome)}
            if isinstance(outcome, CurrentUser):
                return f"user:{outcome.id}"
        client = scope.get("client")
        return f"address:{client[0] if client else 'unknown'}"
