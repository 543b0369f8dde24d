"""`X-Request-ID` in and out, and one structured log line a request.

Outermost middleware, so every answer carries the header (a 429, a 413, a CORS preflight and an
unhandled 500 included) and the id is known while anything below logs."""

import logging
import re
import time
import uuid

from fastapi.routing import iter_route_contexts
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from peakhealth.logs import RequestFacts, current_request

REQUEST_ID_HEADER = "X-Request-ID"
# Where the id waits in the ASGI scope for the 500 handler, which Starlette runs outside every
# middleware (peakhealth.http.problems).
REQUEST_ID_KEY = "peakhealth.request_id"
# A caller's id is kept when it is short and plain (what tracing tools send: UUIDs, hex, ULIDs,
# dotted or dashed ids), so it can go into a log line and a header as it came; anything else is
# replaced rather than echoed.
_SANE_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,128}")

log = logging.getLogger("peakhealth.request")


def request_id_from(headers: Headers) -> str:
    """The caller's id when it sent a sane one, else a new one."""
    given = headers.get(REQUEST_ID_HEADER)
    if given is not None and _SANE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestContext:
    """Pure ASGI middleware: sets the request context, adds `X-Request-ID` to the answer and
    logs method, route template, status, duration and caller once the answer is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._templates: dict[int, str] = {}

    def template(self, scope: Scope) -> str | None:
        """The route template that answered (`/api/workout-sessions/{id}`), never the raw path
        or query. A route of an included router knows only its own part of the path; the full one
        is looked up once among the application's routes."""
        route = scope.get("route")
        if route is None:
            return None
        if not self._templates:
            self._templates = {
                id(context.original_route): context.path
                for context in iter_route_contexts(scope["app"].routes)
                if context.path is not None
            }
        return self._templates.get(id(route), getattr(route, "path", None))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        facts = RequestFacts(request_id_from(Headers(scope=scope)))
        scope[REQUEST_ID_KEY] = facts.request_id
        token = current_request.set(facts)
        started = time.perf_counter()
        status = 500  # what the server answers when the app fails before starting an answer

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = facts.request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if log.isEnabledFor(logging.INFO):  # the line's fields are built only when written
                self._log(scope, facts, status, started)
        # Kept when the app raised: the 500 handler runs after this middleware and its log line
        # names the request too. Each request runs in a context of its own, so nothing leaks.
        current_request.reset(token)

    def _log(self, scope: Scope, facts: RequestFacts, status: int, started: float) -> None:
        log.info(
            "request",
            extra={
                "requestId": facts.request_id,
                "method": scope["method"],
                "route": self.template(scope),
                "status": status,
                "durationMs": round((time.perf_counter() - started) * 1000, 2),
                "userId": facts.user_id,
            },
        )
