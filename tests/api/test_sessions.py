"""Workout sessions over HTTP: who reads and logs what, the status table, log validation against
the snapshot, the snapshot's immutability, idempotent PUTs, the calendar, sessions scheduled
from a user routine, and concurrent completions.

Sessions are inserted straight into the database with a snapshot taken from a template routine
created through the API, so these tests do not depend on how assignments schedule them."""

import asyncio
from datetime import datetime, timedelta
from typing import Any

import bson
import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI

from peakhealth.routines.user_documents import UserRoutineDocument
from peakhealth.sessions import service as session_service
from peakhealth.sessions.documents import WorkoutSession, workout_snapshot
from peakhealth.storage.assignments import RoutineAssignment
from peakhealth.timestamps import utc_now
from tests.support.actions import create, put_session, squat_log
from tests.support.callers import Caller, make_caller
from tests.support.paths import SESSIONS
from tests.support.plans import variant
from tests.support.problems import first_error_field
from tests.support.stored import (
    Plan,
    calls_during,
    insert_session,
    insert_user_routine,
    raw_session,
    template_workout,
)

INVALID_TRANSITION = "urn:peakhealth:problem:invalid-transition"
CONFLICT = "urn:peakhealth:problem:conflict"


# ----- fixtures --------------------------------------------------------------------------------


@pytest.fixture
async def session_id(plan: Plan, client_user: Caller, trainer: Caller) -> str:
    return await insert_session(*plan, client_user, trainer=trainer)


# ----- reading ---------------------------------------------------------------------------------


