"""Response bodies written to JSON bytes by pydantic's core in one pass, straight from read models
(or data already shaped as the API shows it), absent fields left out. A route answering this way
keeps its `response_model` for the OpenAPI document: FastAPI does not check a `Response` again, so
the read model is the one check."""

from typing import Any

from fastapi import Request, Response
from pydantic import TypeAdapter

from peakhealth.http.pagination import PageRequest, Pagination

_ANYTHING: TypeAdapter[Any] = TypeAdapter(Any)


def json_bytes(content: Any) -> bytes:
    return _ANYTHING.dump_json(content, by_alias=True, exclude_none=True)


def answer_response(answer: bytes, *, status_code: int = 200) -> Response:
    """A JSON answer rendered already (or kept)."""
    return Response(answer, status_code=status_code, media_type="application/json")


def json_response(content: Any, *, status_code: int = 200) -> Response:
    return answer_response(json_bytes(content), status_code=status_code)


def page_response(items: list[bytes], total: int, request: PageRequest) -> Response:
    """A `Page` whose items are JSON answers already (rendered or kept): spliced into its
    envelope, not parsed and encoded again, which cost a quarter of a calendar month's request
    (README, "Decisions"). The API tests check every page so written against the OpenAPI
    document (tests/conformance.py)."""
    pagination = json_bytes(Pagination.of(total, request.page, request.limit))
    return answer_response(b'{"data":[' + b",".join(items) + b'],"pagination":' + pagination + b"}")


def location(request: Request, read_route: str, id: object, **parents: str) -> str:
    """Where a created resource is read, for its `Location` header: the path of the route named
    `read_route` (with the path parameters of its parents, if any), under PUBLIC_URL when set,
    else under the root path the service runs at. Never built from the Host header, which the
    caller chooses."""
    path = request.app.url_path_for(read_route, id=str(id), **parents)
    public_url: str | None = request.app.state.settings.public_url
    return f"{public_url or request.scope.get('root_path', '')}{path}"


def created_response(answer: bytes, location: str) -> Response:
    """201 with a JSON answer rendered already and the new resource's URL."""
    return Response(
        answer, status_code=201, media_type="application/json", headers={"Location": location}
    )
