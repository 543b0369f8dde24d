"""The "Bodies" convention: a body under /api is JSON or a 415 problem; a request without a body is
never refused for its content type; a trailing slash is 404, never a redirect echoing Host."""

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.support.actions import create
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, TEMPLATES
from tests.support.plans import strength_section

BODY = json.dumps(strength_section()).encode()


async def my_section_count(client: httpx.AsyncClient, who: Caller) -> int:
    page = await client.get(SECTIONS, params={"createdBy": "me"}, headers=who.headers)
    assert page.status_code == 200
    total: int = page.json()["pagination"]["totalItems"]
    return total


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        "multipart/form-data; boundary=peak",
        "application/jsonp",
        "text/json",
        None,
    ],
)
async def test_a_body_that_is_not_json_is_415(
    client: httpx.AsyncClient, trainer: Caller, content_type: str | None
) -> None:
    headers = dict(trainer.headers)
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = await client.post(SECTIONS, content=BODY, headers=headers)
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:peakhealth:problem:unsupported-media-type"
    assert problem["status"] == 415
    assert problem["instance"] == SECTIONS
    assert "application/json" in problem["detail"]
    assert await my_section_count(client, trainer) == 0


async def test_a_chunked_body_that_is_not_json_is_415(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield BODY

    response = await client.post(
        SECTIONS, content=chunks(), headers={**trainer.headers, "Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert await my_section_count(client, trainer) == 0


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
        "application/vnd.peakhealth+json",
    ],
)
async def test_json_bodies_are_accepted(
    client: httpx.AsyncClient, trainer: Caller, content_type: str
) -> None:
    headers = {**trainer.headers, "Content-Type": content_type}
    response = await client.post(SECTIONS, content=BODY, headers=headers)
    assert response.status_code == 201, response.text


async def test_requests_without_a_body_are_never_415(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    section = await create(client, trainer, SECTIONS, strength_section())
    url = f"{SECTIONS}/{section['id']}"
    archived = await client.put(f"{url}/archive", headers=trainer.headers)
    assert archived.status_code == 200, archived.text
    unarchived = await client.put(
        f"{url}/unarchive",
        headers={**trainer.headers, "Content-Type": "text/plain", "Content-Length": "0"},
    )
    assert unarchived.status_code == 200, unarchived.text
    read = await client.get(url, headers={**trainer.headers, "Content-Type": "text/plain"})
    assert read.status_code == 200
    await client.put(f"{url}/archive", headers=trainer.headers)
    deleted = await client.delete(url, headers={**trainer.headers, "Content-Type": "text/xml"})
    assert deleted.status_code == 204


async def test_paths_outside_the_api_are_left_alone(client: httpx.AsyncClient) -> None:
    response = await client.post("/health", content=b"ping", headers={"Content-Type": "text/plain"})
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", f"{SECTIONS}/"), ("POST", f"{SECTIONS}/"), ("GET", f"{TEMPLATES}/")],
)
async def test_a_trailing_slash_is_404_without_a_redirect(
    client: httpx.AsyncClient, trainer: Caller, method: str, path: str
) -> None:
    host = "attacker.example"
    response = await client.request(
        method,
        path,
        json=strength_section() if method == "POST" else None,
        headers={**trainer.headers, "Host": host},
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:peakhealth:problem:not-found"
    assert "location" not in response.headers
    assert host not in response.text
    assert not any(host in value for value in response.headers.values())


async def test_openapi_documents_400_and_415_problems(client: httpx.AsyncClient) -> None:
    operation = (await client.get("/openapi.json")).json()["paths"][SECTIONS]["post"]
    for status in ("400", "415"):
        assert "application/problem+json" in operation["responses"][status]["content"]
