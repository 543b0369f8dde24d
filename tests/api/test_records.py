"""Personal records over HTTP: set by the PUT that completes a session (`newRecords`, each with
the value it beat), lowered back to the best of history when a correction takes one away, and
read at /api/users/{userId}/records; completing a 16-set session costs at most two more database
calls for them."""

from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI

from peakhealth.routines.documents import TemplateRoutineDocument
from tests.support.actions import create, put_session, squat_log
from tests.support.callers import Caller
from tests.support.paths import TEMPLATES
from tests.support.plans import template_body, variant
from tests.support.stored import Plan, calls_during, insert_session

SQUAT = variant("Barbell Back Squat")
LIFTS = ("Barbell Back Squat", "Barbell Bench Press", "Romanian Deadlift", "Pull-up")


def sets_of(reps: int, weight: float, count: int = 3) -> list[dict[str, Any]]:
    return [{"reps": reps, "weight": weight} for _ in range(count)]


def by_type(records: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    return {item["type"]: (item["value"], item.get("previous", "-")) for item in records}


async def records_of(client: httpx.AsyncClient, who: Caller) -> dict[str, dict[str, Any]]:
    answer = await client.get(
        f"/api/users/me/records?exerciseId={SQUAT['exerciseId']}", headers=who.headers
    )
    assert answer.status_code == 200, answer.text
    return {item["type"]: item for item in answer.json()["data"]}


async def complete(
    client: httpx.AsyncClient, who: Caller, session_id: str, log: Any
) -> dict[str, Any]:
    body = {"status": "completed", "performanceLog": log}
    answer = await put_session(client, who, session_id, body)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_a_heavier_triple_sets_records_and_its_correction_falls_back(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    _, workout = plan
    monday = await insert_session(*plan, client_user, status="in-progress")
    wednesday = await insert_session(
        *plan, client_user, status="in-progress", scheduled_date="2025-03-05"
    )
    first = await complete(client, client_user, monday, squat_log(workout, *sets_of(5, 100)))
    assert by_type(first["newRecords"]) == {
        "estimatedOneRepMax": (116.667, None),  # 100 x (1 + 5/30)
        "heaviestWeight": (100, None),
        "bestSetVolume": (500, None),
        "sessionVolume": (1500, None),
        "mostReps": (5, None),
    }

    heavier = await complete(client, client_user, wednesday, squat_log(workout, *sets_of(3, 120)))
    assert by_type(heavier["newRecords"]) == {
        "estimatedOneRepMax": (132, 116.667),  # 120 x 1.1
        "heaviestWeight": (120, 100),
    }
    stored = await records_of(client, client_user)
    assert stored["heaviestWeight"]["sessionId"] == wednesday
    assert stored["heaviestWeight"]["setId"] == str(
        workout["sections"][1]["exercises"][0]["sets"][0]["_id"]
    )

    # The triple was 90 kg, not 120: a correction, which sets nothing new.
    with calls_during(app.state.client) as made:
        corrected = await put_session(
            client, client_user, wednesday, {"performanceLog": squat_log(workout, *sets_of(3, 90))}
        )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["newRecords"] == []
    # The session read and written; the squat's records read; the squat's history read (one
    # query on the history index); the lowered records written back at once.
    assert made == {"find_one": 1, "update_one": 1, "find": 2, "bulk_write": 1}
    after = await records_of(client, client_user)
    assert {kind: (item["value"], item["sessionId"]) for kind, item in after.items()} == {
        "estimatedOneRepMax": (116.667, monday),
        "heaviestWeight": (100, monday),
        "bestSetVolume": (500, monday),
        "sessionVolume": (1500, monday),
        "mostReps": (5, monday),
    }
    assert after["heaviestWeight"]["achievedAt"] == first["completedAt"]


async def test_a_correction_removing_the_only_session_removes_its_records(
    client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    _, workout = plan
    session = await insert_session(*plan, client_user, status="in-progress")
    await complete(client, client_user, session, squat_log(workout, *sets_of(5, 100)))
    emptied = await put_session(client, client_user, session, {"performanceLog": {"sections": []}})
    assert emptied.status_code == 200, emptied.text
    assert await records_of(client, client_user) == {}


async def test_only_completing_or_correcting_answers_new_records(
    client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    _, workout = plan
    session = await insert_session(*plan, client_user, status="in-progress")
    log = squat_log(workout, *sets_of(5, 100))
    logging = await put_session(client, client_user, session, {"performanceLog": log})
    assert "newRecords" not in logging.json()
    assert await records_of(client, client_user) == {}  # in progress: no record yet
    done = await put_session(client, client_user, session, {"status": "completed"})
    assert len(done.json()["newRecords"]) == 5  # the log sent before counts
    notes = await put_session(client, client_user, session, {"notes": "Felt strong"})
    assert "newRecords" not in notes.json()


@pytest.fixture
async def sixteen_sets(client: httpx.AsyncClient, trainer: Caller) -> Plan:
    """A stored template routine whose workout is 4 strength exercises of 4 sets."""
    main = {
        "type": "basic",
        "name": "Main lifts",
        "exercises": [
            {
                "type": "strength",
                **variant(name),
                "sets": [{"repType": "fixed", "reps": 5, "weight": 100} for _ in range(4)],
            }
            for name in LIFTS
        ],
    }
    day = {"name": "Day A", "type": "strength", "sections": [main]}
    routine = await create(client, trainer, TEMPLATES, template_body([day]))
    stored = await TemplateRoutineDocument.get_motor_collection().find_one(
        {"_id": PydanticObjectId(routine["id"])}
    )
    assert stored is not None
    return stored, stored["workouts"][0]


def full_log(workout: dict[str, Any]) -> dict[str, Any]:
    main = workout["sections"][0]
    return {
        "sections": [
            {
                "sectionId": str(main["_id"]),
                "exercises": [
                    {
                        "exerciseEntryId": str(exercise["_id"]),
                        "sets": [
                            {"setId": str(item["_id"]), "performance": {"reps": 5, "weight": 100}}
                            for item in exercise["sets"]
                        ],
                    }
                    for exercise in main["exercises"]
                ],
            }
        ]
    }


async def test_records_add_at_most_two_calls_to_completing_a_sixteen_set_session(
    app: FastAPI,
    client: httpx.AsyncClient,
    client_user: Caller,
    sixteen_sets: Plan,
) -> None:
    """Beside the same completion with nothing logged (which has no records to look at), the
    16 logged sets setting 20 records cost one read of the stored records and one write."""
    _, workout = sixteen_sets
    without, with_records = [
        await insert_session(*sixteen_sets, client_user, status="in-progress") for _ in range(2)
    ]
    # The caller's unit system is read from their profile once, then kept (http/units.py).
    assert (await client.get("/api/users/me", headers=client_user.headers)).status_code == 200
    nothing = {"status": "completed", "performanceLog": {"sections": []}}
    with calls_during(app.state.client) as bare:
        assert (await put_session(client, client_user, without, nothing)).status_code == 200
    body = {"status": "completed", "performanceLog": full_log(workout)}
    with calls_during(app.state.client) as made:
        answer = await put_session(client, client_user, with_records, body)
    assert len(answer.json()["newRecords"]) == 4 * 5  # every record is new: the most to write
    added = made - bare
    assert sum(made.values()) - sum(bare.values()) == 2, (made, bare)
    assert added == {"find": 1, "bulk_write": 1}


async def test_a_correction_cut_short_lowers_its_records_when_repeated(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    """The correction is written, then the database fails before the lowered records are: 503.
    The client repeats the same PUT, which finds the log already corrected and still puts the
    records back to the previous best."""
    _, workout = plan
    monday = await insert_session(*plan, client_user, status="in-progress")
    wednesday = await insert_session(
        *plan, client_user, status="in-progress", scheduled_date="2025-03-05"
    )
    await complete(client, client_user, monday, squat_log(workout, *sets_of(5, 100)))
    await complete(client, client_user, wednesday, squat_log(workout, *sets_of(3, 120)))
    correction = {"performanceLog": squat_log(workout, *sets_of(3, 90))}
    app.state.client.fail_call(1, collection="personal_records", name="bulk_write")
    cut_short = await put_session(client, client_user, wednesday, correction)
    assert cut_short.status_code == 503
    assert (await records_of(client, client_user))["heaviestWeight"]["value"] == 120
    repeated = await put_session(client, client_user, wednesday, correction)
    assert repeated.status_code == 200, repeated.text
    after = await records_of(client, client_user)
    assert (after["heaviestWeight"]["value"], after["heaviestWeight"]["sessionId"]) == (100, monday)
