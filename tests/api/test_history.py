"""`GET /api/exercises/{exerciseId}/history`: the caller's completed sessions that logged the
exercise, newest first, with each one's sets, top set and volume."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI

from peakhealth.sessions.documents import WorkoutSession
from tests.support.actions import put_session, squat_log, squat_of
from tests.support.callers import Caller, make_caller
from tests.support.plans import variant
from tests.support.problems import first_error_field
from tests.support.stored import Plan, calls_during, insert_session

SQUAT = variant("Barbell Back Squat")
GOBLET = variant("Goblet Squat")
HISTORY = f"/api/exercises/{SQUAT['exerciseId']}/history"


async def performed(
    client: httpx.AsyncClient,
    plan: Plan,
    who: Caller,
    completed_on: int | None,
    log: Any,
) -> str:
    """A session of `who` logged through the API and completed on March `completed_on` (or
    left in progress when None)."""
    session_id = await insert_session(*plan, who)
    status = "in-progress" if completed_on is None else "completed"
    response = await put_session(client, who, session_id, {"status": status, "performanceLog": log})
    assert response.status_code == 200, response.text
    if completed_on is not None:  # completion times a few days apart, not milliseconds
        await WorkoutSession.get_motor_collection().update_one(
            {"_id": PydanticObjectId(session_id)},
            {"$set": {"completedAt": datetime(2025, 3, completed_on, 18, tzinfo=UTC)}},
        )
    return session_id


def warmup_then_working(workout: dict[str, Any], weight: float) -> Any:
    """A warm-up set, two working sets and an extra drop set of squats."""
    log = squat_log(
        workout,
        {"reps": 5, "weight": 60},
        {"reps": 5, "weight": weight},
        {"reps": 6, "weight": weight},
    )
    sets = log["sections"][0]["exercises"][0]["sets"]
    sets[0]["setType"] = "warmup"
    sets.append({"extra": True, "setType": "drop", "performance": {"reps": 10, "weight": 50}})
    return log


async def test_history_is_newest_first_with_top_set_and_volume(
    client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    _, workout = plan
    older = await performed(client, plan, client_user, 3, warmup_then_working(workout, 100))
    newer = await performed(client, plan, client_user, 10, warmup_then_working(workout, 105))
    response = await client.get(HISTORY, headers=client_user.headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert [entry["sessionId"] for entry in data] == [newer, older]
    latest = data[0]
    assert latest["date"] == "2025-03-10T18:00:00.000Z"
    assert latest["exerciseVariantId"] == SQUAT["exerciseVariantId"]
    _, _, set_ids = squat_of(workout)
    assert latest["topSet"] == {"setId": set_ids[2], "reps": 6, "weight": 105}
    assert latest["volume"] == 5 * 105 + 6 * 105 + 10 * 50  # the warm-up left out
    assert [item["setType"] for item in latest["sets"]] == ["warmup", "working", "working", "drop"]
    assert latest["sets"][3]["extra"] is True and "setId" not in latest["sets"][3]
    limited = await client.get(f"{HISTORY}?limit=1", headers=client_user.headers)
    assert [entry["sessionId"] for entry in limited.json()["data"]] == [newer]


async def test_history_counts_only_the_callers_completed_sessions_with_logged_sets(
    client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    _, workout = plan
    done = await performed(client, plan, client_user, 3, squat_log(workout, {"reps": 5}))
    await performed(client, plan, client_user, None, squat_log(workout, {"reps": 5}))
    await performed(client, plan, client_user, 5, squat_log(workout))  # the squat, no sets
    push_only = squat_log(workout)
    push_only["sections"][0]["exercises"][0] = {
        "exerciseEntryId": str(workout["sections"][1]["exercises"][1]["_id"]),
        "sets": [
            {
                "setId": str(workout["sections"][1]["exercises"][1]["sets"][0]["_id"]),
                "performance": {"reps": 12},
            }
        ],
    }
    await performed(client, plan, client_user, 6, push_only)
    someone_else = make_caller("client")
    await performed(client, plan, someone_else, 7, squat_log(workout, {"reps": 5}))
    data = (await client.get(HISTORY, headers=client_user.headers)).json()["data"]
    assert [entry["sessionId"] for entry in data] == [done]
    theirs = (await client.get(HISTORY, headers=someone_else.headers)).json()["data"]
    assert len(theirs) == 1 and theirs[0]["sessionId"] != done


async def test_history_of_one_variant_and_of_a_substituted_exercise(
    client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    _, workout = plan
    high_bar = await performed(
        client, plan, client_user, 3, squat_log(workout, {"reps": 5, "weight": 100})
    )
    goblet = await performed(
        client,
        plan,
        client_user,
        5,
        squat_log(
            workout, {"reps": 10, "weight": 32}, exerciseVariantId=GOBLET["exerciseVariantId"]
        ),
    )
    h = client_user.headers
    everything = (await client.get(HISTORY, headers=h)).json()["data"]
    assert [entry["sessionId"] for entry in everything] == [goblet, high_bar]
    only = await client.get(f"{HISTORY}?variantId={GOBLET['exerciseVariantId']}", headers=h)
    assert [entry["sessionId"] for entry in only.json()["data"]] == [goblet]
    assert only.json()["data"][0]["exerciseVariantId"] == GOBLET["exerciseVariantId"]
    push_ups = await client.get(
        f"/api/exercises/{variant('Push-up')['exerciseId']}/history", headers=h
    )
    assert push_ups.json()["data"] == []


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"{HISTORY}?limit=0", "limit"),
        (f"{HISTORY}?limit=51", "limit"),
        (f"{HISTORY}?variantId=squat", "variantId"),
        ("/api/exercises/squat/history", "exerciseId"),
    ],
)
async def test_history_rejects_bad_parameters(
    client: httpx.AsyncClient, client_user: Caller, path: str, field: str
) -> None:
    response = await client.get(path, headers=client_user.headers)
    assert first_error_field(response) == field


async def test_history_is_one_query_on_the_history_index(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    _, workout = plan
    for day in (3, 4, 5):
        await performed(client, plan, client_user, day, squat_log(workout, {"reps": 5}))
    with calls_during(app.state.client) as calls:
        data = (await client.get(HISTORY, headers=client_user.headers)).json()["data"]
    assert len(data) == 3
    assert calls == {"find": 1}
    indexes = await WorkoutSession.get_motor_collection().index_information()
    assert list(indexes["exercise_history"]["key"]) == [
        ("userId", 1),
        ("performanceLog.sections.exercises.exerciseId", 1),
        ("completedAt", -1),
    ]
