"""Metric or imperial at the edge (DOMAIN.md section 14): every /api request is served in one
unit system, `?units=metric|imperial`, else the caller's profile (`profiles.unit_system`), else
metric, and every answer says which in `Content-Units`. Routes and services only ever see the
stored units (kg, km, m): this middleware converts an imperial JSON body before the route reads
it and the route's JSON answer after (the field rules are `peakhealth.units`).

An imperial answer is another representation of the same document, so it has its own entity
tag: `"<revision>-imperial"`. A conditional header is translated for the routes, which compare
revisions: in an imperial request `"7-imperial"` names revision 7 and a metric `"7"` names
nothing (and the reverse in a metric request, where an imperial tag is no revision), as RFC 9110
asks of strong comparison between representations.

Innermost of the middlewares: the idempotency middleware keeps the converted answer, so a replay
is byte-identical whatever the caller's profile says by then. The profile is read through a
short cache (`PROFILE_SECONDS`); an integrator that must not depend on it sends `?units=`."""

import json
import logging
import re
from typing import Any
from urllib.parse import parse_qsl

from pymongo.errors import PyMongoError
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peakhealth import caching, units
from peakhealth.errors import FieldError, ServiceUnavailable
from peakhealth.http.body_limit import BodyTooLarge
from peakhealth.http.media_type import carries_body, is_json
from peakhealth.http.problems import RETRY_AFTER, database_problem, problem
from peakhealth.http.rate_limit import VERIFIED_CALLER, under_api
from peakhealth.http.request_body import read_body, replaying
from peakhealth.identity.directory import UserDirectory
from peakhealth.identity.users import CurrentUser
from peakhealth.units import METRIC, UNIT_SYSTEMS, UnitSystem

log = logging.getLogger("peakhealth")

HEADER = "Content-Units"
PARAMETER = "units"
IMPERIAL_TAG = "-imperial"
PROFILE_SECONDS = 60.0  # a unit system changed elsewhere (Supabase, another replica) shows after
PROFILE_ENTRIES = 10_000
_CONDITIONAL = (b"if-match", b"if-none-match")
_TAG = re.compile(r'"([^"]*)"')


def representation_tag(etag: str, system: UnitSystem) -> str:
    """The entity tag of the answer in `system`, from the route's (metric) tag."""
    if system == METRIC or not etag.endswith('"'):
        return etag
    return f'{etag[:-1]}{IMPERIAL_TAG}"'


def route_tags(header: str, system: UnitSystem) -> str:
    """A conditional header as the routes compare it: the tags of `system`'s representations
    become revisions, the others something no revision equals (`*` stays `*`)."""
    if system == METRIC:
        return header  # an imperial tag is no revision already

    def translate(match: re.Match[str]) -> str:
        tag = match.group(1)
        if tag.endswith(IMPERIAL_TAG):
            return f'"{tag.removesuffix(IMPERIAL_TAG)}"'
        return f'"{tag}-metric"'

    return _TAG.sub(translate, header)


class ProfileUnits:
    """The unit system of each caller's profile, kept `PROFILE_SECONDS`; a change made through
    this process (`PATCH /api/users/me`) is seen at once."""

    def __init__(self, directory: UserDirectory) -> None:
        self.directory = directory
        self.cache: Any = caching.for_seconds(PROFILE_ENTRIES, PROFILE_SECONDS)

    async def of(self, user_id: str) -> UnitSystem:
        system: UnitSystem | None = self.cache.get(user_id)
        if system is None:
            system = (await self.directory.profile(user_id)).unitSystem
            self.cache[user_id] = system
        return system

    def changed(self, user_id: str, system: UnitSystem) -> None:
        self.cache[user_id] = system


def _asked(scope: Scope) -> str | None:
    """The `units` query parameter, last one wins as for every other parameter."""
    asked = None
    for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
        if name == PARAMETER:
            asked = value
    return asked


def _caller(scope: Scope) -> CurrentUser | None:
    """The caller the rate limit verified (the routes verify again and answer 401 otherwise)."""
    remembered = scope.get("state", {}).get(VERIFIED_CALLER)
    outcome = remembered[1] if remembered else None
    return outcome if isinstance(outcome, CurrentUser) else None


