"""Stored routine assignments (`routine_assignments`) and the queries other capabilities make of
them."""

from typing import Any, Literal

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from peakhealth.plan.base import UUID_PATTERN, Weekday
from peakhealth.plan.reading import IdText
from peakhealth.timestamps import Stamped, UtcDatetime, utc_now

AssignmentStatus = Literal["active", "paused", "completed", "cancelled"]
LIVE: frozenset[str] = frozenset({"active", "paused"})  # the statuses that hold the live key
ENDED_PREFIX = "ended|"


def live_key(user_id: str, parent_routine_id: PydanticObjectId) -> str:
    """The value unique among live assignments: one per client and routine."""
    return f"{user_id}|{parent_routine_id}"


def ended_key(assignment_id: PydanticObjectId) -> str:
    """The `liveKey` of an assignment that is no longer live: its own, unique value. Every
    assignment has a key, so the unique index needs no sparse or partial filter and can be
    prefixed by the shard key (see README, "Scaling out")."""
    return f"{ENDED_PREFIX}{assignment_id}"


async def backfill_ended_keys(collection: Any) -> int:
    """Give every stored assignment without a `liveKey` (ended before keys were kept on ended
    assignments) its ended key, before the unique index is built; returns how many. One
    pipeline update (MongoDB 4.2+) that computes each document's own value; a no-op once
    done."""
    result = await collection.update_many(
        {"liveKey": {"$exists": False}},
        [{"$set": {"liveKey": {"$concat": [ENDED_PREFIX, {"$toString": "$_id"}]}}}],
    )
    return int(result.modified_count)


class Progress(BaseModel):
    """Derived from the assignment's sessions, never incremented."""

    completedWorkouts: int
    totalWorkouts: int
    lastWorkoutDate: UtcDatetime | None = None
    feedback: str | None = None


def no_progress() -> Progress:
    """A new assignment's progress."""
    return Progress(completedWorkouts=0, totalWorkouts=0)


class AssignmentFields(BaseModel):
    """What every stored assignment holds and every answer shows: the one list of these fields
    (`RoutineAssignment` stores them, `AssignmentView` answers them)."""

    routineVersionId: IdText
    parentRoutineId: IdText
    userId: str = Field(pattern=UUID_PATTERN)
    trainerId: str | None = None
    assignedBy: str
    assignedAt: UtcDatetime
    startDate: str  # YYYY-MM-DD
    endDate: str
    trainingDays: list[Weekday]
    scheduledTime: str | None = None  # HH:mm
    status: AssignmentStatus
    notesForUser: str | None = None
    replacesAssignmentId: IdText | None = None
    progress: Progress
    schemaVersion: int
    createdAt: UtcDatetime
    updatedAt: UtcDatetime


class RoutineAssignment(Document, Stamped, AssignmentFields):
    """One template routine version assigned to a client for `duration` weeks."""

    # What a new assignment starts with.
    assignedAt: UtcDatetime = Field(default_factory=utc_now)
    status: AssignmentStatus = "active"
    progress: Progress = Field(default_factory=no_progress)
    schemaVersion: int = 1

    class Settings:
        name = "routine_assignments"
        indexes = [
            IndexModel([("userId", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("trainerId", ASCENDING)]),
            IndexModel([("routineVersionId", ASCENDING), ("userId", ASCENDING)]),
            IndexModel([("userId", ASCENDING), ("parentRoutineId", ASCENDING)]),
            # `liveKey` is `client|routine` while an assignment is active or paused, and its own
            # `ended|<id>` once it is not: at most one live assignment of a routine per client,
            # even under concurrency. Every document has a key, so the index needs no sparse or
            # partial filter (on MongoDB a sparse compound index still indexes documents missing
            # the key, as null, and nulls collide); led by `userId`, the shard key, it stays
            # unique on a sharded cluster.
            IndexModel(
                [("userId", ASCENDING), ("liveKey", ASCENDING)],
                unique=True,
                name="one_live_assignment_per_routine_by_user",
            ),
        ]


async def is_live(assignment_id: PydanticObjectId, user_id: str) -> bool:
    """True while the assignment is active or paused."""
    found = await RoutineAssignment.get_motor_collection().find_one(
        {"_id": assignment_id, "userId": user_id, "status": {"$in": sorted(LIVE)}}, {"_id": 1}
    )
    return found is not None


async def pinned_versions(ids: list[PydanticObjectId]) -> set[PydanticObjectId]:
    """The template versions among `ids` that an assignment points to, whatever its status:
    they can be archived, never purged (the purge guard of the template chains)."""
    found = await RoutineAssignment.get_motor_collection().distinct(
        "routineVersionId", {"routineVersionId": {"$in": ids}}
    )
    return set(found)
