"""Version chains under concurrent requests, on the interleaving embedded store (every database
call yields to the event loop, as a server round trip does), and database calls counted."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI

from peakhealth.app import create_app
from peakhealth.config import Settings
from peakhealth.library.documents import SectionDocument
from peakhealth.versioning.heads import ChainHead
from tests.support import asgi_client
from tests.support.actions import create
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, TEMPLATES, WORKOUTS
from tests.support.plans import strength_section, template_body, warmup_section


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, embedded_interleave=True)  # type: ignore[call-arg]


async def chain_rows(chain_id: str) -> list[dict[str, Any]]:
    collection = SectionDocument.get_motor_collection()
    rows: list[dict[str, Any]] = await collection.find(
        {"parentSectionId": PydanticObjectId(chain_id)},
        {"version": 1, "isLatest": 1, "isArchived": 1},
    ).to_list(None)
    return rows


def latest_count(rows: list[dict[str, Any]]) -> int:
    return sum(1 for row in rows if row.get("isLatest"))


async def test_interleaving_store_really_interleaves(app: FastAPI) -> None:
    """The premise of every test here: two requests' database calls do interleave."""
    order: list[str] = []
    collection = SectionDocument.get_motor_collection()

    async def two_calls(name: str) -> None:
        await collection.find_one({})
        order.append(name)
        await collection.find_one({})
        order.append(name)

    for _ in range(20):
        order.clear()
        await asyncio.gather(two_calls("a"), two_calls("b"))
        if order not in (["a", "a", "b", "b"], ["b", "b", "a", "a"]):
            return
    pytest.fail("database calls of concurrent tasks never interleaved")


