"""Groups over HTTP (DOMAIN.md section 15): a trainer's class assigned one routine in one
request, members joining later and leaving, the group calendar, who sees a group, bad input."""

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from beanie import PydanticObjectId
from fastapi import FastAPI

from peakhealth.embedded import EmbeddedClient
from peakhealth.storage.assignments import RoutineAssignment
from peakhealth.storage.groups import Group
from tests.support.actions import create, link, move
from tests.support.callers import Caller, make_caller
from tests.support.paths import ASSIGNMENTS, MONDAY, TEMPLATES
from tests.support.plans import two_workouts
from tests.support.problems import assert_problem
from tests.support.stored import calls_during, raw_sessions

GROUPS = "/api/groups"
NEXT_MONDAY = "2026-11-30"  # a week after MONDAY, when the group's routine started


async def class_of(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, size: int
) -> tuple[str, list[Caller]]:
    """A group of `size` new clients of `trainer`: its id and the members."""
    group = await create(client, trainer, GROUPS, {"name": "6 am class"})
    members = [make_caller("client") for _ in range(size)]
    for member in members:
        await link(client, admin, trainer, member)
        added = await client.put(
            f"{GROUPS}/{group['id']}/members/{member.id}", headers=trainer.headers
        )
        assert added.status_code == 204, added.text
    return group["id"], members


async def assign_group(
    client: httpx.AsyncClient, trainer: Caller, version_id: str, group_id: str
) -> httpx.Response:
    body = {"routineVersionId": version_id, "groupId": group_id, "startDate": MONDAY}
    return await client.post(ASSIGNMENTS, json=body, headers=trainer.headers)


async def stored_count(document: Any) -> int:
    return int(await document.get_motor_collection().count_documents({}))


async def test_a_class_of_30_gets_one_routine_in_one_request_at_the_cost_of_one_member(
    app: FastAPI, client: httpx.AsyncClient, admin: Caller, trainer: Caller
) -> None:
    routine = await create(client, trainer, TEMPLATES, two_workouts())
    one, _ = await class_of(client, admin, trainer, 1)
    thirty, members = await class_of(client, admin, trainer, 30)
    with calls_during(app.state.client) as alone:
        assert (await assign_group(client, trainer, routine["id"], one)).status_code == 201
    with calls_during(app.state.client) as calls:
        response = await assign_group(client, trainer, routine["id"], thirty)
    assert response.status_code == 201, response.text
    # As many database calls as for one member: one bulk write per collection.
    assert calls.total() == alone.total()
    assert calls["insert_many"] == 2  # the assignments and all their sessions
    answer = response.json()
    made = answer["assignments"]
    assert sorted(item["userId"] for item in made) == sorted(member.id for member in members)
    assert {item["groupAssignmentId"] for item in made} == {answer["groupAssignmentId"]}
    assert {item["trainerId"] for item in made} == {trainer.id}
    assert response.headers["Location"].endswith(f"{GROUPS}/{thirty}")
    for item in made[:3]:
        assert len(await raw_sessions(item["id"])) == 36
    mine = await client.get(ASSIGNMENTS, headers=members[0].headers)
    assert mine.json()["data"][0]["groupAssignmentId"] == answer["groupAssignmentId"]


async def test_the_31st_joins_next_week_and_is_scheduled_from_that_day(
    app: FastAPI, client: httpx.AsyncClient, admin: Caller, trainer: Caller
) -> None:
    routine = await create(client, trainer, TEMPLATES, two_workouts())
    group_id, _ = await class_of(client, admin, trainer, 30)
    made = (await assign_group(client, trainer, routine["id"], group_id)).json()
    first = await raw_sessions(made["assignments"][0]["id"])
    late = make_caller("client")
    await link(client, admin, trainer, late)
    app.state.clock = lambda: datetime(2026, 11, 30, 7, tzinfo=UTC)  # next Monday
    joined = await client.put(f"{GROUPS}/{group_id}/members/{late.id}", headers=trainer.headers)
    assert joined.status_code == 204, joined.text
    theirs = (await client.get(ASSIGNMENTS, headers=late.headers)).json()["data"]
    assert len(theirs) == 1
    assert theirs[0]["startDate"] == NEXT_MONDAY
    assert theirs[0]["endDate"] == made["assignments"][0]["endDate"]  # ends with the class
    assert theirs[0]["groupAssignmentId"] == made["groupAssignmentId"]
    sessions = await raw_sessions(theirs[0]["id"])
    # The class's own days and workouts from that Monday on: its first week is not theirs.
    later = [row for row in first if row["scheduledDate"] >= NEXT_MONDAY]
    assert [(row["scheduledDate"], row["workoutId"]) for row in sessions] == [
        (row["scheduledDate"], row["workoutId"]) for row in later
    ]
    assert theirs[0]["progress"]["totalWorkouts"] == len(later) == 33
    calendar = await client.get(
        f"{GROUPS}/{group_id}/sessions",
        params={"from": MONDAY, "to": "2026-11-29", "limit": 100},
        headers=trainer.headers,
    )
    assert calendar.status_code == 200, calendar.text
    assert calendar.json()["pagination"]["totalItems"] == 30 * 3  # the first week: 30 members
    assert late.id not in {row["userId"] for row in calendar.json()["data"]}


