"""An assignment's upgrade preview: the diff to the latest version and the sessions the upgrade
would delete and create, equal to what the upgrade then does, with nothing written; refused to
whoever the upgrade refuses."""

import copy
from typing import Any

import httpx
from fastapi import FastAPI

from peakhealth.sessions.documents import WorkoutSession
from tests.support.actions import linked_assignment, publish
from tests.support.callers import Caller
from tests.support.paths import ASSIGNMENTS, TEMPLATES
from tests.support.plans import two_workouts
from tests.support.problems import assert_problem
from tests.support.stored import calls_during, raw_sessions, stored_assignment

READS = {"find", "find_one", "count_documents"}


async def preview(
    client: httpx.AsyncClient, who: Caller, assignment_id: str, **params: str
) -> httpx.Response:
    return await client.get(
        f"{ASSIGNMENTS}/{assignment_id}/upgrade-preview", params=params, headers=who.headers
    )


async def upgraded_template(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> tuple[Any, Any, Any]:
    """Version 1 assigned (36 sessions from a Monday, the first two done), then version 2
    published with one heavier set and a third training day: v1, v2 and the assignment."""
    v1, assignment = await linked_assignment(client, admin, trainer, client_user, two_workouts())
    done = [row["_id"] for row in (await raw_sessions(assignment["id"]))[:2]]
    await WorkoutSession.get_motor_collection().update_many(
        {"_id": {"$in": done}}, {"$set": {"status": "completed"}}
    )
    edited = copy.deepcopy(v1)
    edited["workouts"][0]["sections"][0]["exercises"][0]["sets"][0]["weight"] = 110
    edited["duration"] = 4
    v2 = await publish(client, trainer, TEMPLATES, v1["id"], edited)
    return v1, v2, assignment


async def test_the_preview_counts_what_the_upgrade_then_does_and_writes_nothing(
    app: FastAPI, client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    v1, v2, assignment = await upgraded_template(client, admin, trainer, client_user)
    sessions_before = await raw_sessions(assignment["id"])
    assignment_before = await stored_assignment(assignment["id"])
    with calls_during(app.state.client) as calls:
        response = await preview(client, trainer, assignment["id"], fromDate="2026-12-09")
    assert response.status_code == 200, response.text
    assert set(calls) <= READS, calls  # nothing written
    assert calls["find"] == 1  # both versions in one $in query
    assert await raw_sessions(assignment["id"]) == sessions_before
    assert await stored_assignment(assignment["id"]) == assignment_before
    shown = response.json()
    diff = await client.get(
        f"{TEMPLATES}/{v2['id']}/diff", params={"against": v1["id"]}, headers=trainer.headers
    )
    assert shown["diff"] == diff.json()
    assert [(c["kind"], c["op"]) for c in shown["diff"]["changes"]] == [
        ("document", "changed"),
        ("set", "changed"),
    ]
    # a Wednesday, mon/wed/fri for four weeks: 12 sessions, the first that day
    assert shown["fromDate"] == shown["firstNewDate"] == "2026-12-09"
    assert (shown["sessionsToDelete"], shown["sessionsToCreate"]) == (34, 12)

    upgrade = await client.post(
        f"{ASSIGNMENTS}/{assignment['id']}/upgrade",
        json={"fromDate": "2026-12-09"},
        headers=trainer.headers,
    )
    assert upgrade.status_code == 201, upgrade.text
    created = await raw_sessions(upgrade.json()["id"])
    assert len(created) == shown["sessionsToCreate"]
    assert created[0]["scheduledDate"] == shown["firstNewDate"]
    left = await raw_sessions(assignment["id"])
    assert len(sessions_before) - len(left) == shown["sessionsToDelete"]


async def test_today_is_the_default_start_and_a_later_start_schedules_later(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    _, _, assignment = await upgraded_template(client, admin, trainer, client_user)
    today = (await preview(client, trainer, assignment["id"])).json()
    assert today["firstNewDate"] >= today["fromDate"]
    saturday = (await preview(client, trainer, assignment["id"], fromDate="2026-12-12")).json()
    assert saturday["firstNewDate"] == "2026-12-14"  # the next Monday


async def test_whoever_the_upgrade_refuses_the_preview_refuses_alike(
    client: httpx.AsyncClient,
    admin: Caller,
    trainer: Caller,
    other_trainer: Caller,
    client_user: Caller,
) -> None:
    _, _, assignment = await upgraded_template(client, admin, trainer, client_user)
    path = f"{ASSIGNMENTS}/{assignment['id']}"
    for who, status in ((client_user, 403), (other_trainer, 404)):
        shown = await preview(client, who, assignment["id"])
        done = await client.post(f"{path}/upgrade", json={}, headers=who.headers)
        assert shown.status_code == done.status_code == status
    cancelled = await client.patch(path, json={"status": "cancelled"}, headers=trainer.headers)
    assert cancelled.status_code == 200
    assert (await preview(client, trainer, assignment["id"])).status_code == 409
    assert (await client.post(f"{path}/upgrade", headers=trainer.headers)).status_code == 409


async def test_bad_ids_and_dates_are_422_naming_them(
    client: httpx.AsyncClient, trainer: Caller
) -> None:
    assert_problem(await preview(client, trainer, "nope"), "id")
    assert_problem(await preview(client, trainer, "a" * 24, fromDate="2026-02-30"), "fromDate")
    assert (await preview(client, trainer, "a" * 24)).status_code == 404
