"""Library sections and workouts over HTTP: version chains, ownership, snapshots of sections."""

import asyncio

import httpx

from tests.support.actions import create
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, WORKOUTS
from tests.support.plans import strength_section, warmup_section
from tests.support.problems import first_error_field


async def test_create_section_normalizes_and_numbers(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    body = strength_section()
    body["exercises"][0]["sets"][0]["setNumber"] = 9
    body["exercises"][1]["orderIndex"] = 7
    body["restAfter"] = "1:30"
    section = await create(client, trainer, SECTIONS, body)
    assert section["version"] == 1 and section["isLatest"] is True
    assert section["parentSectionId"] == section["id"]
    assert section["createdBy"] == trainer.id
    assert section["restAfter"] == "PT1M30S"
    assert section["exercises"][0]["restBetweenSets"] == "PT3M"
    assert [s["setNumber"] for s in section["exercises"][0]["sets"]] == [1, 2, 3]
    assert [e["orderIndex"] for e in section["exercises"]] == [0, 1]
    assert section["exercises"][0]["exerciseName"] == "Squat"
    assert section["exercises"][0]["variantName"] == "Barbell Back Squat"
    assert section["createdAt"].endswith("Z")


async def test_client_cannot_create_library_component(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    response = await client.post(SECTIONS, json=strength_section(), headers=client_user.headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:peakhealth:problem:forbidden"


async def test_missing_or_bad_token_is_401(client: httpx.AsyncClient) -> None:
    assert (await client.get(SECTIONS)).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    response = await client.get(SECTIONS, headers=bad)
    assert response.status_code == 401
    assert response.json()["type"] == "urn:peakhealth:problem:unauthorized"


async def test_new_version_numbers_from_highest_and_keeps_old(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    v1 = await create(client, trainer, SECTIONS, strength_section())
    edited = {**v1, "name": "Main lifts, heavier"}
    v2 = (await client.put(f"{SECTIONS}/{v1['id']}", json=edited, headers=trainer.headers)).json()
    # editing v1 again still yields version 3, not 2
    again = await client.put(f"{SECTIONS}/{v1['id']}", json=edited, headers=trainer.headers)
    v3 = again.json()
    assert (v2["version"], v3["version"]) == (2, 3)
    assert v3["parentSectionId"] == v1["id"]
    # unchanged elements keep their ids from one version to the next
    assert v3["exercises"][0]["id"] == v1["exercises"][0]["id"]
    old = (await client.get(f"{SECTIONS}/{v1['id']}", headers=trainer.headers)).json()
    assert old["name"] == "Main lifts" and old["isLatest"] is False
    listing = (await client.get(f"{SECTIONS}/{v1['id']}/versions", headers=trainer.headers)).json()
    assert [item["version"] for item in listing["data"]] == [3, 2, 1]
    assert [item["isLatest"] for item in listing["data"]] == [True, False, False]


async def test_concurrent_new_versions_are_distinct_and_one_latest(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    v1 = await create(client, trainer, SECTIONS, strength_section())

    async def edit(n: int) -> httpx.Response:
        body = {**strength_section(), "name": f"edit {n}"}
        return await client.put(f"{SECTIONS}/{v1['id']}", json=body, headers=trainer.headers)

    responses = await asyncio.gather(*(edit(n) for n in range(24)))
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(2, 26))
    listing = await client.get(f"{SECTIONS}/{v1['id']}/versions?limit=100", headers=trainer.headers)
    items = listing.json()["data"]
    assert len(items) == 25
    latest = [item for item in items if item["isLatest"]]
    assert len(latest) == 1 and latest[0]["version"] == 25


async def test_archive_moves_latest_and_unarchive_restores(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    v1 = await create(client, trainer, SECTIONS, strength_section())
    url = f"{SECTIONS}/{v1['id']}"
    v2 = (await client.put(url, json=strength_section("v2"), headers=trainer.headers)).json()
    archived = await client.put(f"{SECTIONS}/{v2['id']}/archive", headers=trainer.headers)
    assert archived.json() == {"success": True, "newLatestVersionId": v1["id"]}
    stored = (await client.get(f"{SECTIONS}/{v2['id']}", headers=trainer.headers)).json()
    assert stored["isArchived"] is True and stored["purgeAt"] is not None
    listing = (await client.get(SECTIONS, headers=trainer.headers)).json()["data"]
    assert [item["id"] for item in listing] == [v1["id"]]
    restored = await client.put(f"{SECTIONS}/{v2['id']}/unarchive", headers=trainer.headers)
    assert restored.json() == {"success": True, "newLatestVersionId": v2["id"]}
    # archiving every version leaves no latest one
    await client.put(f"{SECTIONS}/{v1['id']}/archive", headers=trainer.headers)
    last = await client.put(f"{SECTIONS}/{v2['id']}/archive", headers=trainer.headers)
    assert last.json()["newLatestVersionId"] is None


async def test_purge_needs_archive_and_bulk_purge_respects_age(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    v1 = await create(client, trainer, SECTIONS, strength_section())
    live = await client.delete(f"{SECTIONS}/{v1['id']}", headers=trainer.headers)
    assert live.status_code == 409
    await client.put(f"{SECTIONS}/{v1['id']}/archive", headers=trainer.headers)
    # archived just now: not yet past purgeAt, nor older than a day
    kept = await client.delete(f"{SECTIONS}?status=archived", headers=trainer.headers)
    assert kept.json() == {"purged": 0}
    kept = await client.delete(f"{SECTIONS}?status=archived&olderThan=1d", headers=trainer.headers)
    assert kept.json() == {"purged": 0}
    gone = await client.delete(f"{SECTIONS}/{v1['id']}", headers=trainer.headers)
    assert gone.status_code == 204
    missing = await client.get(f"{SECTIONS}/{v1['id']}", headers=trainer.headers)
    assert missing.status_code == 404


async def test_bulk_purge_takes_only_own_archived_past_age(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller
) -> None:
    mine = await create(client, trainer, SECTIONS, strength_section())
    theirs = await create(client, other_trainer, SECTIONS, strength_section())
    for who, doc in ((trainer, mine), (other_trainer, theirs)):
        await client.put(f"{SECTIONS}/{doc['id']}/archive", headers=who.headers)
    await asyncio.sleep(1.1)
    purged = await client.delete(
        f"{SECTIONS}?status=archived&olderThan=1s", headers=trainer.headers
    )
    assert purged.json() == {"purged": 1}
    assert (
        await client.get(f"{SECTIONS}/{mine['id']}", headers=trainer.headers)
    ).status_code == 404
    still = await client.get(f"{SECTIONS}/{theirs['id']}", headers=other_trainer.headers)
    assert still.status_code == 200
    wrong = await client.delete(f"{SECTIONS}?status=live", headers=trainer.headers)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "status"


async def test_delete_chain_removes_every_version(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    v1 = await create(client, trainer, SECTIONS, strength_section())
    v2 = (
        await client.put(f"{SECTIONS}/{v1['id']}", json=strength_section(), headers=trainer.headers)
    ).json()
    assert (
        await client.delete(f"{SECTIONS}/{v2['id']}/versions", headers=trainer.headers)
    ).status_code == 204
    for doc in (v1, v2):
        assert (
            await client.get(f"{SECTIONS}/{doc['id']}", headers=trainer.headers)
        ).status_code == 404


async def test_private_component_of_another_is_404_public_one_is_read_only(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller, admin: Caller
) -> None:
    private = await create(client, trainer, SECTIONS, strength_section())
    public = await create(client, trainer, SECTIONS, strength_section(isPublic=True))
    other = other_trainer.headers
    assert (await client.get(f"{SECTIONS}/{private['id']}", headers=other)).status_code == 404
    assert (await client.get(f"{SECTIONS}/{public['id']}", headers=other)).status_code == 200
    edit = await client.put(f"{SECTIONS}/{public['id']}", json=strength_section(), headers=other)
    assert edit.status_code == 403
    hidden = await client.put(f"{SECTIONS}/{private['id']}/archive", headers=other)
    assert hidden.status_code == 404
    listed = (await client.get(SECTIONS, headers=other)).json()["data"]
    assert [item["id"] for item in listed] == [public["id"]]
    by_admin = await client.put(
        f"{SECTIONS}/{private['id']}", json=strength_section(), headers=admin.headers
    )
    assert by_admin.status_code == 200 and by_admin.json()["createdBy"] == trainer.id


async def test_copy_forks_a_new_private_chain(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller
) -> None:
    public = await create(client, trainer, SECTIONS, strength_section(isPublic=True))
    response = await client.post(f"{SECTIONS}/{public['id']}/copy", headers=other_trainer.headers)
    fork = response.json()
    assert response.status_code == 201
    assert fork["version"] == 1 and fork["parentSectionId"] == fork["id"] != public["id"]
    assert fork["copiedFrom"] == {"id": public["id"], "version": 1}
    assert fork["createdBy"] == other_trainer.id and fork["isPublic"] is False
    source = (await client.get(f"{SECTIONS}/{public['id']}", headers=trainer.headers)).json()
    assert source == public


async def test_list_filters_and_pagination(client: httpx.AsyncClient, trainer: Caller) -> None:
    for n in range(5):
        await create(client, trainer, SECTIONS, strength_section(f"Block {n}", tags=["Heavy"]))
    await create(client, trainer, SECTIONS, warmup_section("Morning warm-up"))
    page = (await client.get(f"{SECTIONS}?limit=2&page=2", headers=trainer.headers)).json()
    assert len(page["data"]) == 2
    assert page["pagination"] == {
        "currentPage": 2,
        "pageSize": 2,
        "totalItems": 6,
        "totalPages": 3,
        "hasNextPage": True,
        "hasPrevPage": True,
    }
    warmups = (await client.get(f"{SECTIONS}?type=warmup", headers=trainer.headers)).json()
    assert [item["name"] for item in warmups["data"]] == ["Morning warm-up"]
    tagged = (await client.get(f"{SECTIONS}?tag=heavy", headers=trainer.headers)).json()
    assert tagged["pagination"]["totalItems"] == 5
    found = (await client.get(f"{SECTIONS}?search=block%203", headers=trainer.headers)).json()
    assert [item["name"] for item in found["data"]] == ["Block 3"]


async def test_workout_resolves_section_references_into_copies(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    section = await create(client, trainer, SECTIONS, strength_section())
    body = {"name": "Day A", "type": "strength", "sections": [section["id"], section["id"]]}
    workout = await create(client, trainer, WORKOUTS, body)
    first, second = workout["sections"]
    for copy in (first, second):
        assert copy["source"] == {
            "kind": "section",
            "id": section["id"],
            "parentId": section["id"],
            "version": 1,
        }
        assert copy["name"] == "Main lifts"
    # the same library section twice: every element id is fresh and unique
    ids = {first["id"], second["id"], section["id"]}
    ids |= {e["id"] for s in (first, second, section) for e in s["exercises"]}
    assert len(ids) == 3 + 3 * 2
    assert [s["orderIndex"] for s in workout["sections"]] == [0, 1]


async def test_workout_rejects_unreadable_archived_and_mismatched_references(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller
) -> None:
    theirs = await create(client, other_trainer, SECTIONS, strength_section())
    archived = await create(client, trainer, SECTIONS, strength_section())
    await client.put(f"{SECTIONS}/{archived['id']}/archive", headers=trainer.headers)
    running = await create(
        client,
        trainer,
        SECTIONS,
        {"type": "tempo", "name": "Tempo", "duration": "20m", "targetPace": "4:45/km"},
    )
    body = {
        "name": "Day A",
        "type": "strength",
        "sections": [theirs["id"], archived["id"], "0" * 24, warmup_section()],
    }
    response = await client.post(WORKOUTS, json=body, headers=trainer.headers)
    assert response.status_code == 422
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["sections[0]", "sections[1]", "sections[2]"]
    mixed = {"name": "Day B", "type": "strength", "sections": [running["id"]]}
    response = await client.post(WORKOUTS, json=mixed, headers=trainer.headers)
    assert first_error_field(response) == "sections[0].type"
