"""The assignment sequences (assign replacing a live assignment, cancel and clean up, upgrade),
completing a session (write, then recount), and activating a user routine, each failed at every
one of its database calls in turn: the call never runs, it runs and its answer is lost, or the
database stays away from that call on. The request answers 503 or succeeds, and after the same
request is repeated (what a client does after a 503) the state is settled: one live assignment
per routine, every scheduled session belonging to it, all its sessions written, progress
recounted, done sessions kept, no clean-up left pending.

The fault mechanism is the embedded store's (`EmbeddedClient.fail_call`)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI
from pymongo.errors import AutoReconnect

from peakhealth.embedded import EmbeddedClient
from peakhealth.routines.user_documents import UserRoutineDocument
from peakhealth.sessions.documents import WorkoutSession
from peakhealth.storage.assignments import RoutineAssignment
from peakhealth.versioning.heads import ChainHead
from tests.support.actions import assign, create, linked_assignment, move, put_session
from tests.support.callers import Caller, make_caller
from tests.support.paths import ASSIGNMENTS, TEMPLATES
from tests.support.plans import strength_section, template_body
from tests.support.stored import raw_sessions

MODES = ["never ran", "answer lost", "outage"]
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


async def expire_leases() -> None:
    """After an outage nothing released the chain lease: it is left to expire."""
    await ChainHead.get_motor_collection().update_many(
        {"leaseToken": {"$ne": None}}, {"$set": {"leaseUntil": LONG_AGO}}
    )


def routine_body(name: str = "A") -> dict[str, Any]:
    """Two workouts on mon and thu for two weeks: four sessions."""
    return template_body(
        [
            {"name": name, "type": "strength", "sections": [strength_section()]},
            {"name": "B", "type": "strength", "sections": [strength_section()]},
        ],
        duration=2,
        schedule={"trainingDays": ["mon", "thu"]},
    )


@dataclass
class Scene:
    trainer: Caller
    athlete: Caller
    routine: dict[str, Any]
    assignment: dict[str, Any]
    done: dict[str, Any]  # the stored session completed before the sequence
    next_id: str  # the session after it


async def assigned(client: httpx.AsyncClient, admin: Caller) -> Scene:
    """A trainer's client with a live assignment, its first session completed."""
    trainer, athlete = make_caller("trainer"), make_caller("client")
    routine, assignment = await linked_assignment(client, admin, trainer, athlete, routine_body())
    first, second = (await raw_sessions(assignment["id"]))[:2]
    assert await move(client, athlete, first["_id"], "completed") == 200
    stored = await WorkoutSession.get_motor_collection().find_one({"_id": first["_id"]})
    assert stored is not None
    return Scene(trainer, athlete, routine, assignment, stored, str(second["_id"]))


async def assign_again(client: httpx.AsyncClient, scene: Scene) -> httpx.Response:
    return await assign(client, scene.trainer, scene.routine["id"], scene.athlete)


async def cancel(client: httpx.AsyncClient, scene: Scene) -> httpx.Response:
    return await client.patch(
        f"{ASSIGNMENTS}/{scene.assignment['id']}",
        json={"status": "cancelled"},
        headers=scene.trainer.headers,
    )


async def upgrade(client: httpx.AsyncClient, scene: Scene) -> httpx.Response:
    return await client.post(
        f"{ASSIGNMENTS}/{scene.assignment['id']}/upgrade",
        json={"fromDate": "2026-12-07"},
        headers=scene.trainer.headers,
    )


async def with_a_new_version(client: httpx.AsyncClient, admin: Caller) -> Scene:
    scene = await assigned(client, admin)
    newer = await client.put(
        f"{TEMPLATES}/{scene.routine['id']}", json=routine_body("A2"), headers=scene.trainer.headers
    )
    assert newer.status_code == 200
    return scene


async def complete_second(client: httpx.AsyncClient, scene: Scene) -> httpx.Response:
    return await put_session(client, scene.athlete, scene.next_id, {"status": "completed"})


