"""An integrator walks `GET /api/changes` from the start while 8 writers assign routines, log
sessions and replace assignments at once (on the interleaving embedded store): its copy, built
by applying every change in order, ends equal to what the list endpoints show, with no change
missed and no tombstone missing."""

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from peakhealth.timestamps import utc_now
from tests.support.actions import assign, create, link, move
from tests.support.callers import Caller, make_caller
from tests.support.paths import ASSIGNMENTS, SESSIONS, TEMPLATES
from tests.support.plans import short_routine, two_workouts

CHANGES = "/api/changes"
WRITERS = 8


async def listed(client: httpx.AsyncClient, who: Caller, path: str, **params: Any) -> list[Any]:
    """Every item of a list endpoint, page after page."""
    items: list[Any] = []
    page = 1
    while True:
        response = await client.get(
            path, params={**params, "page": page, "limit": 100}, headers=who.headers
        )
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["data"])
        if not body["pagination"]["hasNextPage"]:
            return items
        page += 1


async def first_half(
    client: httpx.AsyncClient, trainer: Caller, who: Caller, routines: list[str]
) -> str:
    """Assign, complete the first session; the assignment's id."""
    first = await assign(client, trainer, routines[0], who)
    assert first.status_code == 201, first.text
    sessions = await listed(
        client, who, SESSIONS, routineAssignmentId=first.json()["id"], view="summary"
    )
    assert await move(client, who, sessions[0]["id"], "completed") == 200
    return str(first.json()["id"])


async def second_half(
    client: httpx.AsyncClient, trainer: Caller, who: Caller, routines: list[str], first: str
) -> None:
    """Start the second session, assign another routine, then replace the first assignment
    (its scheduled sessions go)."""
    sessions = await listed(client, who, SESSIONS, routineAssignmentId=first, view="summary")
    assert await move(client, who, sessions[1]["id"], "in-progress") == 200
    other = await assign(client, trainer, routines[1], who)
    assert other.status_code == 201, other.text
    again = await assign(client, trainer, routines[0], who)  # replaces the first
    assert again.status_code == 201, again.text


class Copy:
    """The integrator's copy: documents by (resourceType, id)."""

    def __init__(self) -> None:
        self.documents: dict[tuple[str, str], dict[str, Any]] = {}
        self.cursor: str | None = None

    async def catch_up(self, client: httpx.AsyncClient, who: Caller) -> int:
        """Read pages until an empty one; how many changes were applied."""
        applied = 0
        while True:
            params = {"limit": 37, **({"since": self.cursor} if self.cursor else {})}
            response = await client.get(CHANGES, params=params, headers=who.headers)
            assert response.status_code == 200, response.text
            body = response.json()
            self.cursor = body["nextCursor"]
            if not body["data"]:
                return applied
            for change in body["data"]:
                key = (change["resourceType"], change["id"])
                if change["deleted"]:
                    self.documents.pop(key, None)
                else:
                    self.documents[key] = change["data"]
                applied += 1

    def of(self, resource_type: str) -> dict[str, Any]:
        return {id_: data for (kind, id_), data in self.documents.items() if kind == resource_type}


async def test_a_walk_during_concurrent_writes_ends_equal_to_the_lists(
    interleaved_client: httpx.AsyncClient,
) -> None:
    client = interleaved_client
    app: FastAPI = client._transport.app  # type: ignore[attr-defined]
    admin, trainer = make_caller("admin"), make_caller("trainer")
    clients = [make_caller("client") for _ in range(WRITERS)]
    routines = [
        (await create(client, trainer, TEMPLATES, body))["id"]
        for body in (two_workouts(), short_routine(name="Short"))
    ]
    for who in clients:
        await link(client, admin, trainer, who)

    copy = Copy()

    async def walk_while(writing: Any) -> Any:
        """The walker pages while the writers write; its window is a second instead of
        CHANGES_SETTLE_SECONDS (2), so it lists changes as they settle (a write stalls for
        milliseconds at most here). Then, past the window of every write, it catches up."""
        app.state.clock = lambda: utc_now() + timedelta(seconds=1)
        done = asyncio.Event()

        async def walker() -> None:
            while not done.is_set():
                await copy.catch_up(client, trainer)

        walking = asyncio.create_task(walker())
        try:
            written = await writing
        finally:
            done.set()
            await walking
        app.state.clock = lambda: utc_now() + timedelta(minutes=1)
        await copy.catch_up(client, trainer)
        return written

    # Two halves, the walker caught up between them: the second half changes documents the
    # walker has already listed, and deletes some.
    firsts = await walk_while(
        asyncio.gather(*(first_half(client, trainer, who, routines) for who in clients))
    )
    await walk_while(
        asyncio.gather(
            *(
                second_half(client, trainer, who, routines, first)
                for who, first in zip(clients, firsts, strict=True)
            )
        )
    )

    sessions = await listed(client, trainer, SESSIONS, view="summary")
    assignments = await listed(client, trainer, ASSIGNMENTS)
    assert len(assignments) == 3 * WRITERS
    assert copy.of("session") == {item["id"]: item for item in sessions}
    assert copy.of("assignment") == {item["id"]: item for item in assignments}
    assert set(copy.of("template")) == set(routines)
    # The replaced assignments' scheduled sessions are gone from both.
    cancelled = [item for item in assignments if item["status"] == "cancelled"]
    assert len(cancelled) == WRITERS
    for item in cancelled:
        kept = [s for s in sessions if s["routineAssignmentId"] == item["id"]]
        assert {s["status"] for s in kept} == {"completed", "in-progress"}