async def test_one_leaves_their_scheduled_sessions_go_their_completed_ones_stay(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller
) -> None:
    routine = await create(client, trainer, TEMPLATES, two_workouts())
    group_id, members = await class_of(client, admin, trainer, 3)
    made = (await assign_group(client, trainer, routine["id"], group_id)).json()
    leaver = members[0]
    theirs = next(item for item in made["assignments"] if item["userId"] == leaver.id)
    done = (await raw_sessions(theirs["id"]))[0]
    assert await move(client, leaver, done["_id"], "completed") == 200
    left = await client.delete(f"{GROUPS}/{group_id}/members/{leaver.id}", headers=trainer.headers)
    assert left.status_code == 204, left.text
    kept = await raw_sessions(theirs["id"])
    assert [(row["_id"], row["status"]) for row in kept] == [(done["_id"], "completed")]
    assignment = await client.get(f"{ASSIGNMENTS}/{theirs['id']}", headers=trainer.headers)
    assert assignment.json()["status"] == "cancelled"
    group = (await client.get(f"{GROUPS}/{group_id}", headers=trainer.headers)).json()
    assert leaver.id not in group["memberIds"]
    others = [item for item in made["assignments"] if item["userId"] != leaver.id]
    for item in others:
        assert len(await raw_sessions(item["id"])) == 36


async def test_a_member_who_is_not_the_trainers_client_is_403_and_nothing_is_written(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller
) -> None:
    routine = await create(client, trainer, TEMPLATES, two_workouts())
    group_id, members = await class_of(client, admin, trainer, 2)
    stranger = make_caller("client")
    refused = await client.put(
        f"{GROUPS}/{group_id}/members/{stranger.id}", headers=trainer.headers
    )
    assert refused.status_code == 403, refused.text
    group = (await client.get(f"{GROUPS}/{group_id}", headers=trainer.headers)).json()
    assert stranger.id not in group["memberIds"]
    # A member whose link ended meanwhile: assigning the group is refused as a whole.
    gone = await client.delete(
        f"/api/trainers/{trainer.id}/clients/{members[1].id}", headers=admin.headers
    )
    assert gone.status_code == 204
    response = await assign_group(client, trainer, routine["id"], group_id)
    assert response.status_code == 403, response.text
    assert await stored_count(RoutineAssignment) == 0


async def test_only_the_groups_trainer_and_admins_see_it(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, other_trainer: Caller
) -> None:
    group_id, members = await class_of(client, admin, trainer, 1)
    for stranger in (other_trainer, members[0]):
        assert (
            await client.get(f"{GROUPS}/{group_id}", headers=stranger.headers)
        ).status_code == 404
        listed = await client.get(GROUPS, headers=stranger.headers)
        assert listed.json()["data"] == []
        routine = await create(client, other_trainer, TEMPLATES, two_workouts())
        assert (
            await assign_group(client, other_trainer, routine["id"], group_id)
        ).status_code == 404
    assert (await client.get(f"{GROUPS}/{group_id}", headers=admin.headers)).status_code == 200
    assert (
        await client.post(GROUPS, json={"name": "x"}, headers=members[0].headers)
    ).status_code == 403


async def test_unknown_group_404_and_user_and_group_together_422(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller, client_user: Caller
) -> None:
    routine = await create(client, trainer, TEMPLATES, two_workouts())
    unknown = await assign_group(client, trainer, routine["id"], "6571c0ffee0ddba11f00d000")
    assert unknown.status_code == 404, unknown.text
    group_id, _ = await class_of(client, admin, trainer, 1)
    body = {
        "routineVersionId": routine["id"],
        "groupId": group_id,
        "userId": client_user.id,
        "startDate": MONDAY,
    }
    both = await client.post(ASSIGNMENTS, json=body, headers=trainer.headers)
    assert_problem(both, "groupId")
    del body["groupId"], body["userId"]
    assert_problem(await client.post(ASSIGNMENTS, json=body, headers=trainer.headers), "groupId")
    assert await stored_count(RoutineAssignment) == 0


