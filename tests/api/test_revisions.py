"""Revisions, ETags and preconditions (DOMAIN.md section 12): every single-document answer carries
its tag, `If-None-Match` answers 304 from the revision alone, `If-Match` makes every write to one
document conditional (412 and nothing written), and system writes count as changes."""

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI

from peakhealth.config import Settings
from peakhealth.routines.user_documents import UserRoutineDocument
from peakhealth.storage.assignments import RoutineAssignment
from tests.support import serving
from tests.support.actions import create, link, put_session
from tests.support.callers import Caller, make_caller
from tests.support.paths import (
    ASSIGNMENTS,
    ROUTINES,
    SECTIONS,
    SESSIONS,
    TEMPLATES,
    WEBHOOKS,
    WORKOUTS,
)
from tests.support.plans import (
    short_routine,
    strength_section,
    user_routine_body,
    warmup_section,
)
from tests.support.stored import calls_during, raw_sessions
from tests.support.webhooks import public_dns

PRECONDITION_FAILED = "urn:peakhealth:problem:precondition-failed"


def tag(response: httpx.Response) -> str:
    value: str = response.headers["ETag"]
    return value


@dataclass
class World:
    """One of each document, made through the API: a client's own routine, a trainer's section,
    workout and template, the template assigned to the client, and its first session."""

    trainer: Caller
    client: Caller
    ids: dict[str, str]

    def who(self, role: str) -> Caller:
        return self.trainer if role == "trainer" else self.client


@pytest.fixture
async def world(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, client_user: Caller, admin: Caller
) -> World:

    app.state.resolve = public_dns
    routine = await create(client, client_user, ROUTINES, user_routine_body())
    section = await create(client, trainer, SECTIONS, strength_section())
    workout = await create(
        client, trainer, WORKOUTS, {"name": "Day", "type": "strength", "sections": [section["id"]]}
    )
    template = await create(client, trainer, TEMPLATES, short_routine(allowCopy=True))
    await link(client, admin, trainer, client_user)
    body = {"routineVersionId": template["id"], "userId": client_user.id, "startDate": "2026-11-23"}
    assignment = await create(client, trainer, ASSIGNMENTS, body)
    sessions = await raw_sessions(assignment["id"])
    hook = {"url": "https://hooks.example.com/in", "events": ["session.updated"]}
    webhook = await create(client, trainer, WEBHOOKS, hook)
    feed = await create(client, client_user, "/api/calendar-feeds", {"name": "Phone"})
    group = await create(client, trainer, "/api/groups", {"name": "6 am class"})
    joined = await client.put(
        f"/api/groups/{group['id']}/members/{client_user.id}", headers=trainer.headers
    )
    assert joined.status_code == 204, joined.text
    ids = {
        "feed": feed["id"],
        "group": group["id"],
        "member": client_user.id,
        "webhook": webhook["id"],
        "routine": routine["id"],
        "section": section["id"],
        "workout": workout["id"],
        "template": template["id"],
        "assignment": assignment["id"],
        "session": str(sessions[0]["_id"]),
    }
    return World(trainer, client_user, ids)


# ----- tags on answers -------------------------------------------------------------------------

READS = [
    ("routine", ROUTINES, "client"),
    ("section", SECTIONS, "trainer"),
    ("workout", WORKOUTS, "trainer"),
    ("template", TEMPLATES, "trainer"),
    ("assignment", ASSIGNMENTS, "trainer"),
    ("session", SESSIONS, "client"),
    ("webhook", WEBHOOKS, "trainer"),
]


@pytest.mark.parametrize(("kind", "path", "role"), READS)
async def test_a_document_starts_at_revision_1_and_answers_its_tag(
    client: httpx.AsyncClient, world: World, kind: str, path: str, role: str
) -> None:
    read = await client.get(f"{path}/{world.ids[kind]}", headers=world.who(role).headers)
    assert read.status_code == 200
    assert read.json()["revision"] == 1
    assert tag(read) == '"1"'