async def test_client_reads_own_session_with_snapshot_ids_as_id(
    client: httpx.AsyncClient, client_user: Caller, session_id: str, plan: Plan
) -> None:
    response = await client.get(f"{SESSIONS}/{session_id}", headers=client_user.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == session_id and "_id" not in body
    assert body["status"] == "scheduled" and body["userId"] == client_user.id
    snapshot = body["workoutSnapshot"]
    assert snapshot["name"] == "Day A" and snapshot["objective"] == "Legs and push"
    _, workout = plan
    assert [section["id"] for section in snapshot["sections"]] == [
        str(section["_id"]) for section in workout["sections"]
    ]
    assert "_id" not in bson.json_util.dumps(snapshot)
    assert snapshot["sections"][1]["exercises"][0]["sets"][0]["reps"] == 5
    assert "performanceLog" not in body


async def test_another_client_cannot_read_or_log_the_session(
    client: httpx.AsyncClient, session_id: str, plan: Plan
) -> None:
    stranger = make_caller("client")
    read = await client.get(f"{SESSIONS}/{session_id}", headers=stranger.headers)
    assert read.status_code == 404
    body = {"status": "completed", "performanceLog": squat_log(plan[1], {"reps": 5})}
    assert (await put_session(client, stranger, session_id, body)).status_code == 404
    assert (await raw_session(session_id))["status"] == "scheduled"
    listing = await client.get(SESSIONS, headers=stranger.headers)
    assert listing.json()["data"] == []


async def test_trainer_reads_the_sessions_they_assigned_but_does_not_log(
    client: httpx.AsyncClient,
    trainer: Caller,
    other_trainer: Caller,
    client_user: Caller,
    session_id: str,
    plan: Plan,
) -> None:
    unassigned = await insert_session(*plan, client_user)  # the client's own, no trainer
    mine = await client.get(SESSIONS, headers=trainer.headers)
    assert [item["id"] for item in mine.json()["data"]] == [session_id]
    assert (await client.get(f"{SESSIONS}/{session_id}", headers=trainer.headers)).is_success
    assert (
        await client.get(f"{SESSIONS}/{unassigned}", headers=trainer.headers)
    ).status_code == 404
    other = await client.get(f"{SESSIONS}/{session_id}", headers=other_trainer.headers)
    assert other.status_code == 404
    assert (await client.get(SESSIONS, headers=other_trainer.headers)).json()["data"] == []
    forbidden = await put_session(client, trainer, session_id, {"status": "in-progress"})
    assert forbidden.status_code == 403
    assert (await raw_session(session_id))["status"] == "scheduled"
    by_client = await client.get(f"{SESSIONS}?userId={client_user.id}", headers=trainer.headers)
    assert [item["id"] for item in by_client.json()["data"]] == [session_id]


async def test_admin_reads_and_changes_any_session(
    client: httpx.AsyncClient, admin: Caller, session_id: str
) -> None:
    assert (await client.get(f"{SESSIONS}/{session_id}", headers=admin.headers)).is_success
    assert (await put_session(client, admin, session_id, {"status": "skipped"})).json()[
        "status"
    ] == ("skipped")


async def test_malformed_session_id_is_422_and_unknown_is_404(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    bad = await client.get(f"{SESSIONS}/not-an-id", headers=client_user.headers)
    assert first_error_field(bad) == "id"
    missing = await client.get(f"{SESSIONS}/{PydanticObjectId()}", headers=client_user.headers)
    assert missing.status_code == 404


# ----- status ----------------------------------------------------------------------------------


async def test_start_then_complete_sets_timestamps(
    client: httpx.AsyncClient, client_user: Caller, session_id: str
) -> None:
    started = (await put_session(client, client_user, session_id, {"status": "in-progress"})).json()
    assert started["status"] == "in-progress" and started["startedAt"].endswith("Z")
    done = (await put_session(client, client_user, session_id, {"status": "completed"})).json()
    assert done["startedAt"] == started["startedAt"]
    assert done["completedAt"] >= done["startedAt"]
    stored = await raw_session(session_id)
    assert stored["status"] == "completed" and stored["completedAt"] is not None


@pytest.mark.parametrize(
    ("path", "target"),
    [
        (["completed"], "scheduled"),
        (["completed"], "in-progress"),
        (["cancelled"], "scheduled"),
        (["in-progress"], "skipped"),
        (["skipped"], "completed"),
    ],
)
async def test_a_move_outside_the_table_is_409_invalid_transition(
    client: httpx.AsyncClient,
    client_user: Caller,
    session_id: str,
    path: list[str],
    target: str,
) -> None:
    for status in path:
        assert (await put_session(client, client_user, session_id, {"status": status})).is_success
    before = await raw_session(session_id)
    response = await put_session(client, client_user, session_id, {"status": target})
    assert response.status_code == 409
    assert response.json()["type"] == INVALID_TRANSITION
    assert response.headers["content-type"] == "application/problem+json"
    assert await raw_session(session_id) == before


async def test_skipped_session_can_be_scheduled_again_on_another_day(
    client: httpx.AsyncClient, client_user: Caller, session_id: str
) -> None:
    assert (await put_session(client, client_user, session_id, {"status": "skipped"})).is_success
    moved = await put_session(
        client,
        client_user,
        session_id,
        {"status": "scheduled", "scheduledDate": "2025-03-05", "scheduledTime": "07:30"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["scheduledDate"] == "2025-03-05"
    assert moved.json()["scheduledTime"] == "07:30"


async def test_only_a_scheduled_session_is_rescheduled(
    client: httpx.AsyncClient, client_user: Caller, session_id: str
) -> None:
    moved = await put_session(client, client_user, session_id, {"scheduledDate": "2025-03-04"})
    assert moved.json()["scheduledDate"] == "2025-03-04"
    await put_session(client, client_user, session_id, {"status": "in-progress"})
    refused = await put_session(client, client_user, session_id, {"scheduledDate": "2025-03-06"})
    assert refused.status_code == 409 and refused.json()["type"] == CONFLICT
    assert (await raw_session(session_id))["scheduledDate"] == "2025-03-04"
    bad = await put_session(client, client_user, session_id, {"scheduledDate": "2025-02-30"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "scheduledDate"


# ----- logs ------------------------------------------------------------------------------------


async def test_a_log_is_refused_before_the_session_starts(
    client: httpx.AsyncClient, client_user: Caller, session_id: str, plan: Plan
) -> None:
    log = squat_log(plan[1], {"reps": 5, "weight": 100})
    refused = await put_session(client, client_user, session_id, {"performanceLog": log})
    assert refused.status_code == 409 and refused.json()["type"] == CONFLICT
    skipped = await put_session(
        client, client_user, session_id, {"status": "skipped", "performanceLog": log}
    )
    assert skipped.status_code == 409
    assert "performanceLog" not in await raw_session(session_id) or not (
        await raw_session(session_id)
    ).get("performanceLog")
    started = await put_session(
        client, client_user, session_id, {"status": "in-progress", "performanceLog": log}
    )
    assert started.status_code == 200, started.text
    logged = started.json()["performanceLog"]["sections"][0]["exercises"][0]
    assert logged["sets"][0]["performance"] == {"reps": 5, "weight": 100}
    assert logged["sets"][0]["setType"] == "working"
    assert logged["exerciseId"] == variant("Barbell Back Squat")["exerciseId"]


async def test_a_set_id_not_in_the_snapshot_is_422_with_its_path(
    client: httpx.AsyncClient, client_user: Caller, session_id: str, plan: Plan
) -> None:
    log = squat_log(plan[1], {"reps": 5}, {"reps": 5})
    push_up_set = str(plan[1]["sections"][1]["exercises"][1]["sets"][0]["_id"])
    log["sections"][0]["exercises"][0]["sets"][1]["setId"] = push_up_set
    response = await put_session(
        client, client_user, session_id, {"status": "completed", "performanceLog": log}
    )
    assert response.status_code == 422
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["performanceLog.sections[0].exercises[0].sets[1].setId"]
    assert (await raw_session(session_id))["status"] == "scheduled"  # nothing written


async def test_wrong_field_for_the_exercise_type_is_422(
    client: httpx.AsyncClient, client_user: Caller, session_id: str, plan: Plan
) -> None:
    log = squat_log(plan[1], {"reps": 5, "holdTime": 30})
    response = await put_session(
        client, client_user, session_id, {"status": "completed", "performanceLog": log}
    )
    assert first_error_field(response) == (
        "performanceLog.sections[0].exercises[0].sets[0].performance.holdTime"
    )


async def test_substitution_is_checked_against_the_catalog(
    client: httpx.AsyncClient, client_user: Caller, session_id: str, plan: Plan
) -> None:
    goblet = variant("Goblet Squat")["exerciseVariantId"]
    log = squat_log(plan[1], {"reps": 10, "weight": 32}, exerciseVariantId=goblet)
    done = await put_session(
        client, client_user, session_id, {"status": "completed", "performanceLog": log}
    )
    assert done.status_code == 200, done.text
    entry = done.json()["performanceLog"]["sections"][0]["exercises"][0]
    assert entry["exerciseVariantId"] == goblet
    assert entry["exerciseId"] == variant("Goblet Squat")["exerciseId"]
    unknown = squat_log(
        plan[1], {"reps": 1}, exerciseVariantId="00000000-0000-4000-8000-0000000000aa"
    )
    refused = await put_session(client, client_user, session_id, {"performanceLog": unknown})
    assert first_error_field(refused) == (
        "performanceLog.sections[0].exercises[0].exerciseVariantId"
    )


async def test_completed_session_takes_corrections_and_keeps_completed_at(
    client: httpx.AsyncClient, client_user: Caller, session_id: str, plan: Plan
) -> None:
    first = await put_session(client, client_user, session_id, {"status": "completed"})
    completed_at = first.json()["completedAt"]
    fixed = await put_session(
        client,
        client_user,
        session_id,
        {
            "status": "completed",
            "performanceLog": squat_log(plan[1], {"reps": 4, "weight": 100}),
            "durationMinutes": 55,
            "notes": "felt heavy",
        },
    )
    assert fixed.status_code == 200, fixed.text
    body = fixed.json()
    assert body["completedAt"] == completed_at
    assert body["durationMinutes"] == 55 and body["notes"] == "felt heavy"
    assert body["performanceLog"]["sections"][0]["exercises"][0]["sets"][0]["performance"] == {
        "reps": 4,
        "weight": 100,
    }


async def test_duration_bounds_and_strict_types(
    client: httpx.AsyncClient, client_user: Caller, session_id: str
) -> None:
    await put_session(client, client_user, session_id, {"status": "in-progress"})
    for body, field in (
        ({"durationMinutes": 0}, "durationMinutes"),
        ({"durationMinutes": 1441}, "durationMinutes"),
        ({"durationMinutes": "30"}, "durationMinutes"),
        ({"notes": "x" * 5001}, "notes"),
        ({"status": "done"}, "status"),
        ({"status": None}, "status"),
    ):
        response = await put_session(client, client_user, session_id, body)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field


# ----- the snapshot never changes; PUT is idempotent -----------------------------------------


async def test_put_with_workout_snapshot_is_422(
    client: httpx.AsyncClient, client_user: Caller, session_id: str
) -> None:
    response = await put_session(
        client, client_user, session_id, {"status": "in-progress", "workoutSnapshot": {}}
    )
    assert first_error_field(response) == "workoutSnapshot"
    assert (await raw_session(session_id))["status"] == "scheduled"


async def test_stored_snapshot_is_byte_identical_after_every_kind_of_put(
    client: httpx.AsyncClient, client_user: Caller, session_id: str, plan: Plan
) -> None:
    def snapshot_bytes(stored: dict[str, Any]) -> bytes:
        return bson.encode(stored["workoutSnapshot"])

    before = snapshot_bytes(await raw_session(session_id))
    log = squat_log(plan[1], {"reps": 5, "weight": 100})
    bodies: list[dict[str, Any]] = [
        {"scheduledDate": "2025-03-10", "scheduledTime": "18:00"},
        {"notes": "moved"},
        {"status": "in-progress", "performanceLog": log},
        {"durationMinutes": 40},
        {"workoutSnapshot": {"name": "Hacked", "type": "strength", "sections": []}},
        {"status": "completed", "performanceLog": {"sections": []}},
        {"status": "completed", "notes": None, "durationMinutes": None},
        {"status": "scheduled"},  # refused: completed is final
    ]
    for body in bodies:
        await put_session(client, client_user, session_id, body)
        assert snapshot_bytes(await raw_session(session_id)) == before, body
    assert (await raw_session(session_id))["status"] == "completed"


async def test_the_same_put_twice_gives_the_same_result(
    client: httpx.AsyncClient,
    client_user: Caller,
    session_id: str,
    plan: Plan,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = {
        "status": "completed",
        "durationMinutes": 50,
        "notes": "good",
        "performanceLog": squat_log(
            plan[1], {"reps": 5, "weight": 100}, {"reps": 5, "weight": 102.5}
        ),
    }
    first = await put_session(client, client_user, session_id, body)
    assert first.status_code == 200, first.text
    stored = await raw_session(session_id)
    later = utc_now() + timedelta(minutes=5)
    monkeypatch.setattr(session_service, "utc_now", lambda: later)  # a write would show it
    second = await put_session(client, client_user, session_id, body)
    assert second.status_code == 200
    # Only the request that completed the session answers the records it set.
    assert "newRecords" not in second.json()
    assert second.json() == {k: v for k, v in first.json().items() if k != "newRecords"}
    assert await raw_session(session_id) == stored


# ----- the calendar ----------------------------------------------------------------------------


async def test_calendar_filters_by_range_and_status_in_date_time_sequence_order(
    client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    ids = {
        name: await insert_session(
            *plan, client_user, scheduled_date=day, scheduled_time=time, sequence=sequence
        )
        for name, day, time, sequence in (
            ("late", "2025-03-05", "18:00", 4),
            ("before", "2025-02-28", None, 1),
            ("second", "2025-03-03", "09:00", 2),
            ("first", "2025-03-03", "07:00", 3),
            ("after", "2025-03-11", None, 5),
            ("last", "2025-03-10", None, 7),
            ("tenth", "2025-03-10", None, 6),
        )
    }
    assert (await put_session(client, client_user, ids["late"], {"status": "skipped"})).is_success
    h = client_user.headers
    ranged = (await client.get(f"{SESSIONS}?from=2025-03-03&to=2025-03-10", headers=h)).json()
    assert [item["id"] for item in ranged["data"]] == [
        ids["first"],
        ids["second"],
        ids["late"],
        ids["tenth"],
        ids["last"],
    ]
    assert ranged["pagination"]["totalItems"] == 5
    whole = ranged["data"][0]
    assert whole["workoutSnapshot"]["sections"][1]["exercises"][0]["sets"][0]["reps"] == 5
    summaries = await client.get(
        f"{SESSIONS}?from=2025-03-03&to=2025-03-10&view=summary", headers=h
    )
    assert [item["id"] for item in summaries.json()["data"]] == [
        item["id"] for item in ranged["data"]
    ]
    assert summaries.json()["data"][0]["workoutSnapshot"] == {
        "name": "Day A",
        "type": "strength",
        "objective": "Legs and push",
    }
    assert all("performanceLog" not in item for item in summaries.json()["data"])
    scheduled = await client.get(
        f"{SESSIONS}?from=2025-03-03&to=2025-03-10&status=scheduled&limit=2&page=2", headers=h
    )
    assert [item["id"] for item in scheduled.json()["data"]] == [ids["tenth"], ids["last"]]
    assert scheduled.json()["pagination"]["totalItems"] == 4
    one_day = await client.get(f"{SESSIONS}?from=2025-03-03&to=2025-03-03", headers=h)
    assert [item["id"] for item in one_day.json()["data"]] == [ids["first"], ids["second"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2025-03-10&to=2025-03-09", "to"),
        ("from=2025-01-01&to=2026-01-02", "to"),
        ("from=2025-3-1", "from"),
        ("to=2025-02-30", "to"),
        ("status=done", "status"),
        ("routineAssignmentId=xyz", "routineAssignmentId"),
        ("userId=me", "userId"),
        ("view=tree", "view"),
    ],
)
async def test_calendar_rejects_bad_parameters(
    client: httpx.AsyncClient, client_user: Caller, query: str, field: str
) -> None:
    response = await client.get(f"{SESSIONS}?{query}", headers=client_user.headers)
    assert first_error_field(response) == field


async def test_calendar_accepts_a_range_of_366_days(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    response = await client.get(
        f"{SESSIONS}?from=2024-01-01&to=2024-12-31", headers=client_user.headers
    )
    assert response.status_code == 200


async def test_calendar_by_assignment_and_a_client_passing_another_user_sees_nothing(
    client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    assignment = PydanticObjectId()
    inside = await insert_session(*plan, client_user, assignment_id=assignment)
    await insert_session(*plan, client_user)
    h = client_user.headers
    by_assignment = await client.get(f"{SESSIONS}?routineAssignmentId={assignment}", headers=h)
    assert [item["id"] for item in by_assignment.json()["data"]] == [inside]
    own = await client.get(f"{SESSIONS}?userId={client_user.id}", headers=h)
    assert own.json()["pagination"]["totalItems"] == 2
    other = await client.get(f"{SESSIONS}?userId={make_caller('client').id}", headers=h)
    assert other.json()["data"] == []


async def test_calendar_page_counts_only_when_the_page_cannot_tell_the_total(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    for day in ("2025-03-03", "2025-03-04", "2025-03-05"):
        await insert_session(*plan, client_user, scheduled_date=day)
    store = app.state.client

    async def calls_of(query: str) -> tuple[dict[str, Any], dict[str, int]]:
        with calls_during(store) as calls:
            response = await client.get(f"{SESSIONS}?{query}", headers=client_user.headers)
        return response.json(), calls

    month = "from=2025-03-01&to=2025-03-31"
    short, calls = await calls_of(month)  # fewer than limit: the page is the whole answer
    assert len(short["data"]) == 3 and short["pagination"]["totalItems"] == 3
    assert "count_documents" not in calls
    full, calls = await calls_of(f"{month}&limit=2")  # a full page: there may be more
    assert full["pagination"] | {"currentPage": 1} == {
        "currentPage": 1,
        "pageSize": 2,
        "totalItems": 3,
        "totalPages": 2,
        "hasNextPage": True,
        "hasPrevPage": False,
    }
    assert calls["count_documents"] == 1
    last, calls = await calls_of(f"{month}&limit=2&page=2")
    assert len(last["data"]) == 1 and last["pagination"]["totalItems"] == 3
    assert "count_documents" not in calls
    past, calls = await calls_of(f"{month}&limit=2&page=5")  # past the end: counted
    assert past["data"] == [] and past["pagination"]["totalItems"] == 3
    assert calls["count_documents"] == 1


async def test_a_calendar_read_again_skips_the_snapshots_of_unchanged_sessions(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    ids = [
        await insert_session(*plan, client_user, scheduled_date=day)
        for day in ("2025-03-03", "2025-03-04", "2025-03-05")
    ]
    store = app.state.client
    month = f"{SESSIONS}?from=2025-03-01&to=2025-03-31"

    async def read(who: Caller = client_user) -> tuple[httpx.Response, int]:
        before = store.calls["find"]
        response = await client.get(month, headers=who.headers)
        return response, store.calls["find"] - before

    first, finds = await read()  # the page without snapshots, then the three sessions whole
    assert [item["id"] for item in first.json()["data"]] == ids and finds == 2
    again, finds = await read()
    assert again.content == first.content and finds == 1  # no snapshot is read
    stranger, _ = await read(make_caller("client"))
    assert stranger.json()["data"] == []
    assert (
        await put_session(client, client_user, ids[1], {"notes": "moved the bar well"})
    ).is_success
    changed, finds = await read()  # only the changed session is read whole again
    assert finds == 2
    assert [item.get("notes") for item in changed.json()["data"]] == [
        None,
        "moved the bar well",
        None,
    ]
    assert changed.json()["data"][0] == first.json()["data"][0]
    summaries = await client.get(f"{month}&view=summary", headers=client_user.headers)
    assert [item["id"] for item in summaries.json()["data"]] == ids
    assert all("sections" not in item["workoutSnapshot"] for item in summaries.json()["data"])


async def test_a_put_is_one_read_and_one_write(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, session_id: str
) -> None:
    # The caller's unit system is read from their profile once, then kept (http/units.py).
    assert (await client.get("/api/users/me", headers=client_user.headers)).status_code == 200
    with calls_during(app.state.client) as calls:
        assert (
            await put_session(client, client_user, session_id, {"notes": "on my way"})
        ).is_success
    assert calls == {
        "find_one": 1,
        "update_one": 1,
    }


# ----- sessions from a user routine ------------------------------------------------------------


async def test_client_schedules_a_workout_of_their_own_routine(
    client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    _, workout = plan
    routine_id = await insert_user_routine(client_user, workout)
    body = {
        "routineId": str(routine_id),
        "workoutId": str(workout["_id"]),
        "scheduledDate": "2025-04-01",
        "scheduledTime": "06:15",
    }
    response = await client.post(SESSIONS, json=body, headers=client_user.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["routineId"] == created["parentRoutineId"] == str(routine_id)
    assert created["workoutId"] == str(workout["_id"])
    assert "routineAssignmentId" not in created and "trainerId" not in created
    assert created["status"] == "scheduled" and created["scheduledTime"] == "06:15"
    stored = await raw_session(created["id"])
    assert stored["workoutSnapshot"] == workout_snapshot(workout)
    assert stored["workoutSnapshot"]["sections"][0]["_id"] == workout["sections"][0]["_id"]
    # later edits of the routine do not reach the snapshot
    await UserRoutineDocument.get_motor_collection().update_one(
        {"_id": routine_id}, {"$set": {"workouts.0.name": "Renamed"}}
    )
    assert (await raw_session(created["id"]))["workoutSnapshot"]["name"] == "Day A"


async def test_completing_a_routine_session_counts_on_the_routine(
    client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    _, workout = plan
    routine_id = await insert_user_routine(client_user, workout)
    body = {"routineId": str(routine_id), "workoutId": str(workout["_id"])}
    made = [
        (await create(client, client_user, SESSIONS, {**body, "scheduledDate": day}))["id"]
        for day in ("2025-04-01", "2025-04-03")
    ]
    for session in made:
        done = await put_session(client, client_user, session, {"status": "completed"})
        assert done.status_code == 200
        await put_session(client, client_user, session, {"status": "completed"})
    routine = await UserRoutineDocument.get_motor_collection().find_one({"_id": routine_id})
    assert routine is not None
    assert routine["completedWorkouts"] == 2
    assert routine["lastUsed"] is not None


async def test_scheduling_needs_an_own_routine_and_one_of_its_workouts(
    client: httpx.AsyncClient, client_user: Caller, plan: Plan
) -> None:
    routine, workout = plan
    own = await insert_user_routine(client_user, workout)
    foreign = await insert_user_routine(make_caller("client"), workout)
    h = client_user.headers
    day = {"scheduledDate": "2025-04-01"}
    cases = [
        ({"routineId": str(own), "workoutId": str(PydanticObjectId()), **day}, "workoutId"),
        ({"routineId": str(foreign), "workoutId": str(workout["_id"]), **day}, "routineId"),
        # a template routine is not a user routine
        ({"routineId": str(routine["_id"]), "workoutId": str(workout["_id"]), **day}, "routineId"),
        ({"routineId": str(own), "workoutId": str(workout["_id"])}, "scheduledDate"),
        (
            {
                "routineId": str(own),
                "workoutId": str(workout["_id"]),
                **day,
                "workoutSnapshot": {},
            },
            "workoutSnapshot",
        ),
    ]
    for body, field in cases:
        response = await client.post(SESSIONS, json=body, headers=h)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field
    assert await WorkoutSession.get_motor_collection().count_documents({}) == 0


# ----- concurrency -----------------------------------------------------------------------------


async def test_twenty_concurrent_completions_complete_once(
    interleaved_client: httpx.AsyncClient, trainer: Caller, client_user: Caller
) -> None:
    routine, workout = await template_workout(interleaved_client, trainer)
    assignment = RoutineAssignment(
        routineVersionId=routine["_id"],
        parentRoutineId=routine["parentRoutineId"],
        userId=client_user.id,
        trainerId=trainer.id,
        assignedBy=trainer.id,
        startDate="2025-03-03",
        endDate="2025-03-09",
        trainingDays=["mon"],
    )
    assignment.progress.totalWorkouts = 1
    await assignment.insert()
    session_id = await insert_session(
        routine, workout, client_user, trainer=trainer, assignment_id=assignment.id
    )
    responses = await asyncio.gather(
        *(
            put_session(interleaved_client, client_user, session_id, {"status": "completed"})
            for _ in range(20)
        )
    )
    assert {response.status_code for response in responses} == {200}
    stored = await raw_session(session_id)
    completed_at = stored["completedAt"]
    assert completed_at is not None
    assert {response.json()["completedAt"] for response in responses} == {
        response.json()["completedAt"] for response in responses[:1]
    }
    assert datetime.fromisoformat(responses[0].json()["completedAt"]).replace(
        tzinfo=None
    ) == completed_at.replace(tzinfo=None)
    refreshed = await RoutineAssignment.get_motor_collection().find_one({"_id": assignment.id})
    assert refreshed is not None
    assert refreshed["progress"]["completedWorkouts"] == 1
    assert refreshed["status"] == "completed"


async def test_a_session_read_again_skips_its_snapshot_until_it_changes(
    app: FastAPI,
    client: httpx.AsyncClient,
    client_user: Caller,
    session_id: str,
) -> None:
    store = app.state.client
    # The caller's unit system is read from their profile once, then kept (http/units.py).
    assert (await client.get("/api/users/me", headers=client_user.headers)).status_code == 200

    async def read(who: Caller = client_user) -> tuple[httpx.Response, int]:
        before = store.calls["find_one"]
        response = await client.get(f"{SESSIONS}/{session_id}", headers=who.headers)
        return response, store.calls["find_one"] - before

    first, reads = await read()
    assert first.status_code == 200 and reads == 2  # the small fields, then the whole session
    again, reads = await read()
    assert again.content == first.content and reads == 1  # the snapshot is not read
    stranger, _ = await read(make_caller("client"))
    assert stranger.status_code == 404
    assert (await put_session(client, client_user, session_id, {"notes": "felt strong"})).is_success
    changed, reads = await read()
    assert changed.json()["notes"] == "felt strong" and reads == 2
    assert changed.json()["workoutSnapshot"] == first.json()["workoutSnapshot"]
