"""Stored routine assignments (`routine_assignments`) and the queries other capabilities make of
them."""

from datetime import datetime
from typing import Any, Literal

from beanie import Document, PydanticObjectId, SortDirection
from bson import ObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel
from pymongo.errors import BulkWriteError, DuplicateKeyError

from peakhealth.pages import total_items
from peakhealth.plan.base import UUID_PATTERN, Weekday
from peakhealth.plan.reading import IdText
from peakhealth.policy import Filter
from peakhealth.revisions import BEFORE_REVISIONS, BUMP, Expected, Revision, condition
from peakhealth.storage.changes import (
    TOMBSTONE_PROJECTION,
    leave_tombstones,
    stamped,
    stamped_new,
)
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
    groupId: IdText | None = None  # made for a group's member (DOMAIN.md section 15)
    groupAssignmentId: IdText | None = None  # the same on every member's of one group assignment
    roundTo: float = Field(
        default=2.5, description="kg computed loads are rounded to (nearest multiple, halves up)"
    )
    progress: Progress
    revision: Revision = BEFORE_REVISIONS
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
            # A group's assignments (its calendar, a member leaving); sparse: most have none.
            IndexModel([("groupId", ASCENDING), ("userId", ASCENDING)], sparse=True),
            # The change feed (`GET /api/changes`): each reader field, then the feed's order.
            IndexModel([("userId", ASCENDING), ("changedAt", ASCENDING)]),
            IndexModel([("trainerId", ASCENDING), ("changedAt", ASCENDING)]),
            IndexModel([("changedAt", ASCENDING)]),  # the admins' feed
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


# ----- the queries of assignments --------------------------------------------------------------
# Every query of one client's assignments names the client (`userId`), the shard key; readers'
# filters come from the caller (`peakhealth.policy`). Every write that changes what a reader
# sees increments `revision` in the same update; one given an `expected` revision (If-Match)
# has it in its filter, so of two writers holding the same tag one matches.


def _assignments() -> Any:
    return RoutineAssignment.get_motor_collection()


async def find(assignment_id: PydanticObjectId | None, where: Filter) -> RoutineAssignment | None:
    """The assignment, if it also matches `where`."""
    return await RoutineAssignment.find_one({"_id": assignment_id, **where})


async def revision(assignment_id: PydanticObjectId, where: Filter) -> int | None:
    """The assignment's revision alone, if it also matches `where` (what a 304 costs)."""
    found = await _assignments().find_one({"_id": assignment_id, **where}, {"revision": 1})
    return None if found is None else int(found.get("revision") or BEFORE_REVISIONS)


async def page(query: Filter, *, skip: int, limit: int) -> tuple[list[RoutineAssignment], int]:
    """One page of the assignments matching `query`, newest first, and how many match in all."""
    items = (
        await RoutineAssignment.find(query)
        .sort([("assignedAt", SortDirection.DESCENDING), ("_id", SortDirection.DESCENDING)])
        .skip(skip)
        .limit(limit)
        .to_list()
    )
    return items, await total_items(skip, limit, len(items), RoutineAssignment.find(query).count)


async def is_live(assignment_id: PydanticObjectId, user_id: str) -> bool:
    """True while the assignment is active or paused."""
    found = await _assignments().find_one(
        {"_id": assignment_id, "userId": user_id, "status": {"$in": sorted(LIVE)}}, {"_id": 1}
    )
    return found is not None


async def pinned_versions(ids: list[PydanticObjectId]) -> set[PydanticObjectId]:
    """The template versions among `ids` that an assignment points to, whatever its status:
    they can be archived, never purged (the purge guard of the template chains)."""
    found = await _assignments().distinct("routineVersionId", {"routineVersionId": {"$in": ids}})
    return set(found)


async def is_assigned(version_id: PydanticObjectId, where: Filter) -> bool:
    """True when an assignment matching `where` points to the template version."""
    found = await _assignments().find_one({**where, "routineVersionId": version_id}, {"_id": 1})
    return found is not None


