"""Who may change, replace and upgrade an assignment (DOMAIN.md section 7, `assignedBy`), and the
lifecycle corners: resuming a finished assignment, reopening a session of an ended one, and a
progress count that concurrent session changes cannot roll back."""

import asyncio

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI
from pymongo.errors import DuplicateKeyError

from peakhealth.embedded import EmbeddedClient
from peakhealth.sessions.documents import WorkoutSession
from peakhealth.storage.assignments import RoutineAssignment, backfill_ended_keys, ended_key
from tests.support.actions import assign, create, link, linked_assignment, move
from tests.support.callers import Caller, make_caller
from tests.support.paths import ASSIGNMENTS, SESSIONS, TEMPLATES
from tests.support.plans import short_routine, strength_section, template_body, two_workouts
from tests.support.stored import raw_sessions, stored_assignment


async def test_upgrade_refuses_a_latest_version_the_caller_may_not_read(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller, client_user: Caller
) -> None:
    """A client and another trainer hold self-assignments of a public v1; its owner publishes a
    private v2. Upgrading onto it would hand them the private version: 409, nothing written."""
    routine = await create(client, trainer, TEMPLATES, two_workouts(isPublic=True))
    mine = (await assign(client, client_user, routine["id"], client_user)).json()
    theirs = (await assign(client, other_trainer, routine["id"], other_trainer)).json()
    private = two_workouts(isPublic=False)
    v2 = await client.put(f"{TEMPLATES}/{routine['id']}", json=private, headers=trainer.headers)
    assert v2.status_code == 200
    for who, assignment in ((client_user, mine), (other_trainer, theirs)):
        before = await raw_sessions(assignment["id"])
        refused = await client.post(
            f"{ASSIGNMENTS}/{assignment['id']}/upgrade", json={}, headers=who.headers
        )
        assert refused.status_code == 409, refused.text
        assert (await stored_assignment(assignment["id"]))["status"] == "active"
        assert await raw_sessions(assignment["id"]) == before
        unseen = await client.get(f"{TEMPLATES}/{v2.json()['id']}", headers=who.headers)
        assert unseen.status_code == 404
    assert await RoutineAssignment.get_motor_collection().count_documents({}) == 2


