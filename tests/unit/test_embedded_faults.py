"""Fault injection on the embedded store: one chosen call fails before it runs, fails after it
ran (its answer lost), fails with every later call (an outage), or waits (a stalled request)."""

import asyncio

import pytest
from pymongo.errors import AutoReconnect, ConnectionFailure, NetworkTimeout

from peakhealth.embedded import EmbeddedClient


async def test_the_chosen_call_fails_before_it_runs_and_only_it() -> None:
    store = EmbeddedClient()
    collection = store["db"]["x"]
    await collection.insert_one({"_id": 0})
    store.fail_call(2)
    await collection.insert_one({"_id": 1})
    with pytest.raises(AutoReconnect):
        await collection.insert_one({"_id": 2})
    await collection.insert_one({"_id": 3})
    assert sorted(row["_id"] for row in await collection.find({}).to_list(None)) == [0, 1, 3]


async def test_a_lost_answer_means_the_write_ran() -> None:
    store = EmbeddedClient()
    collection = store["db"]["x"]
    store.fail_call(1, lost_answer=True)
    with pytest.raises(NetworkTimeout):
        await collection.update_one({"_id": 1}, {"$set": {"n": 1}}, upsert=True)
    assert await collection.find_one({"_id": 1}) == {"_id": 1, "n": 1}
    assert await collection.count_documents({}) == 1  # the next call is not affected


async def test_a_read_whose_answer_is_lost_fails() -> None:
    store = EmbeddedClient()
    store.fail_call(1, lost_answer=True)
    with pytest.raises(ConnectionFailure):
        await store["db"]["x"].find({}).to_list(None)


async def test_an_outage_fails_every_call_until_healed() -> None:
    store = EmbeddedClient()
    collection = store["db"]["x"]
    store.fail_call(2, outage=True)
    await collection.find_one({})
    for _ in range(3):
        with pytest.raises(AutoReconnect):
            await collection.find_one({})
    store.heal()
    assert await collection.find_one({}) is None


async def test_a_held_call_waits_until_released() -> None:
    store = EmbeddedClient()
    collection = store["db"]["x"]
    held = store.hold_call(1)
    writer = asyncio.create_task(collection.insert_one({"_id": 1}))
    await held.reached.wait()
    assert await collection.find_one({"_id": 1}) is None  # later calls are not held
    held.release()
    await writer
    assert await collection.find_one({"_id": 1}) == {"_id": 1}
