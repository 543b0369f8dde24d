"""Guards of the version chains that nothing else pins down: listing filters (`createdBy=me`,
`includeArchived`, explore's `search`, `difficulty`, `templateType`), archived versions hidden from
non-owners, owner-only changes, `copiedFrom` carried along a fork, and 413 for streamed bodies."""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from peakhealth.config import Settings
from tests.support import serving
from tests.support.actions import archive, create
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, TEMPLATES, WORKOUTS
from tests.support.plans import strength_section, template_body


def section_body(name: str = "Main lifts", **extra: Any) -> dict[str, Any]:
    return strength_section(name, **extra)


def workout_body(name: str = "Day A", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "strength", "sections": [strength_section()], **extra}


def routine_body(name: str = "Strength block", **extra: Any) -> dict[str, Any]:
    day = {"name": "Day", "type": "strength", "sections": [strength_section()]}
    return template_body([day], name=name, **extra)


BODIES = {SECTIONS: section_body, WORKOUTS: workout_body, TEMPLATES: routine_body}
LIBRARY = [SECTIONS, WORKOUTS]
ALL_KINDS = [SECTIONS, WORKOUTS, TEMPLATES]


async def ids_of(client: httpx.AsyncClient, who: Caller, url: str) -> list[str]:
    response = await client.get(url, headers=who.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


# ----- library listings: createdBy=me, includeArchived -----------------------------------------


@pytest.mark.parametrize("path", LIBRARY)
async def test_created_by_me_lists_only_the_callers_chains(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller, path: str
) -> None:
    body = BODIES[path]
    private = await create(client, trainer, path, body("Mine, private"))
    public = await create(client, trainer, path, body("Mine, public", isPublic=True))
    theirs = await create(client, other_trainer, path, body("Theirs, public", isPublic=True))

    everything = await ids_of(client, trainer, path)
    assert set(everything) == {private["id"], public["id"], theirs["id"]}
    mine = await ids_of(client, trainer, f"{path}?createdBy=me")
    assert set(mine) == {private["id"], public["id"]}
    # the other trainer's own view: their chain only, not the public one of the trainer
    assert await ids_of(client, other_trainer, f"{path}?createdBy=me") == [theirs["id"]]


@pytest.mark.parametrize("path", LIBRARY)
async def test_include_archived_adds_only_own_archived_versions(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller, path: str
) -> None:
    body = BODIES[path]
    live = await create(client, trainer, path, body("Mine, live"))
    shelved = await create(client, trainer, path, body("Mine, archived"))
    await archive(client, trainer, path, shelved["id"])
    theirs = await create(client, other_trainer, path, body("Theirs, live", isPublic=True))
    their_public = await create(client, other_trainer, path, body("Theirs, gone", isPublic=True))
    their_private = await create(client, other_trainer, path, body("Theirs, hidden"))
    for doc in (their_public, their_private):
        await archive(client, other_trainer, path, doc["id"])

    plain = await ids_of(client, trainer, path)
    assert set(plain) == {live["id"], theirs["id"]}
    explicit_false = await ids_of(client, trainer, f"{path}?includeArchived=false")
    assert set(explicit_false) == {live["id"], theirs["id"]}
    with_archived = await ids_of(client, trainer, f"{path}?includeArchived=true")
    assert set(with_archived) == {live["id"], shelved["id"], theirs["id"]}
    listed = await client.get(f"{path}?includeArchived=true", headers=trainer.headers)
    flags = {item["id"]: item["isArchived"] for item in listed.json()["data"]}
    assert flags[shelved["id"]] is True
    # the other trainer sees their own archived ones, never the trainer's
    theirs_with = await ids_of(client, other_trainer, f"{path}?includeArchived=true")
    assert set(theirs_with) == {theirs["id"], their_public["id"], their_private["id"]}
    mine_only = await ids_of(client, trainer, f"{path}?includeArchived=true&createdBy=me")
    assert set(mine_only) == {live["id"], shelved["id"]}


# ----- explore filters ---------------------------------------------------------------------------


async def test_explore_search_matches_name_description_and_tags(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    by_name = await create(client, trainer, TEMPLATES, routine_body("Zebra block"))
    by_description = await create(
        client, trainer, TEMPLATES, routine_body(description="Quokka style loading")
    )
    by_tag = await create(client, trainer, TEMPLATES, routine_body(tags=["wombat"]))
    plain = await create(client, trainer, TEMPLATES, routine_body())

    assert await ids_of(client, trainer, f"{TEMPLATES}?search=zebra") == [by_name["id"]]
    assert await ids_of(client, trainer, f"{TEMPLATES}?search=QUOKKA") == [by_description["id"]]
    assert await ids_of(client, trainer, f"{TEMPLATES}?search=wombat") == [by_tag["id"]]
    assert await ids_of(client, trainer, f"{TEMPLATES}?search=platypus") == []
    every = await ids_of(client, trainer, f"{TEMPLATES}?search=block")
    assert set(every) == {by_name["id"], by_description["id"], by_tag["id"], plain["id"]}


async def test_explore_difficulty_narrows(client: httpx.AsyncClient, trainer: Caller) -> None:
    easy = await create(client, trainer, TEMPLATES, routine_body(difficulty="beginner"))
    hard = await create(client, trainer, TEMPLATES, routine_body(difficulty="advanced"))
    assert set(await ids_of(client, trainer, TEMPLATES)) == {easy["id"], hard["id"]}
    assert await ids_of(client, trainer, f"{TEMPLATES}?difficulty=beginner") == [easy["id"]]
    assert await ids_of(client, trainer, f"{TEMPLATES}?difficulty=advanced") == [hard["id"]]
    assert await ids_of(client, trainer, f"{TEMPLATES}?difficulty=intermediate") == []


async def test_explore_template_type_narrows(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller
) -> None:
    company = await create(
        client, admin, TEMPLATES, routine_body(templateType="company", isPublic=True)
    )
    coached = await create(
        client, admin, TEMPLATES, routine_body(templateType="trainer", isPublic=True)
    )
    for who in (admin, trainer):
        assert set(await ids_of(client, who, TEMPLATES)) == {company["id"], coached["id"]}
        assert await ids_of(client, who, f"{TEMPLATES}?templateType=company") == [company["id"]]
        assert await ids_of(client, who, f"{TEMPLATES}?templateType=trainer") == [coached["id"]]


# ----- versions of a chain: archived ones for the owner and admins only -------------------------


@pytest.mark.parametrize("path", ALL_KINDS)
async def test_versions_hide_archived_from_non_owners(
    client: httpx.AsyncClient,
    trainer: Caller,
    other_trainer: Caller,
    admin: Caller,
    path: str,
) -> None:
    body = BODIES[path]
    v1 = await create(client, trainer, path, body(isPublic=True))
    url = f"{path}/{v1['id']}"
    v2 = (await client.put(url, json=body("v2", isPublic=True), headers=trainer.headers)).json()
    v3 = (await client.put(url, json=body("v3", isPublic=True), headers=trainer.headers)).json()
    await archive(client, trainer, path, v2["id"])

    for who in (trainer, admin):
        for start in (v1, v2, v3):
            seen = await ids_of(client, who, f"{path}/{start['id']}/versions")
            assert seen == [v3["id"], v2["id"], v1["id"]]
    for start in (v1, v3):
        seen = await ids_of(client, other_trainer, f"{path}/{start['id']}/versions")
        assert seen == [v3["id"], v1["id"]]
    listed = await client.get(f"{path}/{v1['id']}/versions", headers=other_trainer.headers)
    assert listed.json()["pagination"]["totalItems"] == 2


# ----- only the owner (or an admin) changes a chain ---------------------------------------------

# (method, which version is targeted, path suffix, whether the request carries a body)
OWNER_ONLY = [
    pytest.param("PUT", "live", "", True, id="new-version"),
    pytest.param("PUT", "live", "/archive", False, id="archive"),
    pytest.param("PUT", "archived", "/unarchive", False, id="unarchive"),
    pytest.param("DELETE", "archived", "", False, id="purge"),
    pytest.param("DELETE", "live", "/versions", False, id="delete-chain"),
]


@pytest.mark.parametrize("path", ALL_KINDS)
@pytest.mark.parametrize(("method", "target", "suffix", "with_body"), OWNER_ONLY)
async def test_another_trainer_cannot_change_a_public_chain(
    client: httpx.AsyncClient,
    trainer: Caller,
    other_trainer: Caller,
    path: str,
    method: str,
    target: str,
    suffix: str,
    with_body: bool,
) -> None:
    body = BODIES[path]
    v1 = await create(client, trainer, path, body(isPublic=True))
    published = await client.put(
        f"{path}/{v1['id']}", json=body("v2", isPublic=True), headers=trainer.headers
    )
    v2 = published.json()
    await archive(client, trainer, path, v1["id"])
    before = await client.get(f"{path}/{v2['id']}/versions", headers=trainer.headers)
    assert [item["version"] for item in before.json()["data"]] == [2, 1]
    # the other trainer can read the chain, so the refusal is 403, not 404
    for doc in (v1, v2):
        readable = await client.get(f"{path}/{doc['id']}", headers=other_trainer.headers)
        assert readable.status_code == 200

    version = v2 if target == "live" else v1
    response = await client.request(
        method,
        f"{path}/{version['id']}{suffix}",
        json=body("hijacked", isPublic=True) if with_body else None,
        headers=other_trainer.headers,
    )
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:peakhealth:problem:forbidden"

    after = await client.get(f"{path}/{v2['id']}/versions", headers=trainer.headers)
    assert after.json() == before.json()
    for doc in (v1, v2):
        reread = await client.get(f"{path}/{doc['id']}", headers=trainer.headers)
        assert reread.status_code == 200
    latest = await client.get(f"{path}/{v2['id']}", headers=trainer.headers)
    assert latest.json()["isLatest"] is True and latest.json()["isArchived"] is False
    archived = await client.get(f"{path}/{v1['id']}", headers=trainer.headers)
    assert archived.json()["isArchived"] is True


# ----- forks --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LIBRARY)
async def test_copied_from_is_carried_to_later_versions_of_the_fork(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller, path: str
) -> None:
    body = BODIES[path]
    source = await create(client, trainer, path, body(isPublic=True))
    forked = await client.post(f"{path}/{source['id']}/copy", headers=other_trainer.headers)
    assert forked.status_code == 201, forked.text
    fork = forked.json()
    assert fork["copiedFrom"] == {"id": source["id"], "version": 1}

    # a body without copiedFrom: the server carries it, the client does not have to
    edited = await client.put(
        f"{path}/{fork['id']}", json=body("Forked and edited"), headers=other_trainer.headers
    )
    assert edited.status_code == 200, edited.text
    v2 = edited.json()
    assert v2["version"] == 2 and v2["copiedFrom"] == fork["copiedFrom"]
    # a body that tries to change it is ignored too
    forged = {**body("Again"), "copiedFrom": {"id": "0" * 24, "version": 9}}
    again = await client.put(f"{path}/{v2['id']}", json=forged, headers=other_trainer.headers)
    assert again.status_code == 200, again.text
    assert again.json()["copiedFrom"] == fork["copiedFrom"]
    reread = await client.get(f"{path}/{v2['id']}", headers=other_trainer.headers)
    assert reread.json()["copiedFrom"] == fork["copiedFrom"]
    # the source chain is not a fork
    assert "copiedFrom" not in source or source["copiedFrom"] is None


# ----- streamed bodies over the limit ------------------------------------------------------------


LIMIT = 2048


@pytest.fixture
async def limited_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app, started with its lifespan, whose body limit is 2 KiB."""
    async with serving(Settings(_env_file=None, max_body_bytes=LIMIT)) as http:  # type: ignore[call-arg]
        yield http


def json_headers(who: Caller) -> dict[str, str]:
    return {**who.headers, "Content-Type": "application/json"}


async def streamed(payload: bytes, chunk: int = 256) -> AsyncIterator[bytes]:
    """The payload as a body without Content-Length (chunked)."""
    for start in range(0, len(payload), chunk):
        yield payload[start : start + chunk]


def large_section() -> bytes:
    """A valid section (notes well under 5,000 characters) that only the byte limit refuses."""
    payload = json.dumps(strength_section("Large", notes="n" * 3 * LIMIT)).encode()
    assert LIMIT < len(payload) < 1024 * 1024
    return payload


async def test_streamed_body_over_the_limit_is_413(
    limited_client: httpx.AsyncClient, trainer: Caller
) -> None:
    client = limited_client
    small = json.dumps(strength_section("Small")).encode()
    assert len(small) < LIMIT
    accepted = await client.post(SECTIONS, content=streamed(small), headers=json_headers(trainer))
    assert "content-length" not in accepted.request.headers
    assert accepted.status_code == 201, accepted.text

    response = await client.post(
        SECTIONS, content=streamed(large_section()), headers=json_headers(trainer)
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:peakhealth:problem:payload-too-large"
    assert problem["status"] == 413
    listed = await client.get(SECTIONS, headers=trainer.headers)
    assert [item["name"] for item in listed.json()["data"]] == ["Small"]


async def test_streamed_new_version_over_the_limit_is_413_and_publishes_nothing(
    limited_client: httpx.AsyncClient, trainer: Caller
) -> None:
    client = limited_client
    v1 = await create(client, trainer, SECTIONS, strength_section())
    response = await client.put(
        f"{SECTIONS}/{v1['id']}", content=streamed(large_section()), headers=json_headers(trainer)
    )
    assert response.status_code == 413, response.text
    assert response.json()["type"] == "urn:peakhealth:problem:payload-too-large"
    versions = await client.get(f"{SECTIONS}/{v1['id']}/versions", headers=trainer.headers)
    assert [item["version"] for item in versions.json()["data"]] == [1]
