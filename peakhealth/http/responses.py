"""Response bodies written to JSON bytes by pydantic's core in one pass, straight from read models
(or data already shaped as the API shows it), absent fields left out. A route answering this way
keeps its `response_model` for the OpenAPI document: FastAPI does not check a `Response` again, so
the read model is the one check."""

from typing import Any

from fastapi import Response
from pydantic import TypeAdapter

from peakhealth.http.pagination import PageRequest, page_of

_ANYTHING: TypeAdapter[Any] = TypeAdapter(Any)


def json_bytes(content: Any) -> bytes:
    return _ANYTHING.dump_json(content, by_alias=True, exclude_none=True)


def answer_response(answer: bytes, *, status_code: int = 200) -> Response:
    """A JSON answer rendered already (or kept)."""
    return Response(answer, status_code=status_code, media_type="application/json")


def json_response(content: Any, *, status_code: int = 200) -> Response:
    return answer_response(json_bytes(content), status_code=status_code)


def page_response(items: list[bytes], total: int, request: PageRequest) -> Response:
    """A page whose items are JSON answers already (rendered or kept): joined, not re-encoded."""
    pagination = json_bytes(page_of([], total, request)["pagination"])
    return answer_response(b'{"data":[' + b",".join(items) + b'],"pagination":' + pagination + b"}")