async def test_upgrade_needs_a_live_trainer_client_link(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    routine, assignment = await linked_assignment(
        client, admin, trainer, client_user, two_workouts()
    )
    await client.put(f"{TEMPLATES}/{routine['id']}", json=two_workouts(), headers=trainer.headers)
    ended = await client.delete(
        f"/api/trainers/{trainer.id}/clients/{client_user.id}", headers=admin.headers
    )
    assert ended.status_code == 204
    before = await raw_sessions(assignment["id"])
    refused = await client.post(
        f"{ASSIGNMENTS}/{assignment['id']}/upgrade", json={}, headers=trainer.headers
    )
    assert refused.status_code == 403, refused.text
    assert (await stored_assignment(assignment["id"]))["status"] == "active"
    assert await raw_sessions(assignment["id"]) == before
    # An admin still may, and the trainer keeps reading the new assignment.
    upgraded = await client.post(
        f"{ASSIGNMENTS}/{assignment['id']}/upgrade", json={}, headers=admin.headers
    )
    assert upgraded.status_code == 201, upgraded.text
    assert upgraded.json()["trainerId"] == trainer.id
    assert upgraded.json()["assignedBy"] == admin.id


async def test_who_may_change_and_replace_follows_assigned_by(
    client: httpx.AsyncClient,
    admin: Caller,
    trainer: Caller,
    other_trainer: Caller,
    client_user: Caller,
) -> None:
    """For assignments made by a trainer, an admin and the client themselves: who may change the
    status or notes, who may replace it by assigning the routine again (409 otherwise, with the
    live assignment and its sessions untouched), and that the client always writes feedback."""
    routine = await create(client, trainer, TEMPLATES, short_routine(isPublic=True))
    await link(client, admin, trainer, client_user)
    await link(client, admin, other_trainer, client_user)
    makers = {"trainer": trainer, "admin": admin, "client": client_user}
    callers = {**makers, "other trainer": other_trainer}
    for maker_name, maker in makers.items():
        for caller_name, caller in callers.items():
            made = await assign(client, maker, routine["id"], client_user)
            assert made.status_code == 201, made.text
            assignment = made.json()
            path = f"{ASSIGNMENTS}/{assignment['id']}"
            allowed = caller is maker or caller is admin
            case = f"{caller_name} on an assignment made by {maker_name}"
            feedback = await client.patch(
                path, json={"progress": {"feedback": "ok"}}, headers=client_user.headers
            )
            assert feedback.status_code == 200, case
            before = await raw_sessions(assignment["id"])
            again = await assign(client, caller, routine["id"], client_user)
            if allowed:
                assert again.status_code == 201, case
                assert again.json()["replacesAssignmentId"] == assignment["id"], case
                assert (await stored_assignment(assignment["id"]))["status"] == "cancelled"
                replacement = f"{ASSIGNMENTS}/{again.json()['id']}"
                done = await client.patch(
                    replacement, json={"status": "cancelled"}, headers=caller.headers
                )
                assert done.status_code == 200, case
                continue
            assert again.status_code in (403, 409), case
            if caller is not other_trainer or maker is not trainer:
                assert again.status_code == 409, case
            assert (await stored_assignment(assignment["id"]))["status"] == "active", case
            assert await raw_sessions(assignment["id"]) == before, case
            for body in ({"status": "paused"}, {"status": "cancelled"}, {"notesForUser": "x"}):
                refused = await client.patch(path, json=body, headers=caller.headers)
                assert refused.status_code in (403, 404), case
            upgrade = await client.post(f"{path}/upgrade", json={}, headers=caller.headers)
            assert upgrade.status_code in (403, 404), case
            assert (await stored_assignment(assignment["id"]))["status"] == "active", case
            # Its maker ends it before the next round.
            done = await client.patch(path, json={"status": "cancelled"}, headers=maker.headers)
            assert done.status_code == 200, case


async def test_an_admin_made_assignment_is_not_the_clients_to_cancel(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    routine = await create(client, trainer, TEMPLATES, short_routine(isPublic=True))
    made = (await assign(client, admin, routine["id"], client_user)).json()
    assert "trainerId" not in made
    path = f"{ASSIGNMENTS}/{made['id']}"
    refused = await client.patch(path, json={"status": "cancelled"}, headers=client_user.headers)
    assert refused.status_code == 403
    assert (await stored_assignment(made["id"]))["status"] == "active"
    assert len(await raw_sessions(made["id"])) == 2


async def test_a_paused_assignment_never_completes_itself_and_resuming_completes_it(
    client: httpx.AsyncClient, client_user: Caller, trainer: Caller
) -> None:
    routine = await create(client, trainer, TEMPLATES, short_routine(isPublic=True))
    assignment = (await assign(client, client_user, routine["id"], client_user)).json()
    path = f"{ASSIGNMENTS}/{assignment['id']}"
    paused = await client.patch(path, json={"status": "paused"}, headers=client_user.headers)
    assert paused.json()["status"] == "paused"
    first, second = await raw_sessions(assignment["id"])
    assert await move(client, client_user, first["_id"], "completed") == 200
    assert await move(client, client_user, second["_id"], "skipped") == 200
    still = (await client.get(path, headers=client_user.headers)).json()
    assert still["status"] == "paused"
    assert still["progress"]["completedWorkouts"] == 1
    resumed = await client.patch(path, json={"status": "active"}, headers=client_user.headers)
    assert resumed.status_code == 200
    assert resumed.json()["status"] == "completed"
    stored = await stored_assignment(assignment["id"])
    assert stored["liveKey"] != f"{client_user.id}|{assignment['parentRoutineId']}"
    # Ended, it no longer blocks a new assignment of the same routine.
    again = await assign(client, client_user, routine["id"], client_user)
    assert again.status_code == 201
    assert "replacesAssignmentId" not in again.json()


async def test_a_session_of_an_ended_assignment_is_not_scheduled_again(
    client: httpx.AsyncClient, client_user: Caller, trainer: Caller
) -> None:
    routine = await create(client, trainer, TEMPLATES, short_routine(isPublic=True))
    for ending in ("cancelled", "completed"):
        assignment = (await assign(client, client_user, routine["id"], client_user)).json()
        first, second = await raw_sessions(assignment["id"])
        assert await move(client, client_user, first["_id"], "skipped") == 200
        if ending == "cancelled":
            path = f"{ASSIGNMENTS}/{assignment['id']}"
            await client.patch(path, json={"status": "cancelled"}, headers=client_user.headers)
        else:
            assert await move(client, client_user, second["_id"], "completed") == 200
        assert (await stored_assignment(assignment["id"]))["status"] == ending
        reopened = await client.put(
            f"{SESSIONS}/{first['_id']}", json={"status": "scheduled"}, headers=client_user.headers
        )
        assert reopened.status_code == 409, ending
        stored = await WorkoutSession.get_motor_collection().find_one({"_id": first["_id"]})
        assert stored is not None and stored["status"] == "skipped"
    # While the assignment is live, un-skipping is allowed.
    live = (await assign(client, client_user, routine["id"], client_user)).json()
    first, _ = await raw_sessions(live["id"])
    assert await move(client, client_user, first["_id"], "skipped") == 200
    assert await move(client, client_user, first["_id"], "scheduled") == 200


async def test_a_session_reopened_while_its_assignment_is_cancelled_stays_skipped(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, trainer: Caller
) -> None:
    """The reopening request has seen a live assignment and stalls before its write; the
    assignment is cancelled meanwhile (its clean-up already ran). The write is undone: 409."""
    routine = await create(client, trainer, TEMPLATES, short_routine(isPublic=True))
    assignment = (await assign(client, client_user, routine["id"], client_user)).json()
    first, _ = await raw_sessions(assignment["id"])
    assert await move(client, client_user, first["_id"], "skipped") == 200
    hold = app.state.client.hold_call(1, collection="workout_sessions", name="update_one")
    reopening = asyncio.create_task(move(client, client_user, first["_id"], "scheduled"))
    await hold.reached.wait()
    path = f"{ASSIGNMENTS}/{assignment['id']}"
    cancelled = await client.patch(path, json={"status": "cancelled"}, headers=client_user.headers)
    assert cancelled.status_code == 200
    hold.release()
    assert await reopening == 409
    stored = await WorkoutSession.get_motor_collection().find_one({"_id": first["_id"]})
    assert stored is not None and stored["status"] == "skipped"


async def test_an_older_progress_count_never_overwrites_a_newer_one(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, trainer: Caller
) -> None:
    """Completing the first session counts its assignment's sessions, then stalls before
    writing the count; the second completes meanwhile and writes the newer count. The stalled
    write must not put the older count back."""
    routine = await create(client, trainer, TEMPLATES, short_routine(isPublic=True))
    assignment = (await assign(client, client_user, routine["id"], client_user)).json()
    first, second = await raw_sessions(assignment["id"])
    # The recount's first update claims its round; the second writes the count.
    hold = app.state.client.hold_call(2, collection="routine_assignments", name="update_one")
    slow = asyncio.create_task(move(client, client_user, first["_id"], "completed"))
    await hold.reached.wait()
    assert await move(client, client_user, second["_id"], "completed") == 200
    hold.release()
    assert await slow == 200
    stored = await stored_assignment(assignment["id"])
    assert stored["progress"]["completedWorkouts"] == 2
    assert stored["status"] == "completed"


async def test_concurrent_session_changes_leave_the_true_progress(
    interleaved_client: httpx.AsyncClient, trainer: Caller
) -> None:
    """Every session of a 4-day, 3-week routine completed at once, on the interleaving store:
    no slower request writes an older count over a newer one, and the assignment completes."""
    client = interleaved_client
    athlete = make_caller("client")
    body = template_body(
        [{"name": "Only", "type": "strength", "sections": [strength_section()]}],
        duration=3,
        schedule={"trainingDays": ["mon", "tue", "thu", "fri"]},
        isPublic=True,
    )
    routine = await create(client, trainer, TEMPLATES, body)
    for _ in range(3):
        made = await assign(client, athlete, routine["id"], athlete)
        assignment = made.json()
        sessions = await raw_sessions(assignment["id"])
        statuses = await asyncio.gather(
            *(move(client, athlete, session["_id"], "completed") for session in sessions)
        )
        assert statuses == [200] * len(sessions)
        stored = await stored_assignment(assignment["id"])
        assert stored["progress"]["completedWorkouts"] == len(sessions) == 12
        assert stored["status"] == "completed"


async def test_assignments_ended_before_keys_were_kept_get_one_before_the_index() -> None:
    """Assignments stored before ended ones kept a `liveKey` have none; two of one client would
    collide in the unique (userId, liveKey) index. Start-up gives each its own key first."""
    collection = EmbeddedClient()["upgrade"]["routine_assignments"]
    old = [PydanticObjectId(), PydanticObjectId()]
    rows = [{"_id": row_id, "userId": "u", "status": "cancelled"} for row_id in old]
    await collection.insert_many(rows)
    keys = [("userId", 1), ("liveKey", 1)]
    with pytest.raises(DuplicateKeyError):
        await collection.create_index(keys, unique=True)
    assert await backfill_ended_keys(collection) == 2
    assert await backfill_ended_keys(collection) == 0
    await collection.create_index(keys, unique=True)
    stored = await collection.find({}).sort("_id", 1).to_list(None)
    assert [row["liveKey"] for row in stored] == [ended_key(row_id) for row_id in old]
