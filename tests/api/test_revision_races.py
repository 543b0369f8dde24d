"""Two tabs editing one document with the same tag, on the interleaving embedded store: the first
writer's write is held until the second has read and written, so both pass every check made
before the write; the condition inside the write decides. Exactly one 200, one 412, and the
stored document is the winner's."""

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from peakhealth.config import Settings
from tests.support.actions import create, link
from tests.support.callers import Caller
from tests.support.paths import ASSIGNMENTS, ROUTINES, SECTIONS, SESSIONS, TEMPLATES
from tests.support.plans import short_routine, strength_day, strength_section, user_routine_body


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None, embedded_interleave=True)  # type: ignore[call-arg]


@pytest.fixture
async def assignment(
    client: httpx.AsyncClient, trainer: Caller, client_user: Caller, admin: Caller
) -> dict[str, Any]:
    """A short routine the trainer assigned to their client."""
    template = await create(client, trainer, TEMPLATES, short_routine())
    await link(client, admin, trainer, client_user)
    body = {"routineVersionId": template["id"], "userId": client_user.id, "startDate": "2026-11-23"}
    created: dict[str, Any] = await create(client, trainer, ASSIGNMENTS, body)
    return created


async def race(
    app: FastAPI,
    first: Any,
    second: Any,
    *,
    collection: str,
    write: str,
) -> tuple[httpx.Response, httpx.Response]:
    """Two writers with the same tag: run `first` until its write to `collection` (`write`) is
    about to run, hold it there, run `second` to its end, then let `first` finish. The held one
    loses (412) and the other wins (200); returns both answers, the loser's first."""
    held = app.state.client.hold_call(1, collection=collection, name=write)
    first_task = asyncio.ensure_future(first)
    await held.reached.wait()
    second_answer = await second
    held.release()
    first_answer = await first_task
    app.state.client.heal()
    statuses = (first_answer.status_code, second_answer.status_code)
    assert statuses == (412, 200), (first_answer.text, second_answer.text)
    return first_answer, second_answer


def assert_stored_is(stored: httpx.Response, winner: httpx.Response) -> None:
    """The document read after the race is the winner's, at the revision after the one both
    writers named."""
    assert stored.json() == winner.json()
    assert stored.headers["ETag"] == winner.headers["ETag"] == '"2"'


async def two_tabs_set(
    app: FastAPI,
    client: httpx.AsyncClient,
    who: Caller,
    url: str,
    method: str,
    field: str,
    *,
    tag: str,
    collection: str,
    write: str,
) -> None:
    """`who` sets `field` of the document at `url` from two tabs with the same tag, to "Tab 1"
    (held at its write) and to "Tab 2": the second wins, and is what is stored."""
    headers = {**who.headers, "If-Match": tag}
    _, second = await race(
        app,
        client.request(method, url, json={field: "Tab 1"}, headers=headers),
        client.request(method, url, json={field: "Tab 2"}, headers=headers),
        collection=collection,
        write=write,
    )
    stored = await client.get(url, headers=who.headers)
    assert_stored_is(stored, second)
    assert stored.json()[field] == "Tab 2"


