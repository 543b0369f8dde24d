"""The requests tests make: create, fill a library, link a trainer and a client, assign a
routine, change a session, and the performance logs sent with it."""

from typing import Any

import httpx

from tests.support.callers import Caller
from tests.support.paths import ASSIGNMENTS, MONDAY, SECTIONS, SESSIONS, TEMPLATES, WORKOUTS
from tests.support.plans import strength_section, warmup_section


async def create(client: httpx.AsyncClient, who: Caller, path: str, body: Any) -> Any:
    """POST a body that must be accepted; the created document."""
    response = await client.post(path, json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def publish(
    client: httpx.AsyncClient, who: Caller, path: str, version_id: str, body: Any
) -> Any:
    """PUT a whole body as the chain's new version, which must be accepted; that version."""
    response = await client.put(f"{path}/{version_id}", json=body, headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def archive(client: httpx.AsyncClient, who: Caller, path: str, version_id: str) -> None:
    """`who` archives a version of the chain at `path`, which must be accepted."""
    response = await client.put(f"{path}/{version_id}/archive", headers=who.headers)
    assert response.status_code == 200, response.text


async def link(client: httpx.AsyncClient, admin: Caller, trainer: Caller, who: Caller) -> None:
    """An admin makes `who` a client of `trainer`."""
    response = await client.put(
        f"/api/trainers/{trainer.id}/clients/{who.id}", headers=admin.headers
    )
    assert response.status_code == 204


async def assign(
    client: httpx.AsyncClient, by: Caller, version_id: str, to: Caller, **extra: Any
) -> httpx.Response:
    """`by` assigns a routine version to `to`, starting on a Monday; the answer, unchecked."""
    body = {"routineVersionId": version_id, "userId": to.id, "startDate": MONDAY, **extra}
    return await client.post(ASSIGNMENTS, json=body, headers=by.headers)


async def put_session(
    client: httpx.AsyncClient, who: Caller, session_id: str, body: Any
) -> httpx.Response:
    return await client.put(f"{SESSIONS}/{session_id}", json=body, headers=who.headers)


async def move(client: httpx.AsyncClient, who: Caller, session_id: Any, status: str) -> int:
    """`who` moves a session to `status`; the answer's status code."""
    return (await put_session(client, who, str(session_id), {"status": status})).status_code


def squat_of(workout: dict[str, Any]) -> tuple[str, str, list[str]]:
    """Of a stored workout made of a warm-up and `strength_section()`: the main section's id,
    its squat's id and the squat's set ids."""
    main = workout["sections"][1]
    squat = main["exercises"][0]
    return str(main["_id"]), str(squat["_id"]), [str(item["_id"]) for item in squat["sets"]]


def squat_log(workout: dict[str, Any], *performances: dict[str, Any], **entry: Any) -> Any:
    """A log of the squat's first sets, one per performance given."""
    section_id, squat_id, set_ids = squat_of(workout)
    sets = [
        {"setId": set_id, "performance": performance}
        for set_id, performance in zip(set_ids, performances, strict=False)
    ]
    exercise = {"exerciseEntryId": squat_id, **entry, "sets": sets}
    return {"sections": [{"sectionId": section_id, "exercises": [exercise]}]}


async def linked_assignment(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, who: Caller, body: Any
) -> tuple[Any, Any]:
    """`trainer` creates the template routine `body`, `admin` links them to `who` and the
    trainer assigns it: the created routine and assignment."""
    routine = await create(client, trainer, TEMPLATES, body)
    await link(client, admin, trainer, who)
    made = await assign(client, trainer, routine["id"], who)
    assert made.status_code == 201, made.text
    return routine, made.json()


async def library_day(
    client: httpx.AsyncClient, trainer: Caller, name: str = "Day A"
) -> tuple[Any, Any, Any]:
    """A warm-up and a strength section in `trainer`'s library, and a library workout `name`
    referencing both: the three created documents."""
    warmup = await create(client, trainer, SECTIONS, warmup_section())
    main = await create(client, trainer, SECTIONS, strength_section())
    workout = await create(
        client,
        trainer,
        WORKOUTS,
        {"name": name, "type": "strength", "sections": [warmup["id"], main["id"]]},
    )
    return warmup, main, workout