async def assigned_versions(where: Filter, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
    """The template version each assignment matching `where` in these statuses points to."""
    rows: list[dict[str, Any]] = await (
        _assignments()
        .find(
            {**where, "status": {"$in": list(statuses)}},
            {"routineVersionId": 1, "status": 1},
        )
        .to_list(None)
    )
    return rows


async def live_or_interrupted(user_ids: list[str], keys: list[str]) -> list[dict[str, Any]]:
    """The clients' live assignments holding one of `keys`, and any cancellation of theirs a
    failure cut short (`pendingCleanup`), in one read: their ids, clients, authors and keys."""
    rows: list[dict[str, Any]] = await (
        _assignments()
        .find(
            {
                "userId": {"$in": user_ids},
                "$or": [{"liveKey": {"$in": keys}}, {"pendingCleanup": True}],
            },
            {"_id": 1, "userId": 1, "assignedBy": 1, "liveKey": 1},
        )
        .to_list(None)
    )
    return rows


async def of_group(group_id: PydanticObjectId, user_ids: list[str], where: Filter) -> list[Any]:
    """The ids of the group's assignments of these members that also match `where`."""
    rows = await (
        _assignments()
        .find({"groupId": group_id, "userId": {"$in": user_ids}, **where}, {"_id": 1})
        .to_list(None)
    )
    return [row["_id"] for row in rows]


async def group_assignments_of(
    user_id: str, group_assignment_ids: list[PydanticObjectId]
) -> list[dict[str, Any]]:
    """The member's assignments made by these group assignments: ids, statuses and whose."""
    rows: list[dict[str, Any]] = await (
        _assignments()
        .find(
            {"userId": user_id, "groupAssignmentId": {"$in": group_assignment_ids}},
            {"_id": 1, "status": 1, "groupAssignmentId": 1},
        )
        .to_list(None)
    )
    return rows


async def interrupted_cleanups(user_id: str) -> list[PydanticObjectId]:
    """The client's cancelled assignments whose clean-up a failure cut short."""
    rows = await (
        _assignments().find({"userId": user_id, "pendingCleanup": True}, {"_id": 1}).to_list(None)
    )
    return [row["_id"] for row in rows]


async def holding_keys(stored: list[dict[str, Any]]) -> set[Any]:
    """Of these assignments (as stored), the ids of those still the live one of their routine
    (they hold their `liveKey`), in one read."""
    if not stored:
        return set()
    rows = await (
        _assignments()
        .find(
            {
                "userId": {"$in": sorted({row["userId"] for row in stored})},
                "$or": [{"_id": row["_id"], "liveKey": row["liveKey"]} for row in stored],
            },
            {"_id": 1},
        )
        .to_list(None)
    )
    return {row["_id"] for row in rows}


async def insert_all(stored: list[dict[str, Any]]) -> None:
    """New assignments as stored, in one write (in order: a failure leaves a prefix written);
    DuplicateKeyError when a live key is taken."""
    if len(stored) == 1:
        await _assignments().insert_one(stamped_new(stored[0]))
        return
    try:
        await _assignments().insert_many([stamped_new(row) for row in stored], ordered=True)
    except BulkWriteError as error:
        errors = error.details.get("writeErrors", [])
        if errors and all(item.get("code") == DUPLICATE_KEY for item in errors):
            raise DuplicateKeyError(str(errors[0].get("errmsg", "duplicate key"))) from error
        raise


DUPLICATE_KEY = 11000


async def end_live(
    assignment_id: PydanticObjectId,
    user_id: str,
    ended: dict[str, Any],
    expected: Expected | None = None,
) -> bool:
    """Write `ended` (its status, its ended key) if the assignment is still live (and at an
    `expected` revision); False when it was not."""
    result = await _assignments().update_one(
        {
            "_id": assignment_id,
            "userId": user_id,
            "status": {"$in": sorted(LIVE)},
            **condition(expected),
        },
        stamped({"$set": ended, **BUMP}, _assignments()),
    )
    return bool(result.modified_count)


async def move_status(
    assignment_id: PydanticObjectId,
    user_id: str,
    *,
    was: str,
    to: str,
    now: datetime,
    expected: Expected | None = None,
) -> bool:
    """Change the status if it is still `was` (and the revision `expected`); False when it
    changed meanwhile."""
    result = await _assignments().update_one(
        {"_id": assignment_id, "userId": user_id, "status": was, **condition(expected)},
        stamped({"$set": {"status": to, "updatedAt": now}, **BUMP}, _assignments()),
    )
    return bool(result.modified_count)


async def set_fields(
    assignment_id: PydanticObjectId,
    user_id: str,
    changes: Filter,
    expected: Expected | None = None,
) -> bool:
    """Write `changes` (at an `expected` revision); False when the assignment did not match."""
    result = await _assignments().update_one(
        {"_id": assignment_id, "userId": user_id, **condition(expected)},
        stamped({"$set": changes, **BUMP}, _assignments()),
    )
    return bool(result.matched_count)


async def clear_cleanup_mark(assignment_id: PydanticObjectId, user_id: str) -> None:
    # `pendingCleanup` is bookkeeping no reader sees: no new revision.
    await _assignments().update_one(
        {"_id": assignment_id, "userId": user_id}, {"$unset": {"pendingCleanup": ""}}
    )


async def delete(assignment_ids: list[PydanticObjectId], user_ids: list[str]) -> None:
    """Delete these assignments (of these clients), tombstoned first."""
    query = {"_id": {"$in": assignment_ids}, "userId": {"$in": user_ids}}
    found = await _assignments().find(query, TOMBSTONE_PROJECTION).to_list(None)
    if not found:
        return
    await leave_tombstones("assignment", found)
    await _assignments().delete_many({**query, "_id": {"$in": [row["_id"] for row in found]}})


# An assignment's progress is recounted from its sessions (`sessions.progress`): each recount
# claims a round first and writes only while its round is still the last one claimed.


async def claim_progress_round(assignment_id: PydanticObjectId, user_id: str) -> ObjectId | None:
    """A fresh round claimed on the assignment; None when there is no such assignment."""
    round_ = ObjectId()
    # `progressRound` is bookkeeping no reader sees: no new revision.
    claimed = await _assignments().update_one(
        {"_id": assignment_id, "userId": user_id}, {"$set": {"progressRound": round_}}
    )
    return round_ if claimed.matched_count else None


async def record_progress(
    assignment_id: PydanticObjectId,
    user_id: str,
    round_: ObjectId,
    *,
    completed: int,
    total: int,
    last_completed: datetime | None,
    now: datetime,
) -> None:
    """Store the counted progress if `round_` is still the last one claimed and the count
    differs from the stored one: a recount that finds nothing new writes nothing, so the
    revision (and the tags callers hold) stay."""
    counted = {
        "progress.completedWorkouts": completed,
        "progress.totalWorkouts": total,
        "progress.lastWorkoutDate": last_completed,
    }
    await _assignments().update_one(
        {"_id": assignment_id, "userId": user_id, "progressRound": round_, "$nor": [counted]},
        stamped({"$set": {**counted, "updatedAt": now}, **BUMP}, _assignments()),
    )


async def complete_if_active(
    assignment_id: PydanticObjectId, user_id: str, round_: ObjectId, *, now: datetime
) -> None:
    """Complete the assignment if it is active and `round_` is still the last one claimed."""
    await _assignments().update_one(
        {"_id": assignment_id, "userId": user_id, "progressRound": round_, "status": "active"},
        stamped(
            {
                "$set": {
                    "status": "completed",
                    "updatedAt": now,
                    "liveKey": ended_key(assignment_id),
                },
                **BUMP,
            },
            _assignments(),
        ),
    )