async def test_two_tabs_put_and_patch_one_user_routine_with_the_same_tag(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    routine = await create(client, client_user, ROUTINES, user_routine_body())
    url = f"{ROUTINES}/{routine['id']}"
    read = await client.get(url, headers=client_user.headers)
    headers = {**client_user.headers, "If-Match": read.headers["ETag"]}
    replacement = user_routine_body([strength_day("Day A"), strength_day("Day B")], name="Tab 1")
    put, patch = await race(
        app,
        client.put(url, json=replacement, headers=headers),
        client.patch(url, json={"name": "Tab 2"}, headers=headers),
        collection="routines",
        write="find_one_and_update",
    )
    assert put.json()["type"] == "urn:peakhealth:problem:precondition-failed"
    stored = await client.get(url, headers=client_user.headers)
    assert_stored_is(stored, patch)  # its write ran while the PUT's was held
    assert stored.json()["name"] == "Tab 2" and len(stored.json()["workouts"]) == 1


async def test_two_trainer_tabs_patch_one_assignment_with_the_same_tag(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, assignment: dict[str, Any]
) -> None:
    url = f"{ASSIGNMENTS}/{assignment['id']}"
    read = await client.get(url, headers=trainer.headers)
    await two_tabs_set(
        app,
        client,
        trainer,
        url,
        "PATCH",
        "notesForUser",
        tag=read.headers["ETag"],
        collection="routine_assignments",
        write="update_one",
    )


async def test_two_tabs_cancel_and_pause_one_assignment_with_the_same_tag(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, assignment: dict[str, Any]
) -> None:
    """A status move is the first write: its filter carries the condition, and the loser's
    clean-up never runs (the scheduled sessions stay)."""
    url = f"{ASSIGNMENTS}/{assignment['id']}"
    headers = {**trainer.headers, "If-Match": '"1"'}
    _, pause = await race(
        app,
        client.patch(url, json={"status": "cancelled"}, headers=headers),
        client.patch(url, json={"status": "paused"}, headers=headers),
        collection="routine_assignments",
        write="update_one",
    )
    stored = await client.get(url, headers=trainer.headers)
    assert stored.json()["status"] == "paused"
    assert stored.json() == pause.json()
    calendar = await client.get(
        f"{SESSIONS}?routineAssignmentId={assignment['id']}&view=summary",
        headers=trainer.headers,
    )
    assert calendar.json()["pagination"]["totalItems"] == 2  # nothing of the cancel was written


async def test_two_tabs_log_one_session_with_the_same_tag(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, assignment: dict[str, Any]
) -> None:
    calendar = await client.get(
        f"{SESSIONS}?routineAssignmentId={assignment['id']}&view=summary",
        headers=client_user.headers,
    )
    url = f"{SESSIONS}/{calendar.json()['data'][0]['id']}"
    await two_tabs_set(
        app,
        client,
        client_user,
        url,
        "PUT",
        "notes",
        tag='"1"',
        collection="workout_sessions",
        write="update_one",
    )


async def test_an_archive_and_a_publish_from_one_version_with_the_same_tag(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller
) -> None:
    """The archive is held as it asks for the chain's lease, past the check of the version as
    loaded; the publish makes the version no longer latest meanwhile. The archive's write holds
    the revision in its filter: 412, and the version stays unarchived."""
    section = await create(client, trainer, SECTIONS, strength_section())
    url = f"{SECTIONS}/{section['id']}"
    headers = {**trainer.headers, "If-Match": '"1"'}
    await race(
        app,
        client.put(f"{url}/archive", headers=headers),
        client.put(url, json=strength_section("v2"), headers=headers),
        collection="chain_heads",
        write="find_one_and_update",
    )
    stored = await client.get(url, headers=trainer.headers)
    assert stored.json()["isArchived"] is False and stored.json()["isLatest"] is False
    assert stored.headers["ETag"] == '"2"'


async def test_two_publishes_from_one_version_with_the_same_tag(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller
) -> None:
    """Both pass the check of the version as loaded; the one held at the lease finds, under
    it, that the version is no longer at that revision: 412, and one new version only."""
    section = await create(client, trainer, SECTIONS, strength_section())
    url = f"{SECTIONS}/{section['id']}"
    headers = {**trainer.headers, "If-Match": '"1"'}
    await race(
        app,
        client.put(url, json=strength_section("Tab 1"), headers=headers),
        client.put(url, json=strength_section("Tab 2"), headers=headers),
        collection="chain_heads",
        write="find_one_and_update",
    )
    versions = await client.get(f"{url}/versions", headers=trainer.headers)
    assert [item["name"] for item in versions.json()["data"]] == ["Tab 2", "Main lifts"]
