"""Assignments over HTTP: scheduling, replacement, lifecycle, upgrade, pinning, who may do what."""

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI

from peakhealth.sessions.documents import WorkoutSession
from peakhealth.storage.assignments import RoutineAssignment
from tests.support.actions import (
    archive,
    assign,
    create,
    library_day,
    link,
    linked_assignment,
    move,
    publish,
)
from tests.support.callers import Caller, make_caller
from tests.support.paths import ASSIGNMENTS, SECTIONS, TEMPLATES, WORKOUTS
from tests.support.plans import (
    short_routine,
    strength_section,
    template_body,
    two_workouts,
    warmup_section,
)
from tests.support.problems import first_error_field
from tests.support.stored import calls_during, raw_sessions


async def test_twelve_weeks_on_mon_wed_fri_alternate_with_one_insert(
    app: FastAPI, client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    routine = await create(client, trainer, TEMPLATES, two_workouts())
    await link(client, admin, trainer, client_user)
    with calls_during(app.state.client) as calls:
        response = await assign(client, trainer, routine["id"], client_user)
    assert response.status_code == 201, response.text
    assert calls.get("insert_many") == 1
    assignment = response.json()
    assert assignment["endDate"] == "2027-02-14"
    assert assignment["trainerId"] == trainer.id
    assert assignment["progress"] == {"completedWorkouts": 0, "totalWorkouts": 36}
    sessions = await raw_sessions(assignment["id"])
    assert len(sessions) == 36
    names = [session["workoutSnapshot"]["name"] for session in sessions]
    assert names[:6] == ["A", "B", "A", "B", "A", "B"]
    assert [session["scheduledDate"] for session in sessions[:4]] == [
        "2026-11-23",
        "2026-11-25",
        "2026-11-27",
        "2026-11-30",
    ]
    assert [session["weekIndex"] for session in sessions[::3]] == list(range(1, 13))
    stored = routine["workouts"][0]
    snapshot = sessions[0]["workoutSnapshot"]
    assert str(snapshot["sections"][0]["_id"]) == stored["sections"][0]["id"]
    assert str(sessions[0]["workoutId"]) == stored["id"]


async def test_assigning_a_new_version_replaces_and_keeps_everything_but_scheduled(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    routine, first = await linked_assignment(client, admin, trainer, client_user, two_workouts())
    sessions = await raw_sessions(first["id"])
    collection = WorkoutSession.get_motor_collection()
    for session, status in zip(
        sessions[:4], ["in-progress", "completed", "skipped", "cancelled"], strict=True
    ):
        await collection.update_one({"_id": session["_id"]}, {"$set": {"status": status}})
    kept_before = await collection.find({"_id": {"$in": [s["_id"] for s in sessions[:4]]}}).to_list(
        None
    )
    v2 = await client.put(
        f"{TEMPLATES}/{routine['id']}", json=two_workouts(), headers=trainer.headers
    )
    second = await assign(client, trainer, v2.json()["id"], client_user)
    assert second.status_code == 201
    assert second.json()["replacesAssignmentId"] == first["id"]
    old = await client.get(f"{ASSIGNMENTS}/{first['id']}", headers=trainer.headers)
    assert old.json()["status"] == "cancelled"
    remaining = await raw_sessions(first["id"])
    assert remaining == kept_before  # byte for byte, and the scheduled ones are gone
    assert len(await raw_sessions(second.json()["id"])) == 36


async def test_who_may_assign_and_read(
    client: httpx.AsyncClient,
    admin: Caller,
    trainer: Caller,
    other_trainer: Caller,
    client_user: Caller,
) -> None:
    routine = await create(client, trainer, TEMPLATES, two_workouts(isPublic=True))
    refused = await assign(client, trainer, routine["id"], client_user)
    assert refused.status_code == 403
    await link(client, admin, trainer, client_user)
    made = await assign(client, trainer, routine["id"], client_user)
    assert made.status_code == 201
    assignment_id = made.json()["id"]
    stranger = make_caller("client")
    assert (await assign(client, stranger, routine["id"], client_user)).status_code == 403
    assert (await assign(client, stranger, routine["id"], stranger)).status_code == 201
    for who, status in ((client_user, 200), (trainer, 200), (admin, 200)):
        read = await client.get(f"{ASSIGNMENTS}/{assignment_id}", headers=who.headers)
        assert read.status_code == status
    for who in (stranger, other_trainer):
        read = await client.get(f"{ASSIGNMENTS}/{assignment_id}", headers=who.headers)
        assert read.status_code == 404
    mine = await client.get(ASSIGNMENTS, headers=client_user.headers)
    assert [item["id"] for item in mine.json()["data"]] == [assignment_id]
    private = await create(client, other_trainer, TEMPLATES, two_workouts())
    unreadable = await assign(client, trainer, private["id"], client_user)
    assert first_error_field(unreadable) == "routineVersionId"


async def test_lifecycle_moves_notes_and_feedback(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    _, assignment = await linked_assignment(client, admin, trainer, client_user, two_workouts())
    path = f"{ASSIGNMENTS}/{assignment['id']}"

    async def patch(who: Caller, body: dict[str, Any]) -> httpx.Response:
        return await client.patch(path, json=body, headers=who.headers)

    assert (await patch(trainer, {"status": "paused"})).json()["status"] == "paused"
    assert (await patch(trainer, {"status": "paused"})).status_code == 200  # harmless repeat
    assert (await patch(client_user, {"status": "active"})).status_code == 403
    assert (await patch(trainer, {"status": "active"})).json()["status"] == "active"
    noted = await patch(trainer, {"notesForUser": "Go easy on week 1"})
    assert noted.json()["notesForUser"] == "Go easy on week 1"
    assert (await patch(client_user, {"notesForUser": "x"})).status_code == 403
    feedback = await patch(client_user, {"progress": {"feedback": "Loved it"}})
    assert feedback.json()["progress"]["feedback"] == "Loved it"
    assert (await patch(trainer, {"progress": {"feedback": "x"}})).status_code == 403
    cancelled = await patch(trainer, {"status": "cancelled"})
    assert cancelled.json()["status"] == "cancelled"
    assert await raw_sessions(assignment["id"]) == []
    refused = await patch(trainer, {"status": "active"})
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("invalid-transition")
    assert (await patch(trainer, {"status": "weird"})).status_code == 422


async def test_assigned_versions_can_be_archived_but_not_purged(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    routine = await create(client, trainer, TEMPLATES, two_workouts())
    await publish(client, trainer, TEMPLATES, routine["id"], two_workouts())
    assert (await assign(client, trainer, routine["id"], trainer)).status_code == 201
    await archive(client, trainer, TEMPLATES, routine["id"])
    purge = await client.delete(f"{TEMPLATES}/{routine['id']}", headers=trainer.headers)
    assert purge.status_code == 409
    chain = await client.delete(f"{TEMPLATES}/{routine['id']}/versions", headers=trainer.headers)
    assert chain.status_code == 409
    read = await client.get(f"{TEMPLATES}/{routine['id']}", headers=trainer.headers)
    assert read.status_code == 200
    again = await assign(client, trainer, routine["id"], trainer)
    assert again.status_code == 422  # an archived version is not assigned again


async def test_upgrade_moves_the_future_to_the_latest_version(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    routine, first = await linked_assignment(client, admin, trainer, client_user, two_workouts())
    sessions = await raw_sessions(first["id"])
    await WorkoutSession.get_motor_collection().update_one(
        {"_id": sessions[0]["_id"]}, {"$set": {"status": "completed"}}
    )
    done = await WorkoutSession.get_motor_collection().find_one({"_id": sessions[0]["_id"]})
    renamed = two_workouts()
    renamed["workouts"][0]["name"] = "A2"
    v2 = (
        await client.put(f"{TEMPLATES}/{routine['id']}", json=renamed, headers=trainer.headers)
    ).json()
    upgraded = await client.post(
        f"{ASSIGNMENTS}/{first['id']}/upgrade",
        json={"fromDate": "2026-12-02"},
        headers=trainer.headers,
    )
    assert upgraded.status_code == 201, upgraded.text
    new = upgraded.json()
    assert new["routineVersionId"] == v2["id"]
    assert new["replacesAssignmentId"] == first["id"]
    assert new["startDate"] == "2026-12-02" and new["endDate"] == "2027-02-23"
    future = await raw_sessions(new["id"])
    assert future[0]["scheduledDate"] == "2026-12-02"
    assert future[0]["workoutSnapshot"]["name"] == "A2"
    assert await raw_sessions(first["id"]) == [done]


async def test_concurrent_assignments_leave_one_live_and_no_orphans(
    interleaved_client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    client = interleaved_client
    routine = await create(client, trainer, TEMPLATES, two_workouts())
    await link(client, admin, trainer, client_user)
    responses = await asyncio.gather(
        *(assign(client, trainer, routine["id"], client_user) for _ in range(4))
    )
    assert [response.status_code for response in responses] == [201] * 4
    rows = (
        await RoutineAssignment.get_motor_collection()
        .find({"userId": client_user.id})
        .to_list(None)
    )
    live = [row for row in rows if row["status"] in ("active", "paused")]
    assert len(live) == 1
    scheduled = (
        await WorkoutSession.get_motor_collection()
        .find({"userId": client_user.id, "status": "scheduled"})
        .to_list(None)
    )
    assert {row["routineAssignmentId"] for row in scheduled} == {live[0]["_id"]}
    assert len(scheduled) == 36


async def test_no_library_or_template_change_reaches_a_scheduled_snapshot(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    """Sessions built from library references keep their snapshots, byte for byte, through new
    versions, archives and purges of every section, workout and template version behind them."""
    warmup, section, workout = await library_day(client, trainer, "Lib day")
    body = template_body(
        [workout["id"], {"name": "Own", "type": "strength", "sections": [section["id"]]}],
        duration=2,
    )
    routine, assignment = await linked_assignment(client, admin, trainer, client_user, body)
    before = await raw_sessions(assignment["id"])
    assert before

    async def churn(path: str, item: dict[str, Any], new_body: dict[str, Any]) -> None:
        headers = trainer.headers
        newer = await client.put(f"{path}/{item['id']}", json=new_body, headers=headers)
        assert newer.status_code == 200, newer.text
        for version in (item, newer.json()):
            archived = await client.put(f"{path}/{version['id']}/archive", headers=headers)
            assert archived.status_code == 200
        purged = await client.delete(f"{path}/{newer.json()['id']}", headers=headers)
        assert purged.status_code == 204

    await churn(SECTIONS, section, strength_section("Changed"))
    await churn(SECTIONS, warmup, warmup_section("Changed"))
    await churn(
        WORKOUTS, workout, {"name": "Changed", "type": "strength", "sections": [strength_section()]}
    )
    embedded = template_body([{"name": "X", "type": "strength", "sections": [strength_section()]}])
    replaced = await client.put(
        f"{TEMPLATES}/{routine['id']}", json=embedded, headers=trainer.headers
    )
    assert replaced.status_code == 200
    await client.put(f"{TEMPLATES}/{replaced.json()['id']}/archive", headers=trainer.headers)
    assert (
        await client.delete(f"{TEMPLATES}/{replaced.json()['id']}", headers=trainer.headers)
    ).status_code == 204
    for chain in (section, warmup, workout):
        path = SECTIONS if chain in (section, warmup) else WORKOUTS
        gone = await client.delete(f"{path}/{chain['id']}/versions", headers=trainer.headers)
        assert gone.status_code == 204
    assert await raw_sessions(assignment["id"]) == before


async def test_progress_is_recounted_and_an_assignment_completes_itself(
    client: httpx.AsyncClient, client_user: Caller, trainer: Caller
) -> None:
    routine = await create(client, trainer, TEMPLATES, short_routine(isPublic=True))
    assignment = (await assign(client, client_user, routine["id"], client_user)).json()
    first, second = await raw_sessions(assignment["id"])
    path = f"{ASSIGNMENTS}/{assignment['id']}"
    assert await move(client, client_user, first["_id"], "completed") == 200
    assert await move(client, client_user, first["_id"], "completed") == 200  # counted once
    progress = (await client.get(path, headers=client_user.headers)).json()
    assert progress["status"] == "active"
    assert progress["progress"]["completedWorkouts"] == 1
    assert progress["progress"]["totalWorkouts"] == 2
    completed_at = (await raw_sessions(assignment["id"]))[0]["completedAt"]
    assert progress["progress"]["lastWorkoutDate"].startswith(completed_at.strftime("%Y-%m-%d"))
    assert await move(client, client_user, second["_id"], "skipped") == 200
    done = (await client.get(path, headers=client_user.headers)).json()
    assert done["status"] == "completed"
    assert done["progress"]["completedWorkouts"] == 1
