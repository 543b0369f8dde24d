"""What the database holds, read and written straight (around the API): the stored rows tests
check, rows in the form the service's code stores them, and the calls made to the store."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
from beanie import PydanticObjectId

from peakhealth.embedded import EmbeddedClient
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.routines.user_documents import UserRoutineDocument
from peakhealth.sessions.documents import WorkoutSession, workout_snapshot
from peakhealth.storage.assignments import RoutineAssignment, ended_key, live_key
from peakhealth.timestamps import utc_now
from tests.support.actions import create
from tests.support.callers import Caller
from tests.support.paths import TEMPLATES
from tests.support.plans import strength_section, template_body, warmup_section

# A stored template routine and its first workout, which sessions are inserted from.
Plan = tuple[dict[str, Any], dict[str, Any]]


@contextmanager
def calls_during(store: EmbeddedClient) -> Iterator[Counter[str]]:
    """The store's calls made inside the block, by name (names not called are left out)."""
    before = Counter(store.calls)
    made: Counter[str] = Counter()
    yield made
    made.update(store.calls - before)


async def raw_sessions(assignment_id: str) -> list[dict[str, Any]]:
    """The stored sessions of an assignment, in sequence order."""
    rows: list[dict[str, Any]] = (
        await WorkoutSession.get_motor_collection()
        .find({"routineAssignmentId": PydanticObjectId(assignment_id)})
        .sort([("sequence", 1)])
        .to_list(None)
    )
    return rows


async def raw_session(session_id: str) -> dict[str, Any]:
    stored = await WorkoutSession.get_motor_collection().find_one(
        {"_id": PydanticObjectId(session_id)}
    )
    assert stored is not None
    return dict(stored)


async def stored_assignment(assignment_id: str) -> dict[str, Any]:
    found = await RoutineAssignment.get_motor_collection().find_one(
        {"_id": PydanticObjectId(assignment_id)}
    )
    assert found is not None
    return dict(found)


async def raw_user_routine(routine_id: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await UserRoutineDocument.get_motor_collection().find_one(
        {"_id": PydanticObjectId(routine_id)}
    )
    return row


async def template_workout(client: httpx.AsyncClient, trainer: Caller) -> Plan:
    """A template routine created through the API, as stored, and its first workout (a warm-up
    section, then squats and push-ups)."""
    day = {
        "name": "Day A",
        "type": "strength",
        "objective": "Legs and push",
        "sections": [warmup_section(), strength_section()],
    }
    routine = await create(client, trainer, TEMPLATES, template_body([day]))
    stored = await TemplateRoutineDocument.get_motor_collection().find_one(
        {"_id": PydanticObjectId(routine["id"])}
    )
    assert stored is not None
    return stored, stored["workouts"][0]


async def insert_session(
    routine: dict[str, Any],
    workout: dict[str, Any],
    user: Caller,
    *,
    trainer: Caller | None = None,
    scheduled_date: str = "2025-03-03",
    scheduled_time: str | None = None,
    sequence: int | None = None,
    status: str = "scheduled",
    assignment_id: PydanticObjectId | None = None,
) -> str:
    """A session of a stored routine's workout, inserted with its snapshot (not scheduled through
    an assignment); its id."""
    session = WorkoutSession(
        userId=user.id,
        trainerId=trainer.id if trainer else None,
        routineAssignmentId=assignment_id,
        parentRoutineId=routine["parentRoutineId"],
        routineVersionId=routine["_id"],
        workoutId=workout["_id"],
        scheduledDate=scheduled_date,
        scheduledTime=scheduled_time,
        sequence=sequence,
        status=status,  # type: ignore[arg-type]
        workoutSnapshot=workout_snapshot(workout),
    )
    await session.insert()
    return str(session.id)


async def insert_user_routine(owner: Caller, workout: dict[str, Any]) -> PydanticObjectId:
    """A user-created routine stored as that code stores it: routine fields flat, workouts
    embedded with `_id`."""
    routine_id = PydanticObjectId()
    now = datetime.now(UTC)
    await UserRoutineDocument.get_motor_collection().insert_one(
        {
            "_id": routine_id,
            "routineType": "user-created",
            "userId": owner.id,
            "name": "My plan",
            "difficulty": "beginner",
            "goal": "strength",
            "duration": 4,
            "workouts": [workout],
            "isActive": False,
            "isFavorite": False,
            "completedWorkouts": 0,
            "totalWorkouts": 1,
            "lastUsed": None,
            "schemaVersion": 1,
            "createdAt": now,
            "updatedAt": now,
        }
    )
    return routine_id


async def insert_assignment(version_id: str, user: Caller, status: str = "active") -> None:
    """An assignment row as the assignments code stores it (only what the routines code reads),
    with no sessions."""
    assignment_id = PydanticObjectId()
    live = status in ("active", "paused")
    await RoutineAssignment.get_motor_collection().insert_one(
        {
            "_id": assignment_id,
            "liveKey": live_key(user.id, assignment_id) if live else ended_key(assignment_id),
            "routineVersionId": PydanticObjectId(version_id),
            "parentRoutineId": PydanticObjectId(version_id),
            "userId": user.id,
            "status": status,
            "startDate": "2030-01-07",
            "endDate": "2030-02-17",
            "trainingDays": ["mon"],
        }
    )


def user_routine_row(user_id: str, **fields: Any) -> dict[str, Any]:
    """An inactive user routine in the stored form of schema version 2 (one workout, no
    sections), without `activeKey`; `fields` are added or replace the defaults."""
    now = utc_now()
    return {
        "_id": PydanticObjectId(),
        "routineType": "user-created",
        "userId": user_id,
        "isActive": False,
        "isFavorite": False,
        "completedWorkouts": 0,
        "totalWorkouts": 0,
        "schemaVersion": 2,
        "createdAt": now,
        "updatedAt": now,
        "name": "Plan",
        "difficulty": "beginner",
        "goal": "strength",
        "duration": 4,
        "objectives": [],
        "schedule": {"trainingDays": ["mon"]},
        "workouts": [
            {"_id": PydanticObjectId(), "name": "Day", "type": "strength", "sections": []}
        ],
        "counts": {"workouts": 1, "sections": 0, "exercises": 0, "sets": 0},
        **fields,
    }