async def test_fifty_concurrent_versions_are_consecutive_with_one_latest(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    first = await create(client, trainer, SECTIONS, strength_section())
    chain = first["parentSectionId"]
    body = strength_section("Edited")
    two_latest_seen: list[int] = []

    async def publish() -> int:
        response = await client.put(f"{SECTIONS}/{first['id']}", json=body, headers=trainer.headers)
        assert response.status_code == 200, response.text
        rows = await chain_rows(chain)
        if latest_count(rows) > 1:
            two_latest_seen.append(latest_count(rows))
        version: int = response.json()["version"]
        return version

    numbers = await asyncio.gather(*(publish() for _ in range(50)))
    assert sorted(numbers) == list(range(2, 52))
    assert two_latest_seen == []
    rows = await chain_rows(chain)
    assert [row["version"] for row in rows if row.get("isLatest")] == [51]
    listing = await client.get(f"{SECTIONS}?createdBy=me&limit=100", headers=trainer.headers)
    assert [item["version"] for item in listing.json()["data"]] == [51]


async def test_purged_top_version_number_is_never_reused(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    first = await create(client, trainer, SECTIONS, strength_section())
    put = await client.put(
        f"{SECTIONS}/{first['id']}", json=strength_section(), headers=trainer.headers
    )
    second = put.json()
    assert second["version"] == 2
    archived = await client.put(f"{SECTIONS}/{second['id']}/archive", headers=trainer.headers)
    assert archived.json()["newLatestVersionId"] == first["id"]
    purged = await client.delete(f"{SECTIONS}/{second['id']}", headers=trainer.headers)
    assert purged.status_code == 204
    again = await client.put(
        f"{SECTIONS}/{first['id']}", json=strength_section(), headers=trainer.headers
    )
    assert again.json()["version"] == 3
    assert again.json()["isLatest"] is True


async def test_concurrent_lifecycle_leaves_a_consistent_chain(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    first = await create(client, trainer, SECTIONS, strength_section())
    chain = first["parentSectionId"]
    versions = [first]
    for _ in range(4):
        put = await client.put(
            f"{SECTIONS}/{first['id']}", json=strength_section(), headers=trainer.headers
        )
        versions.append(put.json())

    async def call(method: str, path: str, **kwargs: Any) -> int:
        response = await client.request(method, path, headers=trainer.headers, **kwargs)
        return response.status_code

    calls = []
    for round_ in range(3):
        for item in versions:
            calls.append(call("PUT", f"{SECTIONS}/{item['id']}/archive"))
            calls.append(call("PUT", f"{SECTIONS}/{item['id']}/unarchive"))
        calls.append(call("PUT", f"{SECTIONS}/{first['id']}", json=strength_section(f"r{round_}")))
    statuses = await asyncio.gather(*calls)
    assert set(statuses) == {200}
    rows = await chain_rows(chain)
    live = [row for row in rows if not row.get("isArchived")]
    expected = [max(live, key=lambda row: row["version"])["version"]] if live else []
    assert [row["version"] for row in rows if row.get("isLatest")] == expected
    assert sorted(row["version"] for row in rows) == list(range(1, 9))
    head = await ChainHead.get_motor_collection().find_one({"_id": rows[0]["_id"]})
    assert head is not None
    assert head["leaseToken"] is None
    assert head["lastVersion"] == 8


async def test_publish_racing_a_chain_delete_leaves_no_orphan(
    interleaved_client: httpx.AsyncClient, trainer: Caller
) -> None:
    """On the interleaving store: the delete's calls fall between the publishes' calls."""
    client = interleaved_client
    for _ in range(5):
        first = await create(client, trainer, SECTIONS, strength_section())
        chain = first["parentSectionId"]

        async def publish(version_id: str) -> int:
            response = await client.put(
                f"{SECTIONS}/{version_id}", json=strength_section(), headers=trainer.headers
            )
            return response.status_code

        async def delete(version_id: str) -> int:
            response = await client.delete(
                f"{SECTIONS}/{version_id}/versions", headers=trainer.headers
            )
            return response.status_code

        statuses = await asyncio.gather(
            *(publish(first["id"]) for _ in range(6)), delete(first["id"])
        )
        assert statuses[-1] == 204
        assert set(statuses[:-1]) <= {200, 404}
        assert await chain_rows(chain) == []
        head = await ChainHead.get_motor_collection().find_one({"_id": PydanticObjectId(chain)})
        assert head is None


async def test_another_trainer_cannot_take_the_lease(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller
) -> None:
    first = await create(client, trainer, SECTIONS, strength_section(isPublic=True))
    tries = [
        client.put(f"{SECTIONS}/{first['id']}", json=strength_section(), headers=h)
        for h in (other_trainer.headers, trainer.headers) * 5
    ]
    statuses = [response.status_code for response in await asyncio.gather(*tries)]
    assert statuses == [403, 200] * 5, statuses
    rows = await chain_rows(first["parentSectionId"])
    assert sorted(row["version"] for row in rows) == list(range(1, 7))


@pytest.fixture
async def counting_app() -> AsyncIterator[FastAPI]:
    application = create_app(Settings(_env_file=None))  # type: ignore[call-arg]
    async with application.router.lifespan_context(application):
        yield application


async def test_reference_resolution_costs_the_same_calls_whatever_the_count(
    counting_app: FastAPI, trainer: Caller
) -> None:
    store = counting_app.state.client
    async with asgi_client(counting_app) as client:
        section_ids = [
            (await create(client, trainer, SECTIONS, strength_section(f"s{i}")))["id"]
            for i in range(12)
        ]
        workout_ids = [
            (
                await create(
                    client,
                    trainer,
                    WORKOUTS,
                    {"name": f"w{i}", "type": "strength", "sections": section_ids[:2]},
                )
            )["id"]
            for i in range(6)
        ]

        async def calls_to_publish(workouts: list[Any]) -> dict[str, int]:
            before = dict(store.calls)
            await create(client, trainer, TEMPLATES, template_body(workouts))
            return {name: store.calls[name] - before.get(name, 0) for name in store.calls}

        def embedded(sections: list[Any]) -> dict[str, Any]:
            return {"name": "e", "type": "strength", "sections": sections}

        small = await calls_to_publish([workout_ids[0], embedded([section_ids[0]])])
        large = await calls_to_publish(
            [*workout_ids, embedded(section_ids), embedded([warmup_section(), *section_ids[:3]])]
        )
    assert small == large
    assert small["find"] == 2  # one $in query for the workouts, one for the sections


async def test_a_chain_stored_before_heads_existed_is_adopted(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    first = await create(client, trainer, SECTIONS, strength_section())
    await publish_twice(client, trainer, first["id"])
    chain = PydanticObjectId(first["parentSectionId"])
    await ChainHead.get_motor_collection().delete_one({"_id": chain})
    again = await client.put(
        f"{SECTIONS}/{first['id']}", json=strength_section(), headers=trainer.headers
    )
    assert again.status_code == 200, again.text
    assert again.json()["version"] == 4
    head = await ChainHead.get_motor_collection().find_one({"_id": chain})
    assert head is not None and head["lastVersion"] == 4 and head["createdBy"] == trainer.id


async def test_an_expired_lease_does_not_block_the_chain(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    first = await create(client, trainer, SECTIONS, strength_section())
    crashed = {"leaseToken": PydanticObjectId(), "leaseUntil": datetime(2020, 1, 1, tzinfo=UTC)}
    await ChainHead.get_motor_collection().update_one(
        {"_id": PydanticObjectId(first["parentSectionId"])}, {"$set": crashed}
    )
    again = await client.put(
        f"{SECTIONS}/{first['id']}", json=strength_section(), headers=trainer.headers
    )
    assert again.status_code == 200, again.text
    assert again.json()["version"] == 2


async def publish_twice(client: httpx.AsyncClient, who: Caller, version_id: str) -> None:
    for _ in range(2):
        response = await client.put(
            f"{SECTIONS}/{version_id}", json=strength_section(), headers=who.headers
        )
        assert response.status_code == 200