Setup = Callable[[httpx.AsyncClient, Caller], Awaitable[Scene]]
Step = Callable[[httpx.AsyncClient, Scene], Awaitable[httpx.Response]]
SEQUENCES: dict[str, tuple[Setup, Step, int]] = {
    "assign, replacing the live one": (assigned, assign_again, 201),
    "cancel and clean up": (assigned, cancel, 200),
    "complete a session and recount": (assigned, complete_second, 200),
}


async def settled(scene: Scene, *, live: int) -> None:
    """The client's assignments and sessions, once the repeated request has run."""
    assignments = await (
        RoutineAssignment.get_motor_collection().find({"userId": scene.athlete.id}).to_list(None)
    )
    sessions = await (
        WorkoutSession.get_motor_collection().find({"userId": scene.athlete.id}).to_list(None)
    )
    alive = [row for row in assignments if row["status"] in ("active", "paused")]
    assert len(alive) == live, assignments
    alive_ids = {row["_id"] for row in alive}
    for session in sessions:
        if session["status"] == "scheduled":
            assert session["routineAssignmentId"] in alive_ids, session
    for row in assignments:
        assert "pendingCleanup" not in row, row
        own = [s for s in sessions if s["routineAssignmentId"] == row["_id"]]
        completed = [s for s in own if s["status"] == "completed"]
        assert row["progress"]["totalWorkouts"] == len(own), row
        assert row["progress"]["completedWorkouts"] == len(completed), row
        if row["_id"] in alive_ids:
            sequences = sorted(s["sequence"] for s in own)
            assert sequences == list(range(1, len(sequences) + 1)), sequences
    kept = await WorkoutSession.get_motor_collection().find_one({"_id": scene.done["_id"]})
    assert kept == scene.done


async def nothing_half_scheduled(scene: Scene) -> None:
    """Every live assignment of the client has all the sessions it was planned with: a request
    that failed took its assignment back, or finished it once the database answered again."""
    for row in await (
        RoutineAssignment.get_motor_collection()
        .find({"userId": scene.athlete.id, "status": {"$in": ["active", "paused"]}})
        .to_list(None)
    ):
        sessions = await WorkoutSession.get_motor_collection().count_documents(
            {"userId": scene.athlete.id, "routineAssignmentId": row["_id"]}
        )
        assert sessions == row["progress"]["totalWorkouts"], row


async def calls_made(app: FastAPI, client: httpx.AsyncClient, admin: Caller, name: str) -> int:
    setup, step, success = SEQUENCES[name]
    scene = await setup(client, admin)
    store: EmbeddedClient = app.state.client
    before = store.total_calls()
    response = await step(client, scene)
    assert response.status_code == success, response.text
    return store.total_calls() - before


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(SEQUENCES))
async def test_a_sequence_failing_at_any_call_is_settled_by_repeating_it(
    app: FastAPI, client: httpx.AsyncClient, admin: Caller, name: str, mode: str
) -> None:
    setup, step, success = SEQUENCES[name]
    store: EmbeddedClient = app.state.client
    total = await calls_made(app, client, admin, name)
    assert total >= 3
    outcomes: dict[int, int] = {}
    for at in range(1, total + 1):
        scene = await setup(client, admin)
        store.fail_call(at, lost_answer=mode == "answer lost", outage=mode == "outage")
        response = await step(client, scene)
        store.heal()
        outcomes[at] = response.status_code
        assert response.status_code in (success, 503), (at, response.text)
        if mode == "outage":
            await expire_leases()
        else:  # the database answered again within the request
            await nothing_half_scheduled(scene)
        kept = await WorkoutSession.get_motor_collection().find_one({"_id": scene.done["_id"]})
        assert kept == scene.done, at
        assert (await step(client, scene)).status_code == success, at
        await settled(scene, live=0 if name == "cancel and clean up" else 1)
    assert 503 in outcomes.values(), outcomes


