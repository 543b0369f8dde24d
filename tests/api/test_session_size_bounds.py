"""How large sessions may grow: a workout's snapshot, everything one assignment writes, a log,
and one calendar page. Each bound answers 422 naming the limit, with nothing written."""

from typing import Any

import httpx

from peakhealth.sessions.documents import WorkoutSession
from peakhealth.sessions.limits import MAX_FULL_SESSIONS
from peakhealth.storage.assignments import RoutineAssignment
from tests.support.actions import assign, create, put_session
from tests.support.callers import Caller
from tests.support.paths import SESSIONS, TEMPLATES
from tests.support.plans import template_body, variant
from tests.support.problems import first_error_field

EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def annotated_workout(exercises: int) -> dict[str, Any]:
    """A strength workout whose exercises each carry 5,000 characters of notes: about 5 KiB a
    exercise once stored."""
    return {
        "name": "Annotated",
        "type": "strength",
        "sections": [
            {
                "type": "basic",
                "name": "Everything",
                "exercises": [
                    {
                        "type": "strength",
                        **variant("Barbell Back Squat"),
                        "notes": "n" * 5000,
                        "sets": [{"repType": "fixed", "reps": 5, "weight": 100}],
                    }
                    for _ in range(exercises)
                ],
            }
        ],
    }


async def nothing_written(user: Caller) -> None:
    assert await RoutineAssignment.get_motor_collection().count_documents({"userId": user.id}) == 0
    assert await WorkoutSession.get_motor_collection().count_documents({"userId": user.id}) == 0


async def test_a_workout_too_large_for_a_snapshot_is_not_assigned(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    body = template_body([annotated_workout(30)], duration=1)  # about 150 KiB
    routine = await create(client, trainer, TEMPLATES, body)
    refused = await assign(client, trainer, routine["id"], trainer)
    assert refused.status_code == 422, refused.text
    error = refused.json()["errors"][0]
    assert error["field"] == "routineVersionId"
    assert "128 KiB" in error["message"] and "Annotated" in error["message"]
    await nothing_written(trainer)


async def test_an_assignment_writes_at_most_its_byte_budget(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    """A year of daily 100 KiB workouts would store about 36 MiB of snapshots; half a year
    fits."""
    body = template_body([annotated_workout(20)], duration=52, schedule={"trainingDays": EVERY_DAY})
    routine = await create(client, trainer, TEMPLATES, body)
    refused = await assign(client, trainer, routine["id"], trainer)
    assert refused.status_code == 422, refused.text
    error = refused.json()["errors"][0]
    assert error["field"] == "routineVersionId" and "32 MiB" in error["message"]
    await nothing_written(trainer)
    shorter = await assign(client, trainer, routine["id"], trainer, trainingDays=["mon", "thu"])
    assert shorter.status_code == 201, shorter.text


async def test_a_session_of_an_own_routine_is_bounded_like_an_assigned_one(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    routine = await create(
        client, client_user, "/api/routines", template_body([annotated_workout(30)])
    )
    body = {
        "routineId": routine["id"],
        "workoutId": routine["workouts"][0]["id"],
        "scheduledDate": "2026-12-07",
    }
    refused = await client.post(SESSIONS, json=body, headers=client_user.headers)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "workoutId"
    assert await WorkoutSession.get_motor_collection().count_documents({}) == 0


async def test_a_log_is_bounded(client: httpx.AsyncClient, trainer: Caller) -> None:
    routine = await create(
        client, trainer, TEMPLATES, template_body([annotated_workout(1)], duration=1)
    )
    assert (await assign(client, trainer, routine["id"], trainer)).status_code == 201
    session = await WorkoutSession.get_motor_collection().find_one({"userId": trainer.id})
    assert session is not None
    section_id = str(session["workoutSnapshot"]["sections"][0]["_id"])
    entry_id = str(session["workoutSnapshot"]["sections"][0]["exercises"][0]["_id"])
    extra = {"extra": True, "setType": "working", "notes": "x" * 5000, "performance": {"reps": 5}}
    log = {
        "sections": [
            {
                "sectionId": section_id,
                "exercises": [{"exerciseEntryId": entry_id, "sets": [extra] * 30}],
            }
        ]
    }
    refused = await put_session(
        client, trainer, str(session["_id"]), {"status": "completed", "performanceLog": log}
    )
    assert refused.status_code == 422, refused.text
    error = refused.json()["errors"][0]
    assert error["field"] == "performanceLog" and "128 KiB" in error["message"]
    after = await WorkoutSession.get_motor_collection().find_one({"_id": session["_id"]})
    assert after is not None and after["status"] == "scheduled" and "performanceLog" not in after
    log["sections"][0]["exercises"][0]["sets"] = [extra] * 3
    accepted = await put_session(
        client, trainer, str(session["_id"]), {"status": "completed", "performanceLog": log}
    )
    assert accepted.status_code == 200, accepted.text


async def test_a_page_of_whole_sessions_is_bounded(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    over = MAX_FULL_SESSIONS + 1
    refused = await client.get(f"{SESSIONS}?limit={over}", headers=client_user.headers)
    assert first_error_field(refused) == "limit"
    whole = await client.get(f"{SESSIONS}?limit={MAX_FULL_SESSIONS}", headers=client_user.headers)
    assert whole.status_code == 200
    summaries = await client.get(f"{SESSIONS}?limit=100&view=summary", headers=client_user.headers)
    assert summaries.status_code == 200