async def test_creates_answer_their_tag(
    client: httpx.AsyncClient, trainer: Caller, client_user: Caller
) -> None:
    made = await client.post(ROUTINES, json=user_routine_body(), headers=client_user.headers)
    assert made.status_code == 201
    assert tag(made) == '"1"' and made.json()["revision"] == 1
    made = await client.post(SECTIONS, json=warmup_section(), headers=trainer.headers)
    assert tag(made) == '"1"' and made.json()["revision"] == 1


@pytest.mark.parametrize(("kind", "path", "role"), READS)
async def test_if_none_match_with_the_current_tag_is_304_without_a_body(
    app: FastAPI, client: httpx.AsyncClient, world: World, kind: str, path: str, role: str
) -> None:
    url, headers = f"{path}/{world.ids[kind]}", world.who(role).headers
    current = tag(await client.get(url, headers=headers))
    for held in (current, f"W/{current}", "*", f'"77", {current}', f" ,W/{current},"):
        with calls_during(app.state.client) as calls:
            answer = await client.get(url, headers={**headers, "If-None-Match": held})
        assert answer.status_code == 304, held
        assert answer.content == b""
        assert tag(answer) == current
        # The revision alone, read with the reader's filter: never the document.
        assert calls == {"find_one": 1}
    stale = await client.get(url, headers={**headers, "If-None-Match": '"77"'})
    assert stale.status_code == 200
    assert tag(stale) == current and stale.json()["id"] == world.ids[kind]


async def test_if_none_match_of_an_unknown_or_unreadable_document_is_404(
    client: httpx.AsyncClient, world: World, other_trainer: Caller
) -> None:
    unknown = await client.get(
        f"{SESSIONS}/{PydanticObjectId()}", headers={**world.client.headers, "If-None-Match": "*"}
    )
    assert unknown.status_code == 404
    theirs = await client.get(
        f"{ROUTINES}/{world.ids['routine']}",
        headers={**other_trainer.headers, "If-None-Match": "*"},
    )
    assert theirs.status_code == 404


# ----- revisions count changes -----------------------------------------------------------------


async def revision(client: httpx.AsyncClient, url: str, who: Caller) -> int:
    read = await client.get(url, headers=who.headers)
    assert read.status_code == 200, read.text
    assert tag(read) == f'"{read.json()["revision"]}"'
    value: int = read.json()["revision"]
    return value


async def test_every_visible_change_of_a_user_routine_counts(
    client: httpx.AsyncClient, world: World
) -> None:
    url, who = f"{ROUTINES}/{world.ids['routine']}", world.client
    patched = await client.patch(url, json={"name": "Renamed"}, headers=who.headers)
    assert tag(patched) == '"2"' and patched.json()["revision"] == 2
    assert (await client.post(f"{url}/favorite", headers=who.headers)).status_code == 200
    assert await revision(client, url, who) == 3
    activated = await client.post(f"{url}/activate", headers=who.headers)
    assert tag(activated) == '"4"'
    replaced = await client.put(url, json=user_routine_body(), headers=who.headers)
    assert tag(replaced) == '"5"'
    # A PATCH that changes nothing writes nothing: the tag stays.
    same = await client.patch(url, json={}, headers=who.headers)
    assert tag(same) == '"5"'


async def test_a_session_completion_counts_on_the_session_and_on_its_assignment(
    client: httpx.AsyncClient, world: World
) -> None:
    session_url = f"{SESSIONS}/{world.ids['session']}"
    assignment_url = f"{ASSIGNMENTS}/{world.ids['assignment']}"
    before = await revision(client, assignment_url, world.trainer)
    started = await put_session(client, world.client, world.ids["session"], {"status": "completed"})
    assert started.status_code == 200, started.text
    assert tag(started) == '"2"' and started.json()["revision"] == 2
    assert await revision(client, session_url, world.client) == 2
    # The recount of the assignment's progress is a system write: one change, one revision.
    assert await revision(client, assignment_url, world.trainer) == before + 1
    # The same PUT again changes nothing, and the recount it repeats finds nothing new.
    again = await put_session(client, world.client, world.ids["session"], {"status": "completed"})
    assert tag(again) == '"2"'
    assert await revision(client, assignment_url, world.trainer) == before + 1