@pytest.mark.parametrize("mode", MODES)
async def test_an_upgrade_failing_at_any_call_leaves_one_live_assignment_or_none(
    app: FastAPI, client: httpx.AsyncClient, admin: Caller, mode: str
) -> None:
    """An upgrade cancels the old assignment before it schedules the new one: a failure after
    the cancellation leaves the client with no live assignment of the routine (the trainer
    assigns it again), never a half-scheduled one."""
    store: EmbeddedClient = app.state.client
    scene = await with_a_new_version(client, admin)
    before = store.total_calls()
    assert (await upgrade(client, scene)).status_code == 201
    total = store.total_calls() - before
    outcomes = []
    for at in range(1, total + 1):
        scene = await with_a_new_version(client, admin)
        store.fail_call(at, lost_answer=mode == "answer lost", outage=mode == "outage")
        response = await upgrade(client, scene)
        store.heal()
        outcomes.append(response.status_code)
        assert response.status_code in (201, 503), (at, response.text)
        if mode == "outage":
            await expire_leases()
        again = await upgrade(client, scene)
        if again.status_code == 409:  # the old one was cancelled: assign the routine afresh
            assert (await assign_again(client, scene)).status_code == 201
        else:
            assert again.status_code == 201, (at, again.text)
        await settled(scene, live=1)
    assert 503 in outcomes


async def test_activating_a_routine_failing_at_any_call_leaves_at_most_one_active(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    store: EmbeddedClient = app.state.client
    body = routine_body()

    async def two_routines() -> tuple[Caller, str, str]:
        who = make_caller("client")
        first = await create(client, who, "/api/routines", body)
        second = await create(client, who, "/api/routines", body)
        active = await client.post(f"/api/routines/{first['id']}/activate", headers=who.headers)
        assert active.status_code == 200, active.text
        return who, first["id"], second["id"]

    async def active_ids(who: Caller) -> list[str]:
        rows = await (
            UserRoutineDocument.get_motor_collection()
            .find({"userId": who.id, "isActive": True}, {"_id": 1})
            .to_list(None)
        )
        return [str(row["_id"]) for row in rows]

    who, _, second = await two_routines()
    before = store.total_calls()
    path = f"/api/routines/{second}/activate"
    assert (await client.post(path, headers=who.headers)).status_code == 200
    total = store.total_calls() - before
    for mode in MODES:
        for at in range(1, total + 1):
            who, _, second = await two_routines()
            path = f"/api/routines/{second}/activate"
            store.fail_call(at, lost_answer=mode == "answer lost", outage=mode == "outage")
            response = await client.post(path, headers=who.headers)
            store.heal()
            assert response.status_code in (200, 503), (mode, at, response.text)
            assert len(await active_ids(who)) <= 1
            assert (await client.post(path, headers=who.headers)).status_code == 200
            assert await active_ids(who) == [second]


async def test_a_cancellation_cut_short_is_finished_by_the_next_change(
    app: FastAPI, client: httpx.AsyncClient, admin: Caller
) -> None:
    """The cancel's first write lands (the assignment is cancelled and marked), the database
    goes away; a later change of the client's assignments by anyone finishes the clean-up."""
    scene = await assigned(client, admin)
    store: EmbeddedClient = app.state.client
    assignments = RoutineAssignment.get_motor_collection()
    # Cut the sequence after its first write: the clean-up's delete fails.
    store.fail_with(AutoReconnect("the database went away"), on={"delete_many"})
    response = await cancel(client, scene)
    store.fail_with(None)
    assert response.status_code == 503
    marked = await assignments.find_one({"_id": PydanticObjectId(scene.assignment["id"])})
    assert marked is not None and marked["status"] == "cancelled" and marked["pendingCleanup"]
    other = await create(client, scene.trainer, TEMPLATES, routine_body("Other"))
    assert (await assign(client, scene.trainer, other["id"], scene.athlete)).status_code == 201
    await settled(scene, live=1)
