"""The single active user routine kept by a unique (userId, activeKey) index, an index a sharded
`routines` (shard key `userId`) can keep: how `activeKey` is stored, routines stored in the
earlier form (no `activeKey` while inactive), and the step that brings those to the new form
before the index is built."""

from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId, init_beanie
from pymongo.errors import DuplicateKeyError

from peakhealth import db
from peakhealth.config import Settings
from peakhealth.embedded import EmbeddedClient
from peakhealth.routines.user_documents import (
    ACTIVE_INDEX,
    UserRoutineDocument,
    give_inactive_routines_their_key,
)
from tests.support.actions import create
from tests.support.callers import Caller
from tests.support.paths import ROUTINES
from tests.support.plans import user_routine_body
from tests.support.stored import user_routine_row


def _routines() -> Any:
    return UserRoutineDocument.get_motor_collection()


async def keys(user_id: str) -> dict[Any, Any]:
    """Each routine of the user by id: its stored `activeKey` (None when absent)."""
    rows = await _routines().find({"userId": user_id}, {"activeKey": 1}).to_list(None)
    return {row["_id"]: row.get("activeKey") for row in rows}


def old_form(user_id: str, *, active: bool, name: str = "Old plan") -> dict[str, Any]:
    """A user routine as stored before (userId, activeKey): `activeKey` only while active."""
    row = user_routine_row(user_id, isActive=active, name=name)
    if active:
        row["activeKey"] = user_id
    return row


TEMPLATE = {"_id": PydanticObjectId(), "routineType": "template", "parentRoutineId": None}


async def test_every_user_routine_carries_its_key(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    """The user id on the active routine, the routine's own id on every other: never absent,
    which the index would store as (userId, null) and collide."""
    h = client_user.headers
    ids = [
        PydanticObjectId((await create(client, client_user, ROUTINES, user_routine_body()))["id"])
        for _ in range(3)
    ]
    assert await keys(client_user.id) == {routine_id: routine_id for routine_id in ids}
    for active in (ids[0], ids[1], ids[2], ids[0]):
        response = await client.post(f"{ROUTINES}/{active}/activate", headers=h)
        assert response.status_code == 200, response.text
        expected = {routine_id: routine_id for routine_id in ids} | {active: client_user.id}
        assert await keys(client_user.id) == expected


async def test_the_index_refuses_a_second_active_routine_of_a_user_only(
    client: httpx.AsyncClient, client_user: Caller, trainer: Caller
) -> None:
    mine = await create(client, client_user, ROUTINES, user_routine_body())
    theirs = await create(client, trainer, ROUTINES, user_routine_body())
    for who, routine in ((client_user, mine), (trainer, theirs)):
        response = await client.post(f"{ROUTINES}/{routine['id']}/activate", headers=who.headers)
        assert response.status_code == 200, response.text
    with pytest.raises(DuplicateKeyError):
        await _routines().insert_one(old_form(client_user.id, active=True))
    info = await _routines().index_information()
    assert list(info[ACTIVE_INDEX]["key"]) == [("userId", 1), ("activeKey", 1)]
    assert info[ACTIVE_INDEX]["unique"] and info[ACTIVE_INDEX]["sparse"]


async def test_routines_stored_in_the_old_form_keep_working(
    client: httpx.AsyncClient, client_user: Caller
) -> None:
    """Read old, write new: an old inactive routine (no activeKey; one per user passes the
    index) is listed, read and activated; the routine it replaces gets its own id."""
    h = client_user.headers
    old_active = old_form(client_user.id, active=True, name="Old active")
    old_inactive = old_form(client_user.id, active=False, name="Old inactive")
    await _routines().insert_many([old_active, old_inactive])
    listed = await client.get(f"{ROUTINES}?type=user", headers=h)
    assert sorted(item["name"] for item in listed.json()["data"]) == ["Old active", "Old inactive"]
    new = await create(client, client_user, ROUTINES, user_routine_body(name="New"))

    response = await client.post(f"{ROUTINES}/{old_inactive['_id']}/activate", headers=h)
    assert response.status_code == 200, response.text
    assert response.json()["isActive"] is True
    assert await keys(client_user.id) == {
        old_active["_id"]: old_active["_id"],
        old_inactive["_id"]: client_user.id,
        PydanticObjectId(new["id"]): PydanticObjectId(new["id"]),
    }
    response = await client.post(f"{ROUTINES}/{new['id']}/activate", headers=h)
    assert response.status_code == 200, response.text
    active = await client.get(f"{ROUTINES}?type=active", headers=h)
    assert [item["name"] for item in active.json()["data"]] == ["New"]


async def test_old_inactive_routines_get_their_key_before_the_index_is_built() -> None:
    """Two old inactive routines of one user would be (userId, null) twice: the index could not
    be built over them (MongoDB refuses the same way). The step gives each its own id first,
    leaves active routines and template versions alone, and stops once the index exists."""
    user = "4a0f6c1e-0000-4000-8000-000000000001"
    rows = [
        old_form(user, active=True),
        old_form(user, active=False),
        old_form(user, active=False),
        TEMPLATE,
    ]
    refused = EmbeddedClient()["peakhealth"]
    await refused["routines"].insert_many([dict(row) for row in rows])
    with pytest.raises(DuplicateKeyError):
        await init_beanie(database=refused, document_models=db.MODELS)

    database = EmbeddedClient()["peakhealth"]
    await database["routines"].insert_many([dict(row) for row in rows])
    assert await give_inactive_routines_their_key(database) == 2
    await init_beanie(database=database, document_models=db.MODELS)
    stored = {row["_id"]: row for row in await database["routines"].find().to_list(None)}
    assert stored[rows[0]["_id"]]["activeKey"] == user
    assert [stored[row["_id"]]["activeKey"] for row in rows[1:3]] == [
        row["_id"] for row in rows[1:3]
    ]
    assert "activeKey" not in stored[TEMPLATE["_id"]]
    await database["routines"].insert_one(old_form(user, active=False))  # one (user, null) fits
    assert await give_inactive_routines_their_key(database) == 0  # the index exists: no scan


async def test_the_service_starts_on_routines_stored_in_the_old_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = EmbeddedClient()
    await store["peakhealth"]["routines"].insert_many(
        [old_form("4a0f6c1e-0000-4000-8000-000000000002", active=False) for _ in range(2)]
    )
    monkeypatch.setattr(db, "make_client", lambda settings: store)
    await db.connect(Settings(_env_file=None))  # type: ignore[call-arg]
    info = await store["peakhealth"]["routines"].index_information()
    assert ACTIVE_INDEX in info