async def test_an_assignment_patch_counts(client: httpx.AsyncClient, world: World) -> None:
    url = f"{ASSIGNMENTS}/{world.ids['assignment']}"
    patched = await client.patch(url, json={"notesForUser": "Slow"}, headers=world.trainer.headers)
    assert tag(patched) == '"2"' and patched.json()["revision"] == 2
    paused = await client.patch(url, json={"status": "paused"}, headers=world.trainer.headers)
    assert tag(paused) == '"3"'


async def test_a_versions_revision_counts_its_lifecycle(
    client: httpx.AsyncClient, world: World
) -> None:
    url, who = f"{SECTIONS}/{world.ids['section']}", world.trainer
    published = await client.put(url, json=strength_section("v2"), headers=who.headers)
    assert published.status_code == 200
    assert tag(published) == '"1"' and published.json()["revision"] == 1  # new, and latest
    assert await revision(client, url, who) == 2  # v1 is no longer latest
    v2 = f"{SECTIONS}/{published.json()['id']}"
    assert (await client.put(f"{v2}/archive", headers=who.headers)).status_code == 200
    assert await revision(client, v2, who) == 2
    assert await revision(client, url, who) == 3  # latest again
    assert (await client.put(f"{v2}/unarchive", headers=who.headers)).status_code == 200
    # Two writes, two changes a reader sees: no longer archived, then latest again.
    assert await revision(client, v2, who) == 4
    assert await revision(client, url, who) == 4


# ----- If-Match on every write to one document -------------------------------------------------

# (method, path, role, body): every route with a path parameter and a method other than GET.
WRITES: list[tuple[str, str, str, Any]] = [
    ("PUT", "/api/routines/{routine}", "client", user_routine_body()),
    ("PATCH", "/api/routines/{routine}", "client", {"name": "Mine"}),
    ("DELETE", "/api/routines/{routine}", "client", None),
    ("POST", "/api/routines/{routine}/favorite", "client", None),
    ("POST", "/api/routines/{routine}/activate", "client", None),
    ("PATCH", "/api/routine-assignments/{assignment}", "trainer", {"status": "cancelled"}),
    ("PATCH", "/api/routine-assignments/{assignment}", "trainer", {"notesForUser": "x"}),
    ("POST", "/api/routine-assignments/{assignment}/upgrade", "trainer", {}),
    ("PUT", "/api/workout-sessions/{session}", "client", {"status": "completed"}),
    ("PUT", "/api/templates/routines/{template}", "trainer", short_routine()),
    ("PUT", "/api/templates/routines/{template}/archive", "trainer", None),
    ("PUT", "/api/templates/routines/{template}/unarchive", "trainer", None),
    ("DELETE", "/api/templates/routines/{template}", "trainer", None),
    ("DELETE", "/api/templates/routines/{template}/versions", "trainer", None),
    ("POST", "/api/templates/routines/{template}/copy", "trainer", None),
    ("PATCH", "/api/webhooks/{webhook}", "trainer", {"enabled": False}),
    ("DELETE", "/api/webhooks/{webhook}", "trainer", None),
    ("POST", "/api/webhooks/{webhook}/rotate-secret", "trainer", None),
    ("POST", "/api/webhooks/{webhook}/test", "trainer", None),
    ("PUT", "/api/users/me/equipment", "client", {"equipment": ["dumbbell"]}),
    ("DELETE", "/api/calendar-feeds/{feed}", "client", None),
    ("POST", "/api/calendar-feeds/{feed}/rotate", "client", None),
    ("PATCH", "/api/groups/{group}", "trainer", {"name": "7 am class"}),
    ("DELETE", "/api/groups/{group}", "trainer", None),
    ("PUT", "/api/groups/{group}/members/{member}", "trainer", None),
    ("DELETE", "/api/groups/{group}/members/{member}", "trainer", None),
] + [
    (method, f"{path}/{{{kind}}}{suffix}", "trainer", body)
    for kind, path, body in [
        ("section", SECTIONS, strength_section()),
        ("workout", WORKOUTS, {"name": "Day", "type": "strength", "sections": [warmup_section()]}),
    ]
    for method, suffix in [
        ("PUT", ""),
        ("PUT", "/archive"),
        ("PUT", "/unarchive"),
        ("DELETE", ""),
        ("DELETE", "/versions"),
        ("POST", "/copy"),
    ]
]


