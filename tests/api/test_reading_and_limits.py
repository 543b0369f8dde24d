"""What readers see: private versions never leak, lists answer summaries, stored data is read
leniently and upgraded, resolved documents are bounded, and an unreachable store is a 503."""

import json
import time
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI

from peakhealth.library.documents import SectionDocument
from peakhealth.routines.documents import TemplateRoutineDocument
from tests.support.actions import archive, create, publish
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, TEMPLATES, WORKOUTS
from tests.support.plans import strength_section, template_body, variant
from tests.support.problems import first_error_field


async def test_versions_list_hides_private_versions_of_a_public_chain(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller, admin: Caller
) -> None:
    public = await create(client, trainer, SECTIONS, strength_section(isPublic=True))
    private = await publish(client, trainer, SECTIONS, public["id"], strength_section("Secret"))
    await publish(client, trainer, SECTIONS, public["id"], strength_section(isPublic=True))

    async def versions(who: Caller) -> list[int]:
        response = await client.get(f"{SECTIONS}/{public['id']}/versions", headers=who.headers)
        assert response.status_code == 200
        return [item["version"] for item in response.json()["data"]]

    assert await versions(other_trainer) == [3, 1]
    assert await versions(trainer) == [3, 2, 1]
    assert await versions(admin) == [3, 2, 1]
    hidden = await client.get(f"{SECTIONS}/{private['id']}", headers=other_trainer.headers)
    assert hidden.status_code == 404


