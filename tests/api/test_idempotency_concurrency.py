"""Repeats of a keyed POST while the first is still running, on the interleaving embedded store
(every database call yields to the event loop, as a server round trip does): 409 with
Retry-After, never a second effect, and the first answer replayed once it is kept."""

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from peakhealth.config import Settings
from peakhealth.routines.user_documents import UserRoutineDocument
from peakhealth.storage.idempotency import IdempotencyKey
from tests.support.callers import Caller
from tests.support.paths import ROUTINES
from tests.support.plans import user_routine_body

KEY = "Idempotency-Key"
REPLAYED = "Idempotency-Replayed"


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, embedded_interleave=True)  # type: ignore[call-arg]


async def owned(who: Caller) -> int:
    found: int = await UserRoutineDocument.get_motor_collection().count_documents(
        {"userId": who.id}
    )
    return found


async def test_a_repeat_while_the_first_runs_is_409_and_then_replays(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    """The first request holds at its routine insert; the repeat meanwhile is 409 with
    Retry-After and writes nothing; after the first answers, a repeat replays it."""
    headers = {**client_user.headers, KEY: "in-flight-1"}
    body = user_routine_body()
    held = app.state.client.hold_call(1, collection="routines", name="insert_one")
    first = asyncio.create_task(client.post(ROUTINES, json=body, headers=headers))
    await held.reached.wait()
    repeat = await client.post(ROUTINES, json=body, headers=headers)
    assert repeat.status_code == 409, repeat.text
    assert repeat.json()["type"] == "urn:peakhealth:problem:conflict"
    assert repeat.headers["retry-after"] == "1" and REPLAYED not in repeat.headers
    held.release()
    answered = await first
    assert answered.status_code == 201 and REPLAYED not in answered.headers
    later = await client.post(ROUTINES, json=body, headers=headers)
    assert later.headers[REPLAYED] == "true" and later.content == answered.content
    assert await owned(client_user) == 1


async def test_twenty_concurrent_repeats_make_one_routine(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    """Sent at once: one runs (201), the others are 409 or, once it is kept, its replay."""
    headers = {**client_user.headers, KEY: "burst-1"}
    answers = await asyncio.gather(
        *(client.post(ROUTINES, json=user_routine_body(), headers=headers) for _ in range(20))
    )
    ran = [a for a in answers if a.status_code == 201 and REPLAYED not in a.headers]
    assert len(ran) == 1
    for answer in answers:
        if answer.status_code == 201:
            assert answer.content == ran[0].content
        else:
            assert answer.status_code == 409, answer.text
    assert await owned(client_user) == 1
    assert await IdempotencyKey.get_motor_collection().count_documents({}) == 1
