"""Request bodies under /api are JSON: a body sent as anything else (or with no Content-Type)
ends in a 415 problem before the route runs. Requests without a body are never refused."""

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from peakhealth.http.problems import problem
from peakhealth.http.rate_limit import under_api


def is_json(content_type: str) -> bool:
    """`application/json` or `application/<anything>+json`, parameters (charset) allowed."""
    media_type = content_type.partition(";")[0].strip().lower()
    kind, _, subtype = media_type.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def carries_body(headers: Headers) -> bool:
    length = headers.get("content-length", "").strip()
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    return chunked or (length.isdigit() and int(length) > 0)


class RequireJsonBodies:
    """Pure ASGI middleware: 415 `unsupported-media-type` for a non-JSON body under /api."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and under_api(scope["path"]):
            headers = Headers(scope=scope)
            content_type = headers.get("content-type")
            if carries_body(headers) and not is_json(content_type or ""):
                sent = f"'{content_type}'" if content_type else "no Content-Type"
                refused = problem(
                    Request(scope),
                    415,
                    f"request bodies must be JSON (Content-Type: application/json); got {sent}",
                )
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)