async def test_lists_answer_summaries_and_full_trees_on_request(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    section = await create(client, trainer, SECTIONS, strength_section())
    workout = await create(
        client, trainer, WORKOUTS, {"name": "A", "type": "strength", "sections": [section["id"]]}
    )
    await create(client, trainer, TEMPLATES, template_body([workout["id"], workout["id"]]))
    listing = await client.get(TEMPLATES, headers=trainer.headers)
    (summary,) = listing.json()["data"]
    assert "workouts" not in summary
    assert summary["counts"] == {"workouts": 2, "sections": 2, "exercises": 4, "sets": 8}
    assert summary["name"] == "Strength block" and summary["routineType"] == "template"
    sections = (await client.get(SECTIONS, headers=trainer.headers)).json()["data"]
    assert "exercises" not in sections[0] and sections[0]["counts"]["sets"] == 4
    full = await client.get(f"{TEMPLATES}?view=full", headers=trainer.headers)
    assert len(full.json()["data"][0]["workouts"]) == 2
    too_many = await client.get(f"{TEMPLATES}?view=full&limit=21", headers=trainer.headers)
    assert first_error_field(too_many) == "limit"


async def test_unknown_stored_fields_are_ignored_when_reading(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    section = await create(client, trainer, SECTIONS, strength_section())
    await SectionDocument.get_motor_collection().update_one(
        {"_id": PydanticObjectId(section["id"])},
        {
            "$set": {
                "futureField": {"x": 1},
                "exercises.0.futureHint": "x",
                "exercises.0.sets.0.velocity": 0.8,
                "exercises.0.sets.0.reps": 5000,  # out of today's bounds: not re-checked
            }
        },
    )
    read = await client.get(f"{SECTIONS}/{section['id']}", headers=trainer.headers)
    assert read.status_code == 200, read.text
    body = read.json()
    assert "futureField" not in body and "futureHint" not in body["exercises"][0]
    assert body["exercises"][0]["sets"][0]["reps"] == 5000
    for query in ("", "?view=full"):
        listing = await client.get(f"{SECTIONS}{query}", headers=trainer.headers)
        assert listing.status_code == 200, listing.text
    versions = await client.get(f"{SECTIONS}/{section['id']}/versions", headers=trainer.headers)
    assert versions.status_code == 200


async def test_documents_of_schema_version_1_are_upgraded_when_read(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    section = await create(client, trainer, SECTIONS, strength_section())
    await SectionDocument.get_motor_collection().update_one(
        {"_id": PydanticObjectId(section["id"])},
        {"$set": {"schemaVersion": 1}, "$unset": {"counts": ""}},
    )
    listing = await client.get(SECTIONS, headers=trainer.headers)
    (summary,) = listing.json()["data"]
    assert summary["counts"] == {"workouts": 0, "sections": 0, "exercises": 2, "sets": 4}
    read = await client.get(f"{SECTIONS}/{section['id']}", headers=trainer.headers)
    assert read.json()["schemaVersion"] == 2


def large_section() -> dict[str, Any]:
    """A section of about 140 KB of BSON: notes of 5,000 characters on many sets."""
    exercise = {
        "type": "strength",
        **variant("Barbell Back Squat"),
        "notes": "n" * 5000,
        "sets": [{"repType": "fixed", "reps": 5, "notes": "s" * 5000} for _ in range(7)],
    }
    return {"type": "basic", "name": "Big", "isPublic": True, "exercises": [exercise] * 3}


async def test_references_that_would_build_a_huge_document_are_refused_early(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller
) -> None:
    big = await create(client, trainer, SECTIONS, large_section())
    body = {"name": "Bomb", "type": "strength", "sections": [big["id"]] * 20}
    assert len(json.dumps(body)) < 650
    started = time.perf_counter()
    response = await client.post(WORKOUTS, json=body, headers=other_trainer.headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["field"].startswith("sections[") and "MiB" in error["message"]
    assert elapsed < 1.0
    mine = await client.get(f"{WORKOUTS}?createdBy=me", headers=other_trainer.headers)
    assert mine.json()["pagination"]["totalItems"] == 0
    fits = {"name": "Fits", "type": "strength", "sections": [big["id"]] * 5}
    assert (
        await client.post(WORKOUTS, json=fits, headers=other_trainer.headers)
    ).status_code == 201


async def test_listing_of_large_documents_stays_small(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    big = await create(client, trainer, SECTIONS, large_section())
    workout = {"name": "Heavy", "type": "strength", "sections": [big["id"]] * 10}
    for _ in range(20):
        await create(client, trainer, WORKOUTS, {**workout, "isPublic": True})
    listing = await client.get(WORKOUTS, headers=trainer.headers)
    assert listing.json()["pagination"]["totalItems"] == 20
    assert len(listing.content) < 50_000


async def test_company_template_chains_are_changed_by_admins_only(
    client: httpx.AsyncClient, trainer: Caller, admin: Caller
) -> None:
    section = strength_section()
    body = template_body(
        [{"name": "A", "type": "strength", "sections": [section]}], templateType="trainer"
    )
    mine = await create(client, trainer, TEMPLATES, body)
    company = await publish(
        client, admin, TEMPLATES, mine["id"], {**body, "templateType": "company"}
    )
    assert company["createdBy"] == trainer.id
    for method, path in (
        ("PUT", f"{TEMPLATES}/{company['id']}/archive"),
        ("DELETE", f"{TEMPLATES}/{company['id']}/versions"),
    ):
        response = await client.request(method, path, headers=trainer.headers)
        assert response.status_code == 403, (method, path)
    again = await client.put(f"{TEMPLATES}/{mine['id']}", json=body, headers=trainer.headers)
    assert again.status_code == 403
    archived = await client.put(f"{TEMPLATES}/{company['id']}/archive", headers=admin.headers)
    assert archived.json()["newLatestVersionId"] == mine["id"]
    # the latest version is a trainer template again: its creator may change the chain
    assert (
        await client.put(f"{TEMPLATES}/{mine['id']}", json=body, headers=trainer.headers)
    ).status_code == 200


async def test_archived_version_is_forked_by_its_creator_only(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller
) -> None:
    section = await create(client, trainer, SECTIONS, strength_section(isPublic=True))
    await publish(client, trainer, SECTIONS, section["id"], strength_section(isPublic=True))
    await archive(client, trainer, SECTIONS, section["id"])
    theirs = await client.post(f"{SECTIONS}/{section['id']}/copy", headers=other_trainer.headers)
    assert theirs.status_code == 404
    own = await client.post(f"{SECTIONS}/{section['id']}/copy", headers=trainer.headers)
    assert own.status_code == 201


@pytest.mark.parametrize("path", ["/ready", SECTIONS, f"{TEMPLATES}?search=x"])
async def test_unreachable_database_is_503_everywhere(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, path: str
) -> None:
    app.state.client.offline = True
    try:
        response = await client.get(path, headers=trainer.headers)
    finally:
        app.state.client.offline = False
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("service-unavailable")


async def test_unreachable_database_on_write_is_503_and_nothing_half_done(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller
) -> None:
    app.state.client.offline = True
    try:
        response = await client.post(SECTIONS, json=strength_section(), headers=trainer.headers)
    finally:
        app.state.client.offline = False
    assert response.status_code == 503
    assert await TemplateRoutineDocument.get_motor_collection().count_documents({}) == 0
    assert await SectionDocument.get_motor_collection().count_documents({}) == 0


async def test_references_and_embedded_content_together_are_bounded_too(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    big = await create(client, trainer, SECTIONS, large_section())
    embedded = {k: v for k, v in large_section().items() if k not in ("isPublic",)}
    body = {"name": "Mixed", "type": "strength", "sections": [big["id"]] * 12 + [embedded] * 6}
    response = await client.post(WORKOUTS, json=body, headers=trainer.headers)
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert error["field"] == "body" and "MiB" in error["message"]


async def test_a_version_read_again_skips_its_tree_until_its_state_changes(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller
) -> None:
    first = await create(client, trainer, SECTIONS, strength_section())
    second = await publish(client, trainer, SECTIONS, first["id"], strength_section("Heavier"))
    store = app.state.client

    async def read(who: Caller = trainer, id_: str = first["id"]) -> tuple[httpx.Response, int]:
        before = store.calls["find_one"]
        response = await client.get(f"{SECTIONS}/{id_}", headers=who.headers)
        return response, store.calls["find_one"] - before

    answer, reads = await read()  # no longer latest: read whole, then kept
    assert answer.json() == {**first, "isLatest": False, "revision": 2} and reads == 2
    again, reads = await read()
    assert again.content == answer.content and reads == 1  # the tree is not read
    outsider, _ = await read(other_trainer)  # a private version stays private
    assert outsider.status_code == 404
    archived = await client.put(f"{SECTIONS}/{first['id']}/archive", headers=trainer.headers)
    assert archived.status_code == 200, archived.text
    changed, reads = await read()
    assert changed.json()["isArchived"] is True and reads == 2
    latest, reads = await read(id_=second["id"])
    assert latest.json() == second and reads == 1  # kept when it was published
