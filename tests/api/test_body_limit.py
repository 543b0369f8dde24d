"""The up-front `Content-Length` check (http/body_limit.py): a request declaring a body over
MAX_BODY_BYTES is refused before the app runs. A route that never reads its body (a DELETE)
would otherwise run in full, and a route that reads it would first take it in."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId

from peakhealth.library.documents import SectionDocument
from tests.support.actions import create
from tests.support.callers import Caller
from tests.support.paths import SECTIONS
from tests.support.plans import strength_section

TOO_LARGE = b'{"x": "' + b"x" * (2 * 1024 * 1024) + b'"}'  # 2 MiB of JSON, over the 1 MiB default


def json_headers(who: Caller, **extra: str) -> dict[str, str]:
    return {**who.headers, "Content-Type": "application/json", **extra}


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:peakhealth:problem:payload-too-large"


async def archived_chain(client: httpx.AsyncClient, trainer: Caller) -> tuple[Any, Any]:
    """A section chain whose version 1 is archived (purgeable) and version 2 is live."""
    v1 = await create(client, trainer, SECTIONS, strength_section("First"))
    put = await client.put(
        f"{SECTIONS}/{v1['id']}", json=strength_section("Second"), headers=trainer.headers
    )
    assert put.status_code == 200, put.text
    archived = await client.put(f"{SECTIONS}/{v1['id']}/archive", headers=trainer.headers)
    assert archived.status_code == 200, archived.text
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)  # past its purge date: bulk purge takes it
    await SectionDocument.get_motor_collection().update_one(
        {"_id": PydanticObjectId(v1["id"])}, {"$set": {"archivedAt": long_ago, "purgeAt": long_ago}}
    )
    return v1, put.json()


@pytest.mark.parametrize(
    "route",
    ["{id}", "{id}/versions", "?status=archived"],
    ids=["purge one version", "delete chain", "bulk purge"],
)
async def test_a_delete_with_a_body_over_the_limit_is_413_and_deletes_nothing(
    client: httpx.AsyncClient, trainer: Caller, route: str
) -> None:
    v1, v2 = await archived_chain(client, trainer)
    path = f"{SECTIONS}/{route.format(id=v1['id'])}" if "{" in route else f"{SECTIONS}{route}"
    response = await client.request(
        "DELETE", path, content=TOO_LARGE, headers=json_headers(trainer)
    )
    assert_too_large(response)
    for version in (v1, v2):  # both still stored
        read = await client.get(f"{SECTIONS}/{version['id']}", headers=trainer.headers)
        assert read.status_code == 200, read.text
    # the same request without the body does delete: the 413 came from the body alone
    done = await client.request("DELETE", path, headers=trainer.headers)
    assert done.status_code in (200, 204), done.text
    assert (await client.get(f"{SECTIONS}/{v1['id']}", headers=trainer.headers)).status_code == 404


@pytest.mark.parametrize("method", ["POST", "PUT"])
async def test_a_declared_length_over_the_limit_is_413_before_the_body_is_read(
    client: httpx.AsyncClient, trainer: Caller, method: str
) -> None:
    v1 = await create(client, trainer, SECTIONS, strength_section())
    pulled: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        for start in range(0, len(TOO_LARGE), 64 * 1024):
            pulled.append(start)
            yield TOO_LARGE[start : start + 64 * 1024]

    path = SECTIONS if method == "POST" else f"{SECTIONS}/{v1['id']}"
    response = await client.request(
        method,
        path,
        content=body(),
        headers=json_headers(trainer, **{"Content-Length": str(len(TOO_LARGE))}),
    )
    assert response.request.headers["content-length"] == str(len(TOO_LARGE))
    assert_too_large(response)
    assert pulled == []  # not one chunk was read
    listed = await client.get(SECTIONS, headers=trainer.headers)
    assert [(item["id"], item["version"]) for item in listed.json()["data"]] == [(v1["id"], 1)]