def _document_of(path: str, world: World) -> str:
    """The GET path of the document a write's path (a template) names."""
    if "{" not in path:  # the caller's own (`/api/users/me/equipment`)
        return path
    parts = path.split("/")
    named = next(index for index, part in enumerate(parts) if part.startswith("{"))
    return "/".join(parts[: named + 1]).format_map(world.ids)


async def everything(app: FastAPI) -> dict[str, list[dict[str, Any]]]:
    """Every stored document of every collection."""
    database = RoutineAssignment.get_motor_collection().database
    names = sorted(await database.list_collection_names())
    return {name: await database[name].find().sort("_id", 1).to_list(None) for name in names}


def test_the_table_names_every_write_to_one_document(app: FastAPI) -> None:
    documented = {
        (method.upper(), re.sub(r"\{\w+\}", "{id}", path))
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
        if method != "get"
        and any(
            p["in"] == "header" and p["name"] == "If-Match" for p in operation.get("parameters", [])
        )
    }
    assert documented == {
        (method, re.sub(r"\{\w+\}", "{id}", path)) for method, path, _, _ in WRITES
    }
    every = {
        (method.upper(), re.sub(r"\{\w+\}", "{id}", path))
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method != "get" and "{" in path
    }
    # The trainer-client links are no documents: they have no revision. A metric is recorded
    # as a new document under its user (the path names the user, not a document to change).
    assert every - documented == {
        ("PUT", "/api/trainers/{id}/clients/{id}"),
        ("DELETE", "/api/trainers/{id}/clients/{id}"),
        ("POST", "/api/users/{id}/metrics"),
    }


def _write_id(method: str, path: str, body: Any) -> str:
    return f"{method} {path}{' ' + str(sorted(body)) if isinstance(body, dict) else ''}"


@pytest.mark.parametrize(
    ("method", "path", "role", "body"), WRITES, ids=[_write_id(m, p, b) for m, p, _, b in WRITES]
)
async def test_a_write_with_a_tag_that_is_not_current_is_412_and_writes_nothing(
    app: FastAPI,
    client: httpx.AsyncClient,
    world: World,
    method: str,
    path: str,
    role: str,
    body: Any,
) -> None:
    url = path.format_map(world.ids)
    who = world.who(role)
    current = tag(await client.get(_document_of(path, world), headers=who.headers))
    before = await everything(app)
    for held in ('"999"', f"W/{current}", '"998", "997"'):
        answer = await client.request(
            method, url, json=body, headers={**who.headers, "If-Match": held}
        )
        assert answer.status_code == 412, (held, answer.text)
        assert answer.json()["type"] == PRECONDITION_FAILED
        assert await everything(app) == before


# Template versions are assigned in the world, so they cannot be purged (409 after the check).
GOES_AHEAD = [write for write in WRITES if not (write[0] == "DELETE" and "{template}" in write[1])]


@pytest.mark.parametrize(
    ("method", "path", "role", "body"),
    GOES_AHEAD,
    ids=[_write_id(m, p, b) for m, p, _, b in GOES_AHEAD],
)
async def test_a_write_with_the_current_tag_goes_ahead(
    client: httpx.AsyncClient, world: World, method: str, path: str, role: str, body: Any
) -> None:
    url = path.format_map(world.ids)
    who = world.who(role)
    document = _document_of(path, world)
    chain = not any(
        kind in path
        for kind in ("{routine}", "{assignment}", "{session}", "{webhook}", "{feed}", "{group}")
    ) and path.startswith(("/api/library", "/api/templates"))
    if url.endswith("/unarchive") or (method == "DELETE" and chain and "/versions" not in url):
        archived = await client.put(f"{document}/archive", headers=who.headers)
        assert archived.status_code == 200, archived.text
    current = tag(await client.get(document, headers=who.headers))
    answer = await client.request(
        method, url, json=body, headers={**who.headers, "If-Match": f'"998", {current}'}
    )
    assert answer.is_success, answer.text


