"""Conditional requests on one document (DOMAIN.md section 12): the `If-Match` and
`If-None-Match` headers as dependencies, the `ETag` of an answer, and the 304 of a read whose
tag the caller holds. Parsing and matching are `peakhealth.revisions`; the check of `If-Match`
is a condition in the write itself, made by the repositories.

A malformed header (an unquoted tag, garbage) is a 422 naming it: RFC 9110 does not say what a
server does with one, and ignoring it would run a write the caller meant to be conditional."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Response
from pydantic import WithJsonSchema

from peakhealth import revisions
from peakhealth.errors import FieldError, ValidationFailed
from peakhealth.revisions import Expected, Tags

# Shown in the document; checked by `revisions.parse`, with a clearer message than a pattern's.
_SCHEMA = WithJsonSchema(
    {"type": "string", "pattern": revisions.PATTERN, "maxLength": revisions.MAX_LENGTH}
)


def _parsed(name: str, value: str | None) -> Tags | None:
    if value is None:
        return None
    try:
        return revisions.parse(value)
    except ValueError as error:
        raise ValidationFailed([FieldError(name, str(error))]) from error


async def if_match(
    value: Annotated[
        str | None,
        Header(
            alias="If-Match",
            description='Write only if the document\'s current tag is one of these (`"3"`,'
            " a list, or `*` for any); else 412 and nothing is written. Weak tags never match.",
        ),
        _SCHEMA,
    ] = None,
) -> Expected | None:
    tags = _parsed("If-Match", value)
    return None if tags is None else Expected.of(tags)


async def if_none_match(
    value: Annotated[
        str | None,
        Header(
            alias="If-None-Match",
            description="304 with no body when the document's current tag is one of these"
            ' (weak comparison: `W/"3"` matches `"3"`; `*` matches any).',
        ),
        _SCHEMA,
    ] = None,
) -> Tags | None:
    return _parsed("If-None-Match", value)


IfMatch = Annotated[Expected | None, Depends(if_match)]
IfNoneMatch = Annotated[Tags | None, Depends(if_none_match)]


def tagged(response: Response, revision: int) -> Response:
    """The answer of one document, carrying its tag."""
    response.headers["ETag"] = revisions.etag(revision)
    return response


async def not_modified(held: Tags | None, current: Callable[[], Awaitable[int]]) -> Response | None:
    """A 304 (no body, the tag) when the caller holds the current tag, else None: read on.
    `current` reads the revision alone, never the document (NotFound when there is none)."""
    if held is None:
        return None
    revision = await current()
    if not held.weakly_names(revision):
        return None
    return tagged(Response(status_code=304), revision)


# ----- the OpenAPI document -------------------------------------------------------------------

ETAG_HEADER: dict[str, Any] = {
    "description": 'The document\'s entity tag, `"<revision>"` (`"<revision>-imperial"` for'
    " an imperial answer): send it back in If-Match or If-None-Match",
    "required": True,
    "schema": {"type": "string", "pattern": '^"[0-9]+(-imperial)?"$'},
}
NOT_MODIFIED: dict[str, Any] = {
    "description": "Not modified: If-None-Match names the current tag. No body.",
    "headers": {"ETag": ETAG_HEADER},
}


def _is_document(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """True when an answer's schema is one document with a `revision` (or a choice of such)."""
    if "$ref" in schema:
        return _is_document(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    choices = schema.get("anyOf") or schema.get("oneOf")
    if choices:
        return all(_is_document(choice, components) for choice in choices)
    return "revision" in schema.get("properties", {})


def document_preconditions(schema: dict[str, Any]) -> dict[str, Any]:
    """Give every answer of one document its `ETag` header, and every operation taking
    If-None-Match its 304 (the 412 of If-Match is a problem: `problems.document_problems`)."""
    components = schema.get("components", {}).get("schemas", {})
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            for code, response in responses.items():
                body = response.get("content", {}).get("application/json", {}).get("schema")
                if code.startswith("2") and body is not None and _is_document(body, components):
                    response.setdefault("headers", {})["ETag"] = ETAG_HEADER
            names = {parameter.get("name") for parameter in operation.get("parameters", [])}
            if "If-None-Match" in names:
                responses["304"] = NOT_MODIFIED
    return schema
