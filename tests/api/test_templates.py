"""Template routines over HTTP: snapshot on save, immutability, explore, company templates."""

from typing import Any

import httpx
from bson import ObjectId
from fastapi import FastAPI

from peakhealth.routines.documents import TemplateRoutineDocument
from tests.support.actions import create, library_day
from tests.support.callers import Caller
from tests.support.paths import SECTIONS, TEMPLATES, WORKOUTS
from tests.support.plans import strength_section, template_body, warmup_section


async def raw_routine(routine_id: str) -> dict[str, Any]:
    from beanie import PydanticObjectId

    stored = await TemplateRoutineDocument.get_motor_collection().find_one(
        {"_id": PydanticObjectId(routine_id)}
    )
    assert stored is not None
    return dict(stored)


async def test_template_embeds_workouts_and_sections_with_provenance(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller
) -> None:
    warmup, main, workout = await library_day(client, trainer)
    embedded = {"name": "Day B", "type": "strength", "sections": [main["id"], strength_section()]}
    routine = await create(client, trainer, TEMPLATES, template_body([workout["id"], embedded]))
    first, second = routine["workouts"]
    assert first["source"]["kind"] == "workout" and first["source"]["id"] == workout["id"]
    assert [s["source"]["id"] for s in first["sections"]] == [warmup["id"], main["id"]]
    assert second["sections"][0]["source"]["id"] == main["id"]
    assert "source" not in second["sections"][1]
    assert routine["schedule"] == {"trainingDays": ["mon", "thu"]}
    assert routine["routineType"] == "template"
    stored = await raw_routine(routine["id"])
    assert stored["parentRoutineId"] == stored["_id"]
    # fully embedded: elements carry _id, no reference strings remain
    assert all(isinstance(w["_id"], ObjectId) for w in stored["workouts"])  # not text
    assert all(isinstance(s, dict) for w in stored["workouts"] for s in w["sections"])


async def test_saved_routine_is_unchanged_by_later_library_changes(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    warmup, main, workout = await library_day(client, trainer)
    routine = await create(client, trainer, TEMPLATES, template_body([workout["id"]]))
    before = await raw_routine(routine["id"])
    h = trainer.headers
    # new versions of every component, then archive and purge the originals
    await client.put(f"{SECTIONS}/{main['id']}", json=strength_section("Changed"), headers=h)
    await client.put(f"{SECTIONS}/{warmup['id']}", json=warmup_section("Changed"), headers=h)
    new_workout = {"name": "Changed", "type": "strength", "sections": [strength_section()]}
    await client.put(f"{WORKOUTS}/{workout['id']}", json=new_workout, headers=h)
    for path, doc in ((SECTIONS, main), (SECTIONS, warmup), (WORKOUTS, workout)):
        assert (await client.put(f"{path}/{doc['id']}/archive", headers=h)).status_code == 200
        assert (await client.delete(f"{path}/{doc['id']}", headers=h)).status_code == 204
    after = await raw_routine(routine["id"])
    assert after == before
    served = (await client.get(f"{TEMPLATES}/{routine['id']}", headers=h)).json()
    assert served == routine


async def test_new_template_version_round_trips_a_get(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    _, _, workout = await library_day(client, trainer)
    v1 = await create(client, trainer, TEMPLATES, template_body([workout["id"]], isPublic=True))
    edited = {**v1, "name": "Strength block II", "duration": 8}
    response = await client.put(f"{TEMPLATES}/{v1['id']}", json=edited, headers=trainer.headers)
    assert response.status_code == 200, response.text
    v2 = response.json()
    assert (v2["version"], v2["parentRoutineId"], v2["duration"]) == (2, v1["id"], 8)
    assert v2["workouts"][0]["id"] == v1["workouts"][0]["id"]
    assert v2["workouts"][0]["source"] == v1["workouts"][0]["source"]


async def test_explore_shows_public_and_own_latest(
    client: httpx.AsyncClient, trainer: Caller, other_trainer: Caller, client_user: Caller
) -> None:
    embedded = {"name": "Day", "type": "strength", "sections": [strength_section()]}
    public = await create(
        client, trainer, TEMPLATES, template_body([embedded], isPublic=True, tags=["Beginner"])
    )
    await create(client, trainer, TEMPLATES, template_body([embedded], name="Private plan"))
    mine = await create(
        client, other_trainer, TEMPLATES, template_body([embedded], goal="mobility")
    )
    seen = (await client.get(TEMPLATES, headers=other_trainer.headers)).json()["data"]
    assert {item["id"] for item in seen} == {public["id"], mine["id"]}
    by_goal = await client.get(f"{TEMPLATES}?goal=mobility", headers=other_trainer.headers)
    assert [item["id"] for item in by_goal.json()["data"]] == [mine["id"]]
    by_tag = await client.get(f"{TEMPLATES}?tag=beginner", headers=client_user.headers)
    assert [item["id"] for item in by_tag.json()["data"]] == [public["id"]]
    bad = await client.get(f"{TEMPLATES}?goal=flying", headers=client_user.headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "goal"


async def test_company_templates_need_an_admin(
    client: httpx.AsyncClient, trainer: Caller, admin: Caller, client_user: Caller
) -> None:
    embedded = {"name": "Day", "type": "strength", "sections": [strength_section()]}
    body = template_body([embedded], templateType="company")
    assert (await client.post(TEMPLATES, json=body, headers=trainer.headers)).status_code == 403
    assert (await client.post(TEMPLATES, json=body, headers=admin.headers)).status_code == 201
    plain = template_body([embedded])
    refused = await client.post(TEMPLATES, json=plain, headers=client_user.headers)
    assert refused.status_code == 403


async def test_reference_errors_name_the_nested_path(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    _, main, workout = await library_day(client, trainer)
    embedded = {"name": "Day", "type": "strength", "sections": [main["id"], "f" * 24]}
    body = template_body(["a" * 24, workout["id"], embedded])
    response = await client.post(TEMPLATES, json=body, headers=trainer.headers)
    assert response.status_code == 422
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["workouts[0]", "workouts[2].sections[1]"]