async def test_a_group_is_a_revisioned_document(
    client: httpx.AsyncClient, admin: Caller, trainer: Caller
) -> None:
    group_id, _ = await class_of(client, admin, trainer, 1)
    read = await client.get(f"{GROUPS}/{group_id}", headers=trainer.headers)
    tag = read.headers["ETag"]
    assert tag == '"2"'  # created, then one member joined
    renamed = await client.patch(
        f"{GROUPS}/{group_id}", json={"name": "7 am"}, headers={**trainer.headers, "If-Match": tag}
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "7 am"
    stale = await client.delete(
        f"{GROUPS}/{group_id}", headers={**trainer.headers, "If-Match": tag}
    )
    assert stale.status_code == 412
    assert await stored_count(Group) == 1
    gone = await client.delete(
        f"{GROUPS}/{group_id}", headers={**trainer.headers, "If-Match": renamed.headers["ETag"]}
    )
    assert gone.status_code == 204
    assert (await client.get(f"{GROUPS}/{group_id}", headers=trainer.headers)).status_code == 404


async def members_settled(group_id: str, members: list[Caller]) -> None:
    """Each member has at most one live assignment of the group's routine, and every live one
    has all its sessions: nothing half-written."""
    for member in members:
        rows = await (
            RoutineAssignment.get_motor_collection()
            .find({"userId": member.id, "status": {"$in": ["active", "paused"]}})
            .to_list(None)
        )
        assert len(rows) <= 1, rows
        for row in rows:
            assert len(await raw_sessions(str(row["_id"]))) == row["progress"]["totalWorkouts"]
    group = await Group.get_motor_collection().find_one({"_id": PydanticObjectId(group_id)})
    assert group is not None
    recorded = {entry["groupAssignmentId"] for entry in group["assignments"]}
    made = await RoutineAssignment.get_motor_collection().distinct("groupAssignmentId")
    assert recorded <= set(made)  # no group assignment recorded without its members'
    live = await RoutineAssignment.get_motor_collection().distinct(
        "groupAssignmentId", {"status": "active", "userId": {"$in": [m.id for m in members]}}
    )
    assert set(live) <= recorded  # nor members' live ones the group does not know of


@pytest.mark.parametrize("lost_answer", [False, True])
async def test_a_group_assignment_failing_at_any_call_leaves_nothing_half_written(
    app: FastAPI, client: httpx.AsyncClient, admin: Caller, trainer: Caller, lost_answer: bool
) -> None:
    store: EmbeddedClient = app.state.client
    routine = await create(client, trainer, TEMPLATES, two_workouts())
    group_id, _ = await class_of(client, admin, trainer, 3)
    before = store.total_calls()
    assert (await assign_group(client, trainer, routine["id"], group_id)).status_code == 201
    total = store.total_calls() - before
    outcomes = []
    for at in range(1, total + 1):
        group_id, members = await class_of(client, admin, trainer, 3)
        store.fail_call(at, lost_answer=lost_answer)
        response = await assign_group(client, trainer, routine["id"], group_id)
        store.heal()
        outcomes.append(response.status_code)
        assert response.status_code in (201, 503), (at, response.text)
        await members_settled(group_id, members)
        again = await assign_group(client, trainer, routine["id"], group_id)
        assert again.status_code == 201, (at, again.text)
        await members_settled(group_id, members)
    assert 503 in outcomes and 201 in outcomes, outcomes


async def test_two_trainers_requests_assigning_one_group_at_once_leave_one_live_each(
    interleaved_client: httpx.AsyncClient,
) -> None:
    http = interleaved_client
    admin, trainer = make_caller("admin"), make_caller("trainer")
    routine = await create(http, trainer, TEMPLATES, two_workouts())
    group_id, members = await class_of(http, admin, trainer, 5)
    answers = await asyncio.gather(
        *(assign_group(http, trainer, routine["id"], group_id) for _ in range(3))
    )
    assert {answer.status_code for answer in answers} <= {201, 409}, [a.text for a in answers]
    assert 201 in {answer.status_code for answer in answers}
    await members_settled(group_id, members)


async def test_a_rename_while_a_group_is_assigned_keeps_the_assignments(
    app: FastAPI, client: httpx.AsyncClient, admin: Caller, trainer: Caller
) -> None:
    """The group assignment stalls before recording itself on the group; the trainer renames
    the group meanwhile. The members and assignments are as read, so the record is written:
    201, every member assigned."""
    routine = await create(client, trainer, TEMPLATES, two_workouts())
    group_id, members = await class_of(client, admin, trainer, 2)
    hold = app.state.client.hold_call(1, collection="groups", name="find_one_and_update")
    assigning = asyncio.create_task(assign_group(client, trainer, routine["id"], group_id))
    await hold.reached.wait()
    renamed = await client.patch(
        f"{GROUPS}/{group_id}", json={"name": "7 am class"}, headers=trainer.headers
    )
    assert renamed.status_code == 200, renamed.text
    hold.release()
    made = await assigning
    assert made.status_code == 201, made.text
    live = await RoutineAssignment.get_motor_collection().count_documents({"status": "active"})
    assert live == len(members)
