"""Stored groups (`groups`): a trainer's named set of their own clients, and the routine versions
assigned to the group (`assignments`), which members who join later are assigned from.

Sharding: a group is its trainer's (`trainerId`, the shard key), so every index a request uses
starts with it; one group is read by `_id` (a targeted read once `trainerId` is in the filter the
policy adds, a scatter-gather for admins)."""

from typing import Any

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from peakhealth.pages import read_page
from peakhealth.plan.base import UUID_PATTERN, Weekday
from peakhealth.plan.reading import IdText
from peakhealth.policy import Filter
from peakhealth.revisions import BEFORE_REVISIONS, BUMP, FIRST, Expected, Revision, condition
from peakhealth.timestamps import Stamped, UtcDatetime, utc_now

MAX_MEMBERS = 100  # a class, not a client list: one assignment writes every member's sessions


class GroupAssignment(BaseModel):
    """A routine version assigned to the group: what a member who joins later is assigned."""

    groupAssignmentId: IdText
    routineVersionId: IdText
    parentRoutineId: IdText
    startDate: str
    endDate: str
    trainingDays: list[Weekday]
    scheduledTime: str | None = None
    notesForUser: str | None = None
    roundTo: float | None = Field(
        default=None, description="kg its computed loads are rounded to (members who join too)"
    )
    assignedBy: str
    assignedAt: UtcDatetime


class GroupFields(BaseModel):
    """What every stored group holds and every answer shows."""

    trainerId: str = Field(pattern=UUID_PATTERN)
    name: str
    memberIds: list[str]
    assignments: list[GroupAssignment] = Field(default_factory=list)
    revision: Revision = BEFORE_REVISIONS
    schemaVersion: int = 1
    createdAt: UtcDatetime
    updatedAt: UtcDatetime


class Group(Document, Stamped, GroupFields):
    class Settings:
        name = "groups"
        indexes = [
            # The trainer's list, newest first; `trainerId` (the shard key) leads.
            IndexModel([("trainerId", ASCENDING), ("createdAt", DESCENDING), ("_id", DESCENDING)]),
        ]


def _groups() -> Any:
    return Group.get_motor_collection()


async def insert(group: dict[str, Any]) -> None:
    await _groups().insert_one(group)


async def find(group_id: PydanticObjectId, where: Filter) -> dict[str, Any] | None:
    """The group, if it also matches `where` (the caller's read rule)."""
    found: dict[str, Any] | None = await _groups().find_one({"_id": group_id, **where})
    return found


async def revision(group_id: PydanticObjectId, where: Filter) -> int | None:
    found = await _groups().find_one({"_id": group_id, **where}, {"revision": 1})
    return None if found is None else int(found.get("revision") or BEFORE_REVISIONS)


async def page(where: Filter, *, skip: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the groups matching `where`, newest first, and how many match in all."""
    return await read_page(
        _groups(),
        where,
        sort=[("createdAt", DESCENDING), ("_id", DESCENDING)],
        skip=skip,
        limit=limit,
    )


async def change(
    group_id: PydanticObjectId,
    where: Filter,
    update: dict[str, Any],
    expected: Expected | None,
    *,
    also: Filter | None = None,
) -> dict[str, Any] | None:
    """Apply `update` (a new revision) if the group matches `where`, `also` and the `expected`
    revision; the group after it, or None when it did not match."""
    changed: dict[str, Any] | None = await _groups().find_one_and_update(
        {"_id": group_id, **where, **(also or {}), **condition(expected)},
        {**update, "$set": {**update.get("$set", {}), "updatedAt": utc_now()}, **BUMP},
        return_document=ReturnDocument.AFTER,
    )
    return changed


def join(client_id: str) -> tuple[dict[str, Any], Filter]:
    """The update adding a member, and the condition that keeps the group under MAX_MEMBERS
    (the array position MAX_MEMBERS-1 does not exist yet)."""
    return (
        {"$addToSet": {"memberIds": client_id}},
        {f"memberIds.{MAX_MEMBERS - 1}": {"$exists": False}},
    )


async def delete(group_id: PydanticObjectId, where: Filter, expected: Expected | None) -> bool:
    result = await _groups().delete_one({"_id": group_id, **where, **condition(expected)})
    return bool(result.deleted_count)


def new_group(trainer_id: str, name: str) -> dict[str, Any]:
    """A group as first stored: no members yet."""
    now = utc_now()
    return {
        "_id": PydanticObjectId(),
        "trainerId": trainer_id,
        "name": name,
        "memberIds": [],
        "assignments": [],
        "revision": FIRST,
        "schemaVersion": 1,
        "createdAt": now,
        "updatedAt": now,
    }
