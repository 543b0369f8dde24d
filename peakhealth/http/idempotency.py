"""`Idempotency-Key` on every POST under /api (DOMAIN.md section 12): a client that lost the
answer to a POST sends it again with the same key and gets the first answer back, byte for byte,
with `Idempotency-Replayed: true`, instead of a second assignment or session.

Pure ASGI middleware, inside the rate limit (which verified the caller) and the body checks
(413, 415), so it sees only requests that reached the routes. A POST without the header costs
nothing here. With it:

- the key must be 1-255 visible ASCII characters (422 naming the header otherwise);
- the key is claimed for (caller, key) before the route runs, one upsert that also tells a
  repeat (storage: `peakhealth.storage.idempotency`): the same request whose answer is kept
  replays it, the key first used with another method, path or body is 422
  `idempotency-key-reused`, and the first request still running is 409 `conflict` with
  `Retry-After`;
- after the route, its answer (status, body, Content-Type, Location, ETag) is kept, then sent:
  a second call, made before the answer leaves so that a repeat after it always replays. A
  5xx answer (and a 4xx that invites a retry: 408, 409, 425, 429) is not kept: the key is
  released and a repeat runs the request again. Other 4xx answers are kept (nothing was written,
  and the same request gets the same refusal).

A crash between the route's writes and keeping its answer leaves the claim `running`: repeats
get 409 until its lease ends, then run the request again. The key never replays an answer
that was not given (README, "Idempotency keys")."""

import hashlib
import json
import logging
import re
from contextlib import suppress
from typing import Any
from urllib.parse import parse_qsl

from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peakhealth.errors import FieldError, ServiceUnavailable
from peakhealth.http.body_limit import BodyTooLarge
from peakhealth.http.problems import (
    PROBLEM_JSON,
    RETRY_AFTER,
    FieldProblem,
    Problem,
    ProblemResponse,
    database_problem,
    problem,
)
from peakhealth.http.rate_limit import bearer_token, under_api, verified_upstream
from peakhealth.http.request_body import read_body, replaying
from peakhealth.identity.tokens import InvalidToken, TokenVerifier
from peakhealth.storage import idempotency as keys

log = logging.getLogger("peakhealth")

HEADER = "Idempotency-Key"
REPLAYED = "Idempotency-Replayed"
MAX_LENGTH = 255
KEY_PATTERN = f"^[!-~]{{1,{MAX_LENGTH}}}$"  # visible ASCII, 0x21-0x7E
_VISIBLE_ASCII = re.compile(rb"[!-~]+")
REUSED_SLUG = "idempotency-key-reused"
# Seconds a repeat of a request still running is asked to wait: requests take milliseconds.
IN_FLIGHT_RETRY_AFTER = "1"
# The answer's headers a replay repeats (the rate-limit headers are the repeat's own).
_KEPT_HEADERS = ("content-type", "location", "etag")
# 4xx answers that say the same request may succeed later: released, like failures.
_RETRY_LATER = frozenset({408, 409, 425, 429})


def is_kept(status: int) -> bool:
    """Whether an answer of `status` is kept for its key (else the key is released)."""
    return status < 500 and status not in _RETRY_LATER


def key_error(sent: list[bytes]) -> str | None:
    """Why the header's values are not one valid key; None when they are."""
    if len(sent) > 1:
        return "send one key"
    if not sent[0]:
        return "must not be empty"
    if len(sent[0]) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if not _VISIBLE_ASCII.fullmatch(sent[0]):
        return "must be visible ASCII characters (no spaces)"
    return None