class Units:
    """Pure ASGI middleware: the request's unit system, converted bodies, `Content-Units`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not under_api(scope["path"]):
            await self.app(scope, receive, send)
            return
        asked = _asked(scope)
        if asked is not None and asked not in UNIT_SYSTEMS:
            refused = problem(
                Request(scope),
                422,
                "the request is not valid",
                errors=[FieldError(PARAMETER, "must be 'metric' or 'imperial'")],
            )
            await refused(scope, receive, send)
            return
        try:
            system = await self._system(scope, asked)
        except (ServiceUnavailable, PyMongoError) as error:
            if carries_body(Headers(scope=scope)):
                # A body's units are unknown without the profile: guessing metric would store
                # pounds as kilograms.
                await _unavailable(scope, error)(scope, receive, send)
                return
            # A read answers metric, and says so: true, if not the caller's preference, and
            # what does not need the profile keeps working through a directory outage.
            log.warning("unit system of the caller unknown, answering metric: %r", error)
            system = METRIC
        if system != METRIC:
            scope = _translated_conditions(scope, system)
            headers = Headers(scope=scope)
            if is_json(headers.get("content-type", "")):
                try:
                    body = await read_body(receive)
                except BodyTooLarge as error:
                    await problem(Request(scope), 413, str(error.detail))(scope, receive, send)
                    return
                body = _read_in(system, body)
                scope = _with_length(scope, len(body))
                receive = replaying(body, receive)

        await self.app(scope, receive, _answering(system, send))

    async def _system(self, scope: Scope, asked: str | None) -> UnitSystem:
        if asked is not None:
            return asked  # type: ignore[return-value]  # checked against UNIT_SYSTEMS
        caller = _caller(scope)
        if caller is None:
            return METRIC
        profiles: ProfileUnits = scope["app"].state.profile_units
        return await profiles.of(caller.id)


def _unavailable(scope: Scope, error: Exception) -> Response:
    if isinstance(error, ServiceUnavailable):
        return problem(Request(scope), 503, error.detail, headers={"Retry-After": RETRY_AFTER})
    return database_problem(Request(scope), error)


def _translated_conditions(scope: Scope, system: UnitSystem) -> Scope:
    headers = [
        (name, route_tags(value.decode("latin-1"), system).encode("latin-1"))
        if name in _CONDITIONAL
        else (name, value)
        for name, value in scope["headers"]
    ]
    return {**scope, "headers": headers}


def _with_length(scope: Scope, length: int) -> Scope:
    headers = [(name, value) for name, value in scope["headers"] if name != b"content-length"]
    return {**scope, "headers": [*headers, (b"content-length", str(length).encode())]}


def _read_in(system: UnitSystem, body: bytes) -> bytes:
    """An imperial body in stored units; one that is not JSON goes on as sent, for the route
    to refuse with its usual 422."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    return json.dumps(units.read_in(system, parsed), separators=(",", ":")).encode()


def _answering(system: UnitSystem, send: Send) -> Send:
    """A send that labels every answer with its unit system and, in imperial, converts a JSON
    answer's body (held until its last part) and its entity tag."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def answer(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers[HEADER] = system
            if system == METRIC:
                await send(message)
                return
            if "etag" in headers:
                headers["ETag"] = representation_tag(headers["etag"], system)
            if headers.get("content-type", "").partition(";")[0].strip() != "application/json":
                await send(message)  # problems, calendars, no body: nothing to convert
                return
            start = message
            return
        if start is None or message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = _answer_in(system, b"".join(chunks))
        MutableHeaders(scope=start)["content-length"] = str(len(body))
        await send(start)
        await send({"type": "http.response.body", "body": body})

    return answer


def _answer_in(system: UnitSystem, body: bytes) -> bytes:
    if not body:
        return body
    answer = units.answer_in(system, json.loads(body))
    return json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode()


# ----- the OpenAPI document -------------------------------------------------------------------

UNITS_PARAMETER: dict[str, Any] = {
    "name": PARAMETER,
    "in": "query",
    "required": False,
    "description": "The unit system of the body sent and answered (weights in kg or lb,"
    " distances in km and m or mi and yd); default: the caller's profile, else metric",
    "schema": {"type": "string", "enum": list(UNIT_SYSTEMS)},
}
UNITS_ANSWER: dict[str, Any] = {
    "description": "The unit system the answer (and the request's body) is written in",
    "required": True,
    "schema": {"type": "string", "enum": list(UNIT_SYSTEMS)},
}


def document_units(schema: dict[str, Any]) -> dict[str, Any]:
    """Every /api operation takes `?units=` and every /api answer carries `Content-Units`."""
    schema.setdefault("components", {}).setdefault("headers", {})[HEADER] = UNITS_ANSWER
    for path, operations in schema.get("paths", {}).items():
        if not under_api(path):
            continue
        for operation in operations.values():
            operation.setdefault("parameters", []).append(UNITS_PARAMETER)
            for response in operation.get("responses", {}).values():
                headers = response.setdefault("headers", {})
                headers[HEADER] = {"$ref": f"#/components/headers/{HEADER}"}
    return schema
