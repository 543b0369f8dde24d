"""RFC 9457 problem responses: the one place where errors become HTTP."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pymongo.errors import PyMongoError
from starlette.exceptions import HTTPException as StarletteHTTPException

from peakhealth.database_failures import database_unavailable
from peakhealth.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidTransition,
    NotFound,
    PreconditionFailed,
    ServiceUnavailable,
    ValidationFailed,
    error_location,
    format_path,
)
from peakhealth.http.request_context import REQUEST_ID_HEADER, REQUEST_ID_KEY
from peakhealth.identity.tokens import InvalidToken

log = logging.getLogger("peakhealth")

PROBLEM_JSON = "application/problem+json"
# Seconds a 503 asks the caller to wait: about one replica-set election.
RETRY_AFTER = "5"
# status: (slug of the problem type, title)
STATUSES: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    412: ("precondition-failed", "Precondition failed"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "Validation error"),
    429: ("rate-limit-exceeded", "Rate limit exceeded"),
    500: ("internal-error", "Internal error"),
    503: ("service-unavailable", "Service unavailable"),
}


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details; `errors` only on validation errors."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldProblem] | None = None

    @classmethod
    def of(
        cls,
        status: int,
        detail: str,
        instance: str,
        *,
        slug: str | None = None,
        errors: list[FieldError] | None = None,
    ) -> "Problem":
        default_slug, title = STATUSES.get(status, ("error", "Error"))
        return cls(
            type=f"urn:peakhealth:problem:{slug or default_slug}",
            title=title,
            status=status,
            detail=detail,
            instance=instance,
            errors=None
            if errors is None
            else [FieldProblem(field=e.field, message=e.message) for e in errors],
        )

    def body(self) -> bytes:
        """The problem as JSON, `errors` left out when there are none."""
        return self.model_dump_json(exclude_none=True).encode()


class ProblemResponse(JSONResponse):
    """An `application/problem+json` answer rendered from its `Problem`."""

    media_type = PROBLEM_JSON

    def render(self, content: Problem) -> bytes:
        return content.body()


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem.of(status, detail, request.url.path, slug=slug, errors=errors)
    return ProblemResponse(body, status_code=status, headers=headers)


def database_problem(request: Request, error: Exception) -> JSONResponse:
    """A database error as a problem: 503 with `Retry-After` when it means "not available
    now", else a logged 500."""
    reason = database_unavailable(error)
    if reason is None:
        log.error("database error on %s %s", request.method, request.url.path, exc_info=error)
        return problem(request, 500, "the server failed to complete the request")
    log.warning("database unavailable on %s %s: %r", request.method, request.url.path, error)
    return problem(request, 503, reason, headers={"Retry-After": RETRY_AFTER})


def _request_errors(error: RequestValidationError) -> list[FieldError]:
    out: list[FieldError] = []
    for item in error.errors():
        location = error_location(item)
        source = location.pop(0) if location else "body"
        if item.get("type") == "json_invalid":
            position = f" at character {location[0]}" if location else ""
            out.append(FieldError("body", f"the body is not valid JSON{position}"))
            continue
        field = format_path(location) or str(source)
        if source in ("query", "path", "header") and location:
            field = str(location[0])
        out.append(FieldError(field, str(item.get("msg", "invalid value"))))
    return out


def install_problem_handlers(app: FastAPI) -> None:
    """Every error, expected or not, leaves as problem+json; no stack trace ever does."""

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = _request_errors(error)
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors[:5])
        return problem(request, 422, detail, errors=errors)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> JSONResponse:
        if isinstance(error, ValidationFailed):
            return problem(request, 422, error.detail, errors=error.errors)
        if isinstance(error, InvalidToken):
            return problem(
                request, 401, error.detail, headers={"WWW-Authenticate": 'Bearer realm="api"'}
            )
        if isinstance(error, NotFound):
            return problem(request, 404, error.detail)
        if isinstance(error, Forbidden):
            return problem(request, 403, error.detail)
        if isinstance(error, PreconditionFailed):
            return problem(request, 412, error.detail)
        if isinstance(error, InvalidTransition):
            return problem(request, 409, error.detail, slug="invalid-transition")
        if isinstance(error, Conflict):
            return problem(request, 409, error.detail)
        if isinstance(error, ServiceUnavailable):
            return problem(request, 503, error.detail, headers={"Retry-After": RETRY_AFTER})
        log.error("unmapped domain error %r", error)
        return problem(request, 500, "the server failed to complete the request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = (
            error.detail
            if isinstance(error.detail, str)
            else STATUSES.get(error.status_code, ("", "Error"))[1]
        )
        headers = dict(error.headers) if error.headers else None
        return problem(request, error.status_code, str(detail), headers=headers)

    @app.exception_handler(PyMongoError)
    async def _database(request: Request, error: Exception) -> JSONResponse:
        return database_problem(request, error)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        # Starlette answers this one outside every middleware: the id is added here.
        request_id = request.scope.get(REQUEST_ID_KEY)
        headers = {REQUEST_ID_HEADER: request_id} if request_id else None
        return problem(request, 500, "the server failed to complete the request", headers=headers)


# The problem statuses each kind of /api operation can answer. Every /api call can meet a bad
# token, an unknown id, a bad parameter, the rate limit and an unreachable database; calls that
# change something can also meet a role, a conflict and a bad or oversized body.
_READ_PROBLEMS = (401, 404, 422, 429, 503)
_WRITE_PROBLEMS = (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
_OPERATION_PROBLEMS = {
    "/ready": (503,),
    "/health": (),
    "/api/trainers/me/clients": (401, 403, 404, 422, 429, 503),  # clients have none: 403
    "/calendar/{secret}.ics": (404, 429, 503),  # no token; a malformed secret is unknown: 404
    # as the upgrade: a caller who may not change it (403), an assignment not live (409)
    "/api/routine-assignments/{id}/upgrade-preview": (401, 403, 404, 409, 422, 429, 503),
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every operation of an OpenAPI document the problem responses it can answer, as
    `application/problem+json` with the Problem schema."""
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
        Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    defs = schema["components"]["schemas"]["Problem"].pop("$defs", {})
    schema["components"]["schemas"].update(defs)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if path in _OPERATION_PROBLEMS:
                statuses: tuple[int, ...] = _OPERATION_PROBLEMS[path]
            elif method == "get":
                statuses = _READ_PROBLEMS
            else:
                statuses = _WRITE_PROBLEMS
            if any(
                parameter.get("in") == "header" and parameter.get("name") == "If-Match"
                for parameter in operation.get("parameters", [])
            ):
                statuses = tuple(sorted({*statuses, 412}))  # a write to one document
            responses = operation.setdefault("responses", {})
            for code in list(responses):
                if code.isdigit() and int(code) >= 400:
                    del responses[code]  # FastAPI's own 422 (application/json) among them
            for status in statuses:
                responses[str(status)] = {
                    "description": STATUSES[status][1],
                    "content": {PROBLEM_JSON: {"schema": problem_ref}},
                }
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422, replaced above
        schema["components"]["schemas"].pop(unused, None)
    return schema