async def test_star_matches_any_existing_document_and_a_missing_one_is_404(
    client: httpx.AsyncClient, world: World
) -> None:
    url, who = f"{ROUTINES}/{world.ids['routine']}", world.client
    answer = await client.patch(url, json={"name": "A"}, headers={**who.headers, "If-Match": "*"})
    assert answer.status_code == 200
    gone = await client.patch(
        f"{ROUTINES}/{PydanticObjectId()}",
        json={"name": "A"},
        headers={**who.headers, "If-Match": "*"},
    )
    assert gone.status_code == 404


@pytest.mark.parametrize("header", ["If-Match", "If-None-Match"])
@pytest.mark.parametrize("value", ["3", '"3', "W/3", 'garbage"3"', '"3" "4"', '*, "3"'])
async def test_a_malformed_condition_is_422_naming_the_header(
    client: httpx.AsyncClient, world: World, header: str, value: str
) -> None:
    url, who = f"{ROUTINES}/{world.ids['routine']}", world.client
    if header == "If-Match":
        answer = await client.patch(url, json={"name": "X"}, headers={**who.headers, header: value})
    else:
        answer = await client.get(url, headers={**who.headers, header: value})
    assert answer.status_code == 422, answer.text
    assert [error["field"] for error in answer.json()["errors"]] == [header]
    assert (await client.get(url, headers=who.headers)).json()["name"] == "My plan"


# ----- documents stored before revisions -------------------------------------------------------


async def test_a_document_stored_before_revisions_reads_0_and_its_first_change_makes_1(
    client: httpx.AsyncClient, world: World
) -> None:
    routines = UserRoutineDocument.get_motor_collection()
    routine_id = PydanticObjectId(world.ids["routine"])
    await routines.update_one({"_id": routine_id}, {"$unset": {"revision": ""}})
    assignments = RoutineAssignment.get_motor_collection()
    await assignments.update_one(
        {"_id": PydanticObjectId(world.ids["assignment"])}, {"$unset": {"revision": ""}}
    )
    url, who = f"{ROUTINES}/{world.ids['routine']}", world.client
    read = await client.get(url, headers=who.headers)
    assert tag(read) == '"0"' and read.json()["revision"] == 0
    not_modified = await client.get(url, headers={**who.headers, "If-None-Match": '"0"'})
    assert not_modified.status_code == 304
    stale = await client.patch(url, json={"name": "B"}, headers={**who.headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    changed = await client.patch(
        url, json={"name": "B"}, headers={**who.headers, "If-Match": '"0"'}
    )
    assert changed.status_code == 200 and tag(changed) == '"1"'
    assignment_url = f"{ASSIGNMENTS}/{world.ids['assignment']}"
    assert await revision(client, assignment_url, world.trainer) == 0
    patched = await client.patch(
        assignment_url,
        json={"notesForUser": "n"},
        headers={**world.trainer.headers, "If-Match": '"0"'},
    )
    assert patched.status_code == 200 and tag(patched) == '"1"'


async def test_a_browser_on_a_configured_origin_may_send_conditions_and_read_the_tag() -> None:
    settings = Settings(_env_file=None, cors_origins="https://app.example.com")  # type: ignore[call-arg]
    origin = {"Origin": "https://app.example.com"}
    async with serving(settings) as http:
        preflight = await http.options(
            f"{ROUTINES}/{PydanticObjectId()}",
            headers={
                **origin,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization, if-match",
            },
        )
        assert preflight.status_code == 200, preflight.text
        assert "if-match" in preflight.headers["access-control-allow-headers"].lower()
        owner = make_caller("client")
        made = await http.post(
            ROUTINES, json=user_routine_body(), headers={**owner.headers, **origin}
        )
    assert made.status_code == 201
    assert "etag" in made.headers["access-control-expose-headers"].lower()
