"""Two sessions of one client completed at once, on the interleaving embedded store: the lighter
one's record write is held until the heavier one has written its records, so the lighter one
read no record and would, unconditionally, overwrite the better ones. Records are only ever
replaced by a better value: the heavier session keeps every record it beat or equalled first."""

import asyncio
from typing import Any

import httpx
import pytest
from bson import ObjectId
from fastapi import FastAPI
from pymongo.errors import BulkWriteError

from peakhealth.config import Settings
from peakhealth.storage import records
from peakhealth.storage.records import PersonalRecordDocument
from peakhealth.timestamps import utc_now
from tests.support.actions import put_session, squat_log
from tests.support.callers import Caller
from tests.support.stored import Plan, insert_session


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, embedded_interleave=True)  # type: ignore[call-arg]


def completing(workout: dict[str, Any], weight: float) -> dict[str, Any]:
    log = squat_log(workout, *[{"reps": 5, "weight": weight} for _ in range(3)])
    return {"status": "completed", "performanceLog": log}


async def test_a_lighter_session_completed_meanwhile_never_lowers_a_record(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    _, workout = plan
    lighter, heavier = [
        await insert_session(*plan, client_user, status="in-progress") for _ in range(2)
    ]
    held = app.state.client.hold_call(1, collection="personal_records", name="bulk_write")
    first = asyncio.ensure_future(
        put_session(client, client_user, lighter, completing(workout, 120))
    )
    await held.reached.wait()
    second = await put_session(client, client_user, heavier, completing(workout, 130))
    held.release()
    light = await first
    app.state.client.heal()
    assert light.status_code == second.status_code == 200, (light.text, second.text)
    assert {item["type"] for item in second.json()["newRecords"]} == {
        "estimatedOneRepMax",
        "heaviestWeight",
        "bestSetVolume",
        "sessionVolume",
        "mostReps",
    }
    # The lighter one read no record, but wrote none: each was beaten (or equalled) first.
    assert light.json()["newRecords"] == []
    records = await client.get("/api/users/me/records", headers=client_user.headers)
    stored = {item["type"]: (item["value"], item["sessionId"]) for item in records.json()["data"]}
    assert stored == {
        "estimatedOneRepMax": (151.667, heavier),  # 130 x (1 + 5/30)
        "heaviestWeight": (130, heavier),
        "bestSetVolume": (650, heavier),
        "sessionVolume": (1950, heavier),
        "mostReps": (5, heavier),  # equal in both: the first written keeps it
    }


class LosesTheInsertRace:
    """`personal_records` as MongoDB shows it to the loser of two upserts of one key that both
    found no record: on the first bulk write another request's (worse) records are inserted
    first, and every upsert of this one is refused with a duplicate key. The embedded store runs
    each call whole, so this interleaving cannot happen on it by itself."""

    def __init__(self, collection: Any) -> None:
        self.collection = collection
        self.raced = False

    async def bulk_write(self, operations: list[Any], ordered: bool = True) -> Any:
        if self.raced:
            return await self.collection.bulk_write(operations, ordered=ordered)
        self.raced = True
        for operation in operations:
            key = {name: value for name, value in operation._filter.items() if name != "value"}
            worse = {**key, "value": 0.5, "sessionId": ObjectId(), "achievedAt": utc_now()}
            await self.collection.insert_one(worse)
        errors = [
            {"index": index, "code": 11000, "errmsg": "E11000"} for index in range(len(operations))
        ]
        raise BulkWriteError({"writeErrors": errors})

    def __getattr__(self, name: str) -> Any:
        return getattr(self.collection, name)


async def test_an_upsert_that_lost_the_insert_race_is_sent_again(
    client: httpx.AsyncClient, client_user: Caller, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, workout = plan
    session = await insert_session(*plan, client_user, status="in-progress")
    racing = LosesTheInsertRace(PersonalRecordDocument.get_motor_collection())
    monkeypatch.setattr(records, "_records", lambda: racing)
    done = await put_session(client, client_user, session, completing(workout, 100))
    assert done.status_code == 200, done.text
    assert racing.raced
    assert len(done.json()["newRecords"]) == 5  # each written on the second attempt
    stored = await client.get("/api/users/me/records", headers=client_user.headers)
    assert {item["sessionId"] for item in stored.json()["data"]} == {session}
    assert {item["type"]: item["value"] for item in stored.json()["data"]}["heaviestWeight"] == 100
