"""No edit of a routine ever rewrites the snapshot of a session already scheduled from it: after
every kind of edit, the stored `workoutSnapshot` of each such session encodes to the same BSON
bytes as before (same keys, same order, same types, same element ids). Template routines reach
sessions through assignments; user routines through POST /api/workout-sessions."""

import copy
from typing import Any

import bson
import httpx
from beanie import PydanticObjectId

from peakhealth.sessions.documents import WorkoutSession
from tests.support.actions import create, linked_assignment
from tests.support.callers import Caller
from tests.support.paths import ROUTINES, SECTIONS, SESSIONS, TEMPLATES
from tests.support.plans import strength_section, template_body, warmup_section


async def snapshots(query: dict[str, Any]) -> dict[Any, bytes]:
    """The stored snapshot of every session `query` finds, as BSON bytes, by session id."""
    rows = await WorkoutSession.get_motor_collection().find(query).to_list(None)
    assert rows
    return {row["_id"]: bson.encode(row["workoutSnapshot"]) for row in rows}


def edited(shown: dict[str, Any]) -> dict[str, Any]:
    """A routine as read, changed everywhere a snapshot holds something, element ids kept: the
    edit most likely to be mistaken for the same workout."""
    body = copy.deepcopy(shown)
    for workout in body["workouts"]:
        workout["name"] = f"{workout['name']} (edited)"
        workout["objective"] = "Edited"
        for section in workout["sections"]:
            section["name"] = f"{section['name']} (edited)"
            for exercise in section["exercises"]:
                for planned in exercise["sets"]:
                    if "reps" in planned:
                        planned["reps"] += 1
    return body


def two_days(first_section: Any) -> list[dict[str, Any]]:
    return [
        {"name": "A", "type": "strength", "objective": "Legs", "sections": [first_section]},
        {"name": "B", "type": "strength", "sections": [warmup_section(), strength_section()]},
    ]


async def ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201, 204), response.text
    return response.json() if response.content else None


async def test_no_template_edit_rewrites_an_assigned_session_snapshot(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    section = await create(client, trainer, SECTIONS, strength_section("From the library"))
    body = template_body(two_days(section["id"]), duration=2, allowCopy=True, isPublic=True)
    v1, assignment = await linked_assignment(client, admin, trainer, client_user, body)
    sessions = {"routineAssignmentId": PydanticObjectId(assignment["id"])}
    before = await snapshots(sessions)
    t, c = trainer.headers, client_user.headers

    async def unchanged(step: str) -> None:
        assert await snapshots(sessions) == before, step

    v2 = await ok(await client.put(f"{TEMPLATES}/{v1['id']}", json=edited(v1), headers=t))
    await unchanged("new version, same element ids")
    other = template_body(two_days(strength_section("Other")), duration=2, allowCopy=True)
    v3 = await ok(await client.put(f"{TEMPLATES}/{v2['id']}", json=other, headers=t))
    await unchanged("new version, new content")
    await ok(await client.put(f"{SECTIONS}/{section['id']}", json=edited_section(), headers=t))
    await unchanged("new version of a referenced library section")
    for version in (v1, v3):
        await ok(await client.put(f"{TEMPLATES}/{version['id']}/archive", headers=t))
        await unchanged(f"archive version {version['version']}")
    await ok(await client.put(f"{TEMPLATES}/{v1['id']}/unarchive", headers=t))
    await unchanged("unarchive")
    await ok(await client.delete(f"{TEMPLATES}/{v3['id']}", headers=t))
    await unchanged("purge of another archived version")

    # a copy keeps the template's element ids: editing it must not reach the template's sessions
    own = await ok(await client.post(f"{TEMPLATES}/{v1['id']}/copy", headers=c))
    await ok(await client.put(f"{ROUTINES}/{own['id']}", json=edited(own), headers=c))
    await ok(await client.patch(f"{ROUTINES}/{own['id']}", json={"name": "Mine"}, headers=c))
    await ok(await client.post(f"{ROUTINES}/{own['id']}/activate", headers=c))
    await ok(await client.delete(f"{ROUTINES}/{own['id']}", headers=c))
    await unchanged("edits of a copy that shares the element ids")


def edited_section() -> dict[str, Any]:
    section = strength_section("From the library, changed")
    section["exercises"][0]["sets"] = [{"repType": "fixed", "reps": 3, "weight": 120}]
    return section


async def test_no_user_routine_edit_rewrites_a_scheduled_session_snapshot(
    client: httpx.AsyncClient, trainer: Caller, client_user: Caller
) -> None:
    h = client_user.headers
    section = await create(client, trainer, SECTIONS, {**strength_section(), "isPublic": True})
    routine = await create(
        client, client_user, ROUTINES, template_body(two_days(section["id"]), duration=2)
    )
    other = await create(client, client_user, ROUTINES, template_body(two_days(warmup_section())))
    made = []
    for index, day in enumerate(("2026-12-01", "2026-12-03", "2026-12-08")):
        workout = routine["workouts"][index % 2]
        request = {"routineId": routine["id"], "workoutId": workout["id"], "scheduledDate": day}
        made.append(await create(client, client_user, SESSIONS, request))
    await ok(
        await client.put(f"{SESSIONS}/{made[0]['id']}", json={"status": "completed"}, headers=h)
    )
    sessions = {"routineId": PydanticObjectId(routine["id"])}
    before = await snapshots(sessions)
    assert len(before) == 3
    path = f"{ROUTINES}/{routine['id']}"

    async def unchanged(step: str) -> None:
        assert await snapshots(sessions) == before, step

    await ok(await client.put(path, json=edited(routine), headers=h))
    await unchanged("replace, same element ids")
    patch = {"name": "Renamed", "description": None, "schedule": {"trainingDays": ["tue"]}}
    await ok(await client.patch(path, json=patch, headers=h))
    await unchanged("patch")
    await ok(await client.post(f"{path}/favorite", headers=h))
    await unchanged("favorite")
    await ok(await client.post(f"{path}/activate", headers=h))
    await unchanged("activate")
    await ok(await client.post(f"{ROUTINES}/{other['id']}/activate", headers=h))
    await unchanged("deactivated by activating another")
    # last but one: the workouts get new ids, which later edits could no longer match
    replacement = template_body(two_days(strength_section("New")), duration=3)
    await ok(await client.put(path, json=replacement, headers=h))
    await unchanged("replace, new content")
    await ok(await client.delete(path, headers=h))
    await unchanged("delete")