def fingerprint(scope: Scope, body: bytes) -> str:
    """A hash of the canonical request: method, path, query parameters in order, and the body
    as canonical JSON (keys sorted, no spaces), so a client that serialises the same request
    differently is still repeating it. A body that is not JSON is hashed as sent."""
    query = sorted(parse_qsl(scope.get("query_string", b"").decode("latin-1"), True))
    digest = hashlib.sha256(json.dumps([scope["method"], scope["path"], query]).encode())
    try:
        parsed = json.loads(body)
    except ValueError:
        canonical = body
    else:
        canonical = json.dumps(
            parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    digest.update(b"\n")
    digest.update(canonical)
    return digest.hexdigest()


def reused_problem(path: str) -> Problem:
    message = "was first used with another request (method, path or body); use a new key"
    return Problem(
        type=f"urn:peakhealth:problem:{REUSED_SLUG}",
        title="Idempotency key reused",
        status=422,
        detail=f"{HEADER}: {message}",
        instance=path,
        errors=[FieldProblem(field=HEADER, message=message)],
    )


IN_FLIGHT_DETAIL = f"a request with this {HEADER} is still running; retry later"


class Idempotency:
    """Claims, replays and keeps answers of POSTs that carry an Idempotency-Key."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not under_api(scope["path"]):
            await self.app(scope, receive, send)
            return
        sent = [value for name, value in scope["headers"] if name == b"idempotency-key"]
        if not sent:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        wrong = key_error(sent)
        if wrong is not None:
            errors = [FieldError(HEADER, wrong)]
            await problem(request, 422, f"{HEADER}: {wrong}", errors=errors)(scope, receive, send)
            return
        try:
            caller = await _caller(request)
        except ServiceUnavailable as error:
            refused = problem(request, 503, error.detail, headers={"Retry-After": RETRY_AFTER})
            await refused(scope, receive, send)
            return
        if caller is None:  # no valid token: the route answers 401, and nothing is kept
            await self.app(scope, receive, send)
            return
        try:
            body = await read_body(receive)
        except BodyTooLarge as error:
            await problem(request, 413, str(error.detail))(scope, receive, send)
            return
        key = sent[0].decode("ascii")
        try:
            outcome = await keys.claim(caller, key, fingerprint(scope, body))
        except PyMongoError as error:
            await database_problem(request, error)(scope, receive, send)
            return
        if isinstance(outcome, keys.Replay):
            answer = outcome.answer
            headers = {**answer.headers, REPLAYED: "true"}
            await Response(answer.body, answer.status, headers)(scope, receive, send)
        elif isinstance(outcome, keys.Reused):
            await ProblemResponse(reused_problem(scope["path"]), 422)(scope, receive, send)
        elif isinstance(outcome, keys.InFlight):
            headers = {"Retry-After": IN_FLIGHT_RETRY_AFTER}
            await problem(request, 409, IN_FLIGHT_DETAIL, headers=headers)(scope, receive, send)
        else:
            await self._run(outcome, scope, replaying(body, receive), send)

    async def _run(self, claimed: keys.Claimed, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the route holding the claim; keep its answer (or release the key), then send
        the answer."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def hold_back(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self.app(scope, receive, hold_back)
        except Exception:
            # Unhandled: the answer is a 500 made outside; nothing to keep.
            with suppress(PyMongoError):
                await keys.release(claimed)
            raise
        assert start is not None, "the route answered nothing"
        status: int = start["status"]
        body = b"".join(chunks)
        try:
            if is_kept(status):
                headers = {
                    name.decode("latin-1"): value.decode("latin-1")
                    for name, value in start.get("headers", [])
                    if name.decode("latin-1").lower() in _KEPT_HEADERS
                }
                if not await keys.keep(claimed, keys.KeptAnswer(status, headers, body)):
                    log.warning("idempotency key taken over before its answer was kept")
            else:
                await keys.release(claimed)
        except PyMongoError as error:
            # The answer stands (its writes happened); the claim stays `running` until its
            # lease ends, and a repeat after that runs the request again.
            log.warning("idempotency key left to its lease: %r", error)
        await send(start)
        await send({"type": "http.response.body", "body": body})


async def _caller(request: Request) -> str | None:
    """The verified caller's id, as the rate limit verified it (or verifying it now); None
    without a valid token."""
    token = bearer_token(request.headers)
    if token is None:
        return None
    try:
        user = verified_upstream(request, token)
        if user is None:
            verifier: TokenVerifier = request.app.state.verifier
            user = await verifier.verify(token)
    except InvalidToken:
        return None
    return user.id


# ----- OpenAPI ----------------------------------------------------------------------------------

KEY_PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": "Makes the POST safe to retry: the first answer to this key (1-255 visible"
    " ASCII characters, unique per caller, e.g. a UUID) is kept for 24 hours and sent again,"
    f" with `{REPLAYED}: true`, to a repeat of the same request. Reusing the key for another"
    f" request is 422 `{REUSED_SLUG}`; a repeat while the first still runs is 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH, "pattern": KEY_PATTERN},
}
REPLAYED_HEADER: dict[str, Any] = {
    "description": f"`true` when this is the kept answer to an earlier request with the same"
    f" {HEADER}",
    "schema": {"type": "string", "enum": ["true"]},
}
RETRY_AFTER_HEADER: dict[str, Any] = {
    "description": "Seconds to wait before repeating the request",
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}


def document_idempotency(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every POST of an OpenAPI document its `Idempotency-Key` parameter, the
    `Idempotency-Replayed` header on the answers a replay can repeat, and the idempotency
    problems beside the route's own among the 409 and 422 examples."""
    for path, operations in schema.get("paths", {}).items():
        operation = operations.get("post")
        if operation is None or not under_api(path):
            continue
        operation.setdefault("parameters", []).append(KEY_PARAMETER)
        for code, response in operation.get("responses", {}).items():
            if code.isdigit() and is_kept(int(code)):
                response.setdefault("headers", {})[REPLAYED] = REPLAYED_HEADER
        conflict = operation["responses"].get("409", {}).get("content", {}).get(PROBLEM_JSON)
        if conflict is not None:
            operation["responses"]["409"].setdefault("headers", {})["Retry-After"] = (
                RETRY_AFTER_HEADER
            )
            in_flight = Problem.of(409, IN_FLIGHT_DETAIL, path).model_dump(exclude_none=True)
            _add_example(conflict, "keyInFlight", "The same key is still running", in_flight)
        invalid = operation["responses"].get("422", {}).get("content", {}).get(PROBLEM_JSON)
        if invalid is not None:
            reused = reused_problem(path).model_dump(exclude_none=True)
            _add_example(invalid, "keyReused", "The key was used with another request", reused)
            wrong = f"must be at most {MAX_LENGTH} characters"
            bad_key = Problem.of(
                422, f"{HEADER}: {wrong}", path, errors=[FieldError(HEADER, wrong)]
            ).model_dump(exclude_none=True)
            _add_example(invalid, "keyInvalid", "The key is not 1-255 visible ASCII", bad_key)
    return schema


def _add_example(content: dict[str, Any], name: str, summary: str, value: Any) -> None:
    """Add a named example, turning a single `example` into the first of `examples` (the two
    are exclusive in OpenAPI)."""
    examples = content.setdefault("examples", {})
    if "example" in content:
        examples["route"] = {"summary": "The route's own", "value": content.pop("example")}
    examples[name] = {"summary": summary, "value": value}
