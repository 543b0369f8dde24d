"""User-created routines over HTTP: CRUD and ownership, reference resolution, strict bodies,
PATCH limits, favorite, the single active routine, copying templates, the caller's routine list;
and, on the interleaving store, concurrent activations and favorite toggles."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from bson import ObjectId
from fastapi import FastAPI

from peakhealth.config import Settings
from peakhealth.routines.user_documents import UserRoutineDocument
from tests.support.actions import create
from tests.support.callers import Caller, make_caller
from tests.support.paths import ROUTINES, SECTIONS, TEMPLATES, WORKOUTS
from tests.support.plans import (
    strength_day,
    strength_section,
    template_body,
    user_routine_body,
    warmup_section,
)
from tests.support.stored import insert_assignment, raw_user_routine


async def active_rows(user_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await UserRoutineDocument.get_motor_collection()
        .find({"routineType": "user-created", "userId": user_id, "isActive": True})
        .to_list(None)
    )
    return rows


# ----- create, read, references ------------------------------------------------------------------


async def test_client_creates_a_routine_with_references_resolved(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, client_user: Caller
) -> None:
    warmup = await create(client, trainer, SECTIONS, warmup_section() | {"isPublic": True})
    workout = await create(
        client, trainer, WORKOUTS, {**strength_day("Library day"), "isPublic": True}
    )
    embedded = {
        "name": "Own day",
        "type": "strength",
        "sections": [warmup["id"], strength_section()],
    }
    created = await create(
        client, client_user, ROUTINES, user_routine_body([workout["id"], embedded])
    )
    assert created["routineType"] == "user-created"
    assert created["userId"] == client_user.id
    assert (created["isActive"], created["isFavorite"]) == (False, False)
    first, second = created["workouts"]
    assert first["source"] == {
        "kind": "workout",
        "id": workout["id"],
        "parentId": workout["parentWorkoutId"],
        "version": 1,
    }
    assert first["name"] == "Library day" and first["orderIndex"] == 0
    assert second["sections"][0]["source"]["id"] == warmup["id"]
    assert second["orderIndex"] == 1
    assert created["schedule"] == {"trainingDays": ["mon", "thu"]}
    stored = await raw_user_routine(created["id"])
    assert stored is not None
    assert (stored["routineType"], stored["userId"]) == ("user-created", client_user.id)
    assert all(isinstance(w["_id"], ObjectId) for w in stored["workouts"])  # not text
    assert all(isinstance(s, dict) for w in stored["workouts"] for s in w["sections"])
    assert stored["counts"]["workouts"] == 2
    read = await client.get(f"{ROUTINES}/{created['id']}", headers=client_user.headers)
    assert read.status_code == 200
    assert read.json() == created


async def test_unreadable_reference_is_422_naming_the_path(
    client: httpx.AsyncClient, trainer: Caller, client_user: Caller
) -> None:
    private = await create(client, trainer, WORKOUTS, strength_day())
    response = await client.post(
        ROUTINES,
        json=user_routine_body([strength_day(), private["id"]]),
        headers=client_user.headers,
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["workouts[1]"]


async def test_bodies_are_strict_and_server_fields_ignored(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, other_trainer: Caller
) -> None:
    h = client_user.headers
    for bad, field in (
        (user_routine_body(duration="4"), "duration"),
        (user_routine_body(templateType="trainer"), "templateType"),
        (user_routine_body(allowCopy=True), "allowCopy"),
        (user_routine_body(isPublic=True), "isPublic"),
        (user_routine_body(colour="red"), "colour"),
        (user_routine_body(duration=53), "duration"),
    ):
        response = await client.post(ROUTINES, json=bad, headers=h)
        assert response.status_code == 422, bad
        assert field in [e["field"] for e in response.json()["errors"]]
    managed = user_routine_body(
        userId=other_trainer.id,
        isActive=True,
        isFavorite=True,
        completedWorkouts=7,
        totalWorkouts=9,
        lastUsed="2030-01-01T00:00:00Z",
        routineType="template",
        copiedFrom={"id": "a" * 24, "version": 1},
    )
    created = await create(client, client_user, ROUTINES, managed)
    assert created["userId"] == client_user.id
    assert (created["isActive"], created["isFavorite"]) == (False, False)
    assert (created["completedWorkouts"], created["totalWorkouts"]) == (0, 0)
    assert "lastUsed" not in created and "copiedFrom" not in created
    assert await active_rows(client_user.id) == []


# ----- ownership ---------------------------------------------------------------------------------


async def test_another_user_gets_404_everywhere_and_changes_nothing(
    app: FastAPI,
    client: httpx.AsyncClient,
    client_user: Caller,
    other_trainer: Caller,
    admin: Caller,
) -> None:
    mine = await create(client, client_user, ROUTINES, user_routine_body())
    before = await raw_user_routine(mine["id"])
    path = f"{ROUTINES}/{mine['id']}"
    for intruder in (other_trainer, admin):
        h = intruder.headers
        answers = [
            await client.get(path, headers=h),
            await client.put(path, json=user_routine_body(name="Taken"), headers=h),
            await client.patch(path, json={"name": "Taken"}, headers=h),
            await client.post(f"{path}/favorite", headers=h),
            await client.post(f"{path}/activate", headers=h),
            await client.delete(path, headers=h),
        ]
        assert [a.status_code for a in answers] == [404] * 6
        listed = await client.get(ROUTINES, headers=h)
        assert listed.json()["data"] == []
    assert await raw_user_routine(mine["id"]) == before


async def test_activating_a_foreign_id_leaves_the_own_active_routine_alone(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, other_trainer: Caller
) -> None:
    theirs = await create(client, client_user, ROUTINES, user_routine_body())
    mine = await create(client, other_trainer, ROUTINES, user_routine_body())
    h = other_trainer.headers
    assert (await client.post(f"{ROUTINES}/{mine['id']}/activate", headers=h)).status_code == 200
    refused = await client.post(f"{ROUTINES}/{theirs['id']}/activate", headers=h)
    assert refused.status_code == 404
    assert [row["_id"] for row in await active_rows(other_trainer.id)] == [
        PydanticObjectId(mine["id"])
    ]


# ----- replace, patch, delete --------------------------------------------------------------------


@pytest.fixture
async def created(client: httpx.AsyncClient, client_user: Caller) -> Any:
    """A user routine of `client_user`, as created."""
    return await create(client, client_user, ROUTINES, user_routine_body())


async def test_put_replaces_the_content_and_keeps_the_state(
    client: httpx.AsyncClient, client_user: Caller, created: Any
) -> None:
    h = client_user.headers
    path = f"{ROUTINES}/{created['id']}"
    await client.post(f"{path}/favorite", headers=h)
    await client.post(f"{path}/activate", headers=h)
    edited = {key: value for key, value in created.items() if key != "description"}
    edited["name"] = "Renamed"
    edited["workouts"] = [*created["workouts"], strength_day("Day B")]
    response = await client.put(path, json=edited, headers=h)
    assert response.status_code == 200, response.text
    replaced = response.json()
    assert replaced["name"] == "Renamed"
    assert "description" not in replaced
    assert replaced["workouts"][0]["id"] == created["workouts"][0]["id"]
    assert len(replaced["workouts"]) == 2
    assert (replaced["isFavorite"], replaced["isActive"]) == (True, True)
    assert replaced["createdAt"] == created["createdAt"]
    stored = await raw_user_routine(created["id"])
    assert stored is not None
    assert "description" not in stored and stored["counts"]["workouts"] == 2
    assert (await client.get(path, headers=h)).json() == replaced


async def test_patch_changes_top_level_fields_and_never_workouts(
    client: httpx.AsyncClient, client_user: Caller, created: Any
) -> None:
    h = client_user.headers
    path = f"{ROUTINES}/{created['id']}"
    response = await client.patch(
        path,
        json={"name": "Lighter", "duration": 8, "schedule": {"trainingDays": ["fri", "tue"]}},
        headers=h,
    )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert (patched["name"], patched["duration"]) == ("Lighter", 8)
    assert patched["schedule"] == {"trainingDays": ["tue", "fri"]}
    assert patched["workouts"] == created["workouts"]
    assert patched["description"] == created["description"]
    before = await raw_user_routine(created["id"])
    for bad, field in (
        ({"workouts": [strength_day("Sneaked in")]}, "workouts"),
        ({"duration": "8"}, "duration"),
        ({"duration": 0}, "duration"),
        ({"name": None}, "name"),
        ({"goal": "flying"}, "goal"),
        ({"schedule": {"trainingDays": []}}, "schedule.trainingDays"),
    ):
        refused = await client.patch(path, json=bad, headers=h)
        assert refused.status_code == 422, bad
        assert field in [e["field"] for e in refused.json()["errors"]]
    assert await raw_user_routine(created["id"]) == before
    cleared = await client.patch(path, json={"description": None, "schedule": None}, headers=h)
    assert "description" not in cleared.json()
    assert cleared.json()["schedule"] == {"trainingDays": ["mon"]}


async def test_delete_removes_only_the_routine(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller
) -> None:
    h = client_user.headers
    doomed = await create(client, client_user, ROUTINES, user_routine_body())
    kept = await create(client, client_user, ROUTINES, user_routine_body(name="Kept"))
    assert (await client.delete(f"{ROUTINES}/{doomed['id']}", headers=h)).status_code == 204
    assert await raw_user_routine(doomed["id"]) is None
    assert (await client.get(f"{ROUTINES}/{doomed['id']}", headers=h)).status_code == 404
    assert (await client.delete(f"{ROUTINES}/{doomed['id']}", headers=h)).status_code == 404
    assert (await client.get(f"{ROUTINES}/{kept['id']}", headers=h)).status_code == 200


# ----- favorite and active -----------------------------------------------------------------------


async def test_favorite_toggles(
    client: httpx.AsyncClient, client_user: Caller, created: Any
) -> None:
    path = f"{ROUTINES}/{created['id']}/favorite"
    answers = [(await client.post(path, headers=client_user.headers)).json() for _ in range(3)]
    assert answers == [{"isFavorite": True}, {"isFavorite": False}, {"isFavorite": True}]
    stored = await raw_user_routine(created["id"])
    assert stored is not None and stored["isFavorite"] is True


async def test_one_routine_is_active_at_a_time(
    app: FastAPI, client: httpx.AsyncClient, client_user: Caller, other_trainer: Caller
) -> None:
    h = client_user.headers
    first, second = [
        await create(client, client_user, ROUTINES, user_routine_body(name=name))
        for name in ("First", "Second")
    ]
    someone_else = await create(client, other_trainer, ROUTINES, user_routine_body())
    await client.post(f"{ROUTINES}/{someone_else['id']}/activate", headers=other_trainer.headers)
    response = await client.post(f"{ROUTINES}/{first['id']}/activate", headers=h)
    assert response.status_code == 200 and response.json()["isActive"] is True
    response = await client.post(f"{ROUTINES}/{second['id']}/activate", headers=h)
    assert response.json()["isActive"] is True
    assert [row["name"] for row in await active_rows(client_user.id)] == ["Second"]
    assert (await client.get(f"{ROUTINES}/{first['id']}", headers=h)).json()["isActive"] is False
    again = await client.post(f"{ROUTINES}/{second['id']}/activate", headers=h)
    assert again.status_code == 200
    assert [row["name"] for row in await active_rows(client_user.id)] == ["Second"]
    assert len(await active_rows(other_trainer.id)) == 1  # another user's is untouched


# ----- copying templates -------------------------------------------------------------------------


async def test_template_copy_rules(
    app: FastAPI,
    client: httpx.AsyncClient,
    trainer: Caller,
    client_user: Caller,
    admin: Caller,
) -> None:
    closed = await create(
        client, trainer, TEMPLATES, template_body([strength_day()], isPublic=True)
    )
    private = await create(
        client, trainer, TEMPLATES, template_body([strength_day()], allowCopy=True)
    )
    open_ = await create(
        client, trainer, TEMPLATES, template_body([strength_day()], isPublic=True, allowCopy=True)
    )
    h = client_user.headers
    refused = await client.post(f"{TEMPLATES}/{closed['id']}/copy", headers=h)
    assert refused.status_code == 403
    hidden = await client.post(f"{TEMPLATES}/{private['id']}/copy", headers=h)
    assert hidden.status_code == 404
    assert (await client.get(ROUTINES, headers=h)).json()["data"] == []

    response = await client.post(f"{TEMPLATES}/{open_['id']}/copy", headers=h)
    assert response.status_code == 201, response.text
    copy = response.json()
    assert copy["routineType"] == "user-created" and copy["userId"] == client_user.id
    assert copy["copiedFrom"] == {"id": open_["id"], "version": 1}
    assert [w["id"] for w in copy["workouts"]] == [w["id"] for w in open_["workouts"]]
    assert copy["workouts"][0]["sections"] == open_["workouts"][0]["sections"]
    assert "allowCopy" not in copy and "templateType" not in copy
    assert (await client.get(f"{ROUTINES}/{copy['id']}", headers=h)).json() == copy

    for who in (trainer, admin):  # the creator and admins copy whatever the flag says
        own = await client.post(f"{TEMPLATES}/{closed['id']}/copy", headers=who.headers)
        assert own.status_code == 201
        assert own.json()["userId"] == who.id
    other = await client.post(f"{TEMPLATES}/{private['id']}/copy", headers=admin.headers)
    assert other.status_code == 201


async def test_archived_template_is_copied_by_its_creator_only(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, client_user: Caller
) -> None:
    body = template_body([strength_day()], isPublic=True, allowCopy=True)
    template = await create(client, trainer, TEMPLATES, body)
    await client.put(f"{TEMPLATES}/{template['id']}/archive", headers=trainer.headers)
    path = f"{TEMPLATES}/{template['id']}/copy"
    assert (await client.post(path, headers=client_user.headers)).status_code == 404
    assert (await client.post(path, headers=trainer.headers)).status_code == 201


# ----- the caller's routine list -----------------------------------------------------------------


async def test_list_shows_own_and_assigned_routines_by_type(
    app: FastAPI,
    client: httpx.AsyncClient,
    trainer: Caller,
    client_user: Caller,
) -> None:
    h = client_user.headers
    assigned = await create(
        client, trainer, TEMPLATES, template_body([strength_day()], name="Assigned")
    )
    paused = await create(
        client, trainer, TEMPLATES, template_body([strength_day()], name="Paused")
    )
    cancelled = await create(
        client, trainer, TEMPLATES, template_body([strength_day()], name="Gone")
    )
    await insert_assignment(assigned["id"], client_user, "active")
    await insert_assignment(paused["id"], client_user, "paused")
    await insert_assignment(cancelled["id"], client_user, "cancelled")
    await insert_assignment(assigned["id"], make_caller("client"), "active")
    own = await create(client, client_user, ROUTINES, user_routine_body(name="Own"))
    active = await create(client, client_user, ROUTINES, user_routine_body(name="Active"))
    await client.post(f"{ROUTINES}/{active['id']}/activate", headers=h)

    async def names(query: str = "") -> list[str]:
        response = await client.get(f"{ROUTINES}{query}", headers=h)
        assert response.status_code == 200, response.text
        return sorted(item["name"] for item in response.json()["data"])

    assert await names() == ["Active", "Assigned", "Own", "Paused"]
    assert await names("?type=user") == ["Active", "Own"]
    assert await names("?type=assigned") == ["Assigned", "Paused"]
    assert await names("?type=active") == ["Active", "Assigned"]

    page = (await client.get(f"{ROUTINES}?limit=3", headers=h)).json()
    assert page["pagination"]["totalItems"] == 4 and page["pagination"]["hasNextPage"]
    kinds = {item["name"]: item["routineType"] for item in page["data"]}
    assert kinds.get("Active", "user-created") == "user-created"
    for item in page["data"]:
        assert "workouts" not in item
        assert item["counts"] == {"workouts": 1, "sections": 1, "exercises": 2, "sets": 4}
    full = (await client.get(f"{ROUTINES}?view=full&type=assigned", headers=h)).json()
    assert {item["routineType"] for item in full["data"]} == {"template"}
    assert all(len(item["workouts"]) == 1 for item in full["data"])
    assert own["id"] not in {item["id"] for item in full["data"]}


async def test_assigned_template_is_readable_by_its_client_only(
    app: FastAPI, client: httpx.AsyncClient, trainer: Caller, client_user: Caller
) -> None:
    template = await create(client, trainer, TEMPLATES, template_body([strength_day()]))
    path = f"{ROUTINES}/{template['id']}"
    assert (await client.get(path, headers=client_user.headers)).status_code == 404
    await insert_assignment(template["id"], client_user)
    response = await client.get(path, headers=client_user.headers)
    assert response.status_code == 200
    assert response.json() == template
    stranger = make_caller("client")
    assert (await client.get(path, headers=stranger.headers)).status_code == 404
    # an assigned template is read here, never changed here
    changed = await client.patch(path, json={"name": "Mine now"}, headers=client_user.headers)
    assert changed.status_code == 404


# ----- concurrency, on the interleaving store ----------------------------------------------------


class TestConcurrency:
    @pytest.fixture
    def settings(self) -> Settings:
        return Settings(_env_file=None, embedded_interleave=True)  # type: ignore[call-arg]

    @pytest.fixture
    async def routines(
        self, client: httpx.AsyncClient, client_user: Caller
    ) -> AsyncIterator[list[str]]:
        created = [
            await create(client, client_user, ROUTINES, user_routine_body(name=f"Plan {index}"))
            for index in range(10)
        ]
        yield [routine["id"] for routine in created]

    async def test_concurrent_activations_leave_exactly_one_active(
        self, client: httpx.AsyncClient, client_user: Caller, routines: list[str]
    ) -> None:
        h = client_user.headers
        seen_two: list[int] = []

        async def activate(routine_id: str) -> int:
            response = await client.post(f"{ROUTINES}/{routine_id}/activate", headers=h)
            count = len(await active_rows(client_user.id))
            if count > 1:
                seen_two.append(count)
            return response.status_code

        for _ in range(3):
            statuses = await asyncio.gather(*(activate(routine_id) for routine_id in routines))
            assert statuses == [200] * len(routines)
            assert len(await active_rows(client_user.id)) == 1
        assert seen_two == []
        listed = await client.get(f"{ROUTINES}?type=active", headers=h)
        assert listed.json()["pagination"]["totalItems"] == 1

    async def test_concurrent_favorite_toggles_each_count(
        self, client: httpx.AsyncClient, client_user: Caller, routines: list[str]
    ) -> None:
        path = f"{ROUTINES}/{routines[0]}/favorite"

        async def toggle() -> bool:
            response = await client.post(path, headers=client_user.headers)
            assert response.status_code == 200
            value: bool = response.json()["isFavorite"]
            return value

        answers = await asyncio.gather(*(toggle() for _ in range(7)))
        assert sorted(answers) == [False, False, False, True, True, True, True]
        stored = await raw_user_routine(routines[0])
        assert stored is not None and stored["isFavorite"] is True
