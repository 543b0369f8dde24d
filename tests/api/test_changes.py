"""`GET /api/changes`: what each caller sees (the read rules), tombstones, the cursor, the settle
window (with the feed's clock moved, never slept through) and the cost of a page."""

import asyncio
from datetime import UTC, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from peakhealth.timestamps import utc_now
from tests.support.actions import assign, create, linked_assignment, move
from tests.support.callers import Caller, make_caller
from tests.support.paths import ROUTINES, SECTIONS, SESSIONS
from tests.support.plans import strength_section, two_workouts, user_routine_body
from tests.support.problems import assert_problem
from tests.support.stored import calls_during, raw_user_routine

CHANGES = "/api/changes"


def settled(app: FastAPI) -> None:
    """Move the feed's clock past the settle window of everything written so far."""
    app.state.clock = lambda: utc_now() + timedelta(minutes=1)


async def walk(
    client: httpx.AsyncClient, who: Caller, since: str | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], str]:
    """Every page from `since` until an empty one: the changes in order and the last cursor."""
    seen: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": limit}
        if since is not None:
            params["since"] = since
        response = await client.get(CHANGES, params=params, headers=who.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        if not body["data"]:
            assert since is None or body["nextCursor"] == since
            return seen, body["nextCursor"]
        seen.extend(body["data"])
        since = body["nextCursor"]


def kinds(changes: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    return [(change["resourceType"], change["deleted"]) for change in changes]


async def sessions_of(client: httpx.AsyncClient, who: Caller, assignment_id: str) -> list[Any]:
    response = await client.get(
        SESSIONS,
        params={"routineAssignmentId": assignment_id, "view": "summary", "limit": 100},
        headers=who.headers,
    )
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


async def test_a_client_follows_their_assignment_its_sessions_and_the_replacement(
    app: FastAPI,
    client: httpx.AsyncClient,
    admin: Caller,
    trainer: Caller,
    client_user: Caller,
) -> None:
    routine, assignment = await linked_assignment(
        client, admin, trainer, client_user, two_workouts()
    )
    settled(app)
    changes, cursor = await walk(client, client_user)
    scheduled = await sessions_of(client, client_user, assignment["id"])
    assert kinds(changes).count(("session", False)) == len(scheduled) > 0
    assert ("assignment", False) in kinds(changes) and ("template", False) in kinds(changes)
    order = [(c["changedAt"], c["resourceType"], c["id"]) for c in changes]
    assert order == sorted(order)
    listed = next(c for c in changes if c["resourceType"] == "assignment")
    assert listed["data"]["id"] == assignment["id"] and listed["revision"] >= 1
    session = next(c for c in changes if c["resourceType"] == "session")
    assert session["data"] == next(s for s in scheduled if s["id"] == session["id"])

    # Completing a session: the session changes again (and the assignment's progress).
    assert await move(client, client_user, session["id"], "completed") == 200
    later, cursor = await walk(client, client_user, cursor)
    assert ("session", False) in kinds(later) and ("assignment", False) in kinds(later)
    assert next(c for c in later if c["id"] == session["id"])["data"]["status"] == "completed"

    # Replacing the assignment deletes its scheduled sessions: each leaves a tombstone.
    replaced = await assign(client, trainer, routine["id"], client_user)
    assert replaced.status_code == 201, replaced.text
    later, cursor = await walk(client, client_user, cursor)
    deleted = {c["id"] for c in later if c["deleted"]}
    assert deleted == {s["id"] for s in scheduled if s["id"] != session["id"]}
    assert all("data" not in c for c in later if c["deleted"])


async def test_each_caller_sees_only_what_they_may_read(
    app: FastAPI,
    client: httpx.AsyncClient,
    admin: Caller,
    trainer: Caller,
    other_trainer: Caller,
    client_user: Caller,
) -> None:
    other_client = make_caller("client")
    routine, assignment = await linked_assignment(
        client, admin, trainer, client_user, two_workouts()
    )
    # The client's own user routine, deleted again: a tombstone only they may see.
    own = await create(client, client_user, ROUTINES, user_routine_body())
    gone = await create(client, client_user, ROUTINES, user_routine_body(name="Gone"))
    assert (
        await client.delete(f"{ROUTINES}/{gone['id']}", headers=client_user.headers)
    ).status_code == 204
    # The other trainer's library section, public: readable by all, followed by its creator.
    section = await create(
        client, other_trainer, SECTIONS, {**strength_section(), "isPublic": True}
    )
    replaced = await assign(client, trainer, routine["id"], client_user)  # tombstones
    assert replaced.status_code == 201
    settled(app)

    mine, _ = await walk(client, client_user)
    ids = {c["id"] for c in mine}
    assert {own["id"], gone["id"], assignment["id"], routine["id"]} <= ids
    assert section["id"] not in ids
    assert any(c["deleted"] for c in mine if c["resourceType"] == "session")

    theirs, _ = await walk(client, other_client)
    assert theirs == []

    trainers, _ = await walk(client, trainer)
    trainer_ids = {c["id"] for c in trainers}
    assert {assignment["id"], routine["id"]} <= trainer_ids
    assert own["id"] not in trainer_ids and gone["id"] not in trainer_ids  # user routines
    assert section["id"] not in trainer_ids
    assert any(c["deleted"] for c in trainers if c["resourceType"] == "session")
    # What the trainer's lists show of the same sessions.
    listed = {s["id"] for s in await sessions_of(client, trainer, replaced.json()["id"])}
    assert listed <= trainer_ids

    others, _ = await walk(client, other_trainer)
    assert {c["id"] for c in others} == {section["id"]}

    everything, _ = await walk(client, admin)
    admin_ids = {c["id"] for c in everything}
    assert {assignment["id"], routine["id"], section["id"]} <= admin_ids
    assert own["id"] not in admin_ids  # a user routine is its owner's alone


async def test_only_settled_changes_are_listed(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    """With the real clock, a change made just now is inside the settle window: not listed
    yet, and the cursor stays where it was."""
    await create(client, client_user, ROUTINES, user_routine_body())
    response = await client.get(CHANGES, headers=client_user.headers)
    assert response.status_code == 200
    first = response.json()
    assert first["data"] == []
    again = await client.get(
        CHANGES, params={"since": first["nextCursor"]}, headers=client_user.headers
    )
    assert again.json() == first
    settled(app)
    changes, _ = await walk(client, client_user, first["nextCursor"])
    assert kinds(changes) == [("routine", False)]


@pytest.mark.parametrize(
    "since",
    [
        "not-a-cursor",
        "e30",  # {}
        "eyJ2IjoyLCJ0IjowLCJyIjoiIiwiaSI6IiJ9",  # version 2
        "eyJ2IjoxLCJ0IjotMSwiciI6IiIsImkiOiIifQ",  # a negative time
        "eyJ2IjoxLCJ0IjoxLCJyIjoic2Vzc2lvbiIsImkiOiJ4In0",  # an id that is not one
        "x" * 300,
        "é",
    ],
)
async def test_a_bad_cursor_is_422_naming_since(
    client: httpx.AsyncClient, client_user: Caller, since: str
) -> None:
    response = await client.get(CHANGES, params={"since": since}, headers=client_user.headers)
    assert_problem(response, "since")


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
async def test_limit_is_1_to_100(
    client: httpx.AsyncClient, client_user: Caller, limit: str
) -> None:
    response = await client.get(CHANGES, params={"limit": limit}, headers=client_user.headers)
    assert_problem(response, "limit")


async def test_pages_are_as_long_as_the_limit(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    for index in range(5):
        await create(client, client_user, ROUTINES, user_routine_body(name=f"R{index}"))
    settled(app)
    response = await client.get(CHANGES, params={"limit": 2}, headers=client_user.headers)
    assert len(response.json()["data"]) == 2
    rest, _ = await walk(client, client_user, response.json()["nextCursor"], limit=1)
    assert len(rest) == 3


async def test_a_page_costs_the_same_calls_whatever_the_collections_hold(
    app: FastAPI,
    client: httpx.AsyncClient,
    admin: Caller,
    trainer: Caller,
    client_user: Caller,
) -> None:
    """One query per covered collection (six), one of tombstones, one of the client's assigned
    versions and one of the sessions whose tombstones are on the page (still there?), however
    many documents there are (the embedded store counts every call)."""
    routine, _ = await linked_assignment(client, admin, trainer, client_user, two_workouts())
    assert (await assign(client, trainer, routine["id"], client_user)).status_code == 201
    settled(app)

    async def cost() -> int:
        with calls_during(app.state.client) as made:
            response = await client.get(CHANGES, params={"limit": 100}, headers=client_user.headers)
        assert response.status_code == 200 and response.json()["data"]
        return sum(made.values())

    # The caller's unit system is read from their profile once, then kept (http/units.py).
    assert (await client.get("/api/users/me", headers=client_user.headers)).status_code == 200
    small = await cost()
    for _ in range(3):  # more assignments, sessions, tombstones and routines
        assert (await assign(client, trainer, routine["id"], client_user)).status_code == 201
        await create(client, client_user, ROUTINES, user_routine_body())
    assert await cost() == small <= 9


async def test_a_change_committed_late_is_not_skipped(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    """A writer stamps its routine, then stalls before the write lands (held); a second routine
    is stamped and written after it. A walker reading meanwhile, its clock just past the second
    stamp, sees neither (both are inside the settle window), so its cursor does not pass the
    first stamp; once the first write lands and the window has passed, the walk lists both."""
    held = app.state.client.hold_call(1, collection="routines", name="insert_one")
    late = asyncio.create_task(
        client.post(ROUTINES, json=user_routine_body(name="Late"), headers=client_user.headers)
    )
    await held.reached.wait()
    prompt = await create(client, client_user, ROUTINES, user_routine_body(name="Prompt"))
    stored = await raw_user_routine(prompt["id"])
    assert stored is not None
    just_after = stored["changedAt"].replace(tzinfo=UTC) + timedelta(milliseconds=1)
    app.state.clock = lambda: just_after
    early, cursor = await walk(client, client_user)
    held.release()
    written = await late
    assert written.status_code == 201
    settled(app)
    later, _ = await walk(client, client_user, cursor)
    assert [c["id"] for c in early + later][-2:] == [written.json()["id"], prompt["id"]]
    assert early == []
