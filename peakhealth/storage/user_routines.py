"""Stored user routines (in `routines`, beside the template versions): the queries the user
routines and the sessions scheduled from them make. Who may see which routine is the caller's
filter (`policy.own_user_routines`: scope and owner), passed in as `owned`. Every write that
changes a routine increments its `revision` in the same update; one given an `expected` revision
(If-Match) has it in its filter."""

from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from pymongo import ReturnDocument

from peakhealth.pages import read_page
from peakhealth.policy import Filter
from peakhealth.revisions import BEFORE_REVISIONS, BUMP, Expected, condition
from peakhealth.routines.user_documents import ACTIVE_KEY, UserRoutineDocument
from peakhealth.storage.changes import (
    TOMBSTONE_PROJECTION,
    leave_tombstones,
    stamped,
    stamped_new,
)


def _routines() -> Any:
    return UserRoutineDocument.get_motor_collection()


# ----- reading ---------------------------------------------------------------------------------


async def find(owned: Filter, projection: Filter | None = None) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await _routines().find_one(owned, projection)
    return found


async def revision(owned: Filter) -> int | None:
    """The revision alone of the routine `owned` finds (what a 304 costs)."""
    found = await _routines().find_one(owned, {"revision": 1})
    return None if found is None else int(found.get("revision") or BEFORE_REVISIONS)


async def page(
    query: Filter,
    *,
    sort: list[tuple[str, Any]],
    skip: int,
    limit: int,
    projection: Filter | None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of `query` over the routines collection (user routines and template versions)
    and how many match in all."""
    return await read_page(
        _routines(), query, sort=sort, skip=skip, limit=limit, projection=projection
    )


async def whole(query: Filter, ids: list[PydanticObjectId]) -> list[dict[str, Any]]:
    """These routines of `query`, tree included, in one `$in` query."""
    rows: list[dict[str, Any]] = (
        await _routines().find({"$and": [query, {"_id": {"$in": ids}}]}).to_list(None)
    )
    return rows


# ----- changing --------------------------------------------------------------------------------


async def add(document: UserRoutineDocument) -> None:
    await _routines().insert_one(stamped_new(document.stored()))


async def change(
    owned: Filter, update: Filter, expected: Expected | None = None
) -> dict[str, Any] | None:
    """Apply `update` to the routine `owned` finds (at an `expected` revision); the routine
    after, or None when it is gone (or at another revision)."""
    row: dict[str, Any] | None = await _routines().find_one_and_update(
        {**owned, **condition(expected)},
        stamped({**update, **BUMP}, _routines()),
        return_document=ReturnDocument.AFTER,
    )
    return row


async def delete(owned: Filter, expected: Expected | None = None) -> bool:
    """Delete the routine `owned` finds (at the revision `expected`), tombstoned first; False
    when there is none."""
    found = await _routines().find_one({**owned, **condition(expected)}, TOMBSTONE_PROJECTION)
    if found is None:
        return False
    await leave_tombstones("routine", [found])
    result = await _routines().delete_one({**owned, "_id": found["_id"], **condition(expected)})
    return bool(result.deleted_count)


async def flip_favorite(
    owned: Filter, *, was: bool, now: datetime, expected: Expected | None = None
) -> bool:
    """Set `isFavorite` to `not was` if it is still `was` (and the revision `expected`); False
    when it changed meanwhile."""
    flag = {"isFavorite": True} if was else {"isFavorite": {"$ne": True}}
    result = await _routines().update_one(
        {**owned, **flag, **condition(expected)},
        stamped({"$set": {"isFavorite": not was, "updatedAt": now}, **BUMP}, _routines()),
    )
    return bool(result.matched_count)


async def deactivate_others(
    owned: Filter, *, user_id: str, keep: PydanticObjectId, now: datetime
) -> None:
    """Clear the active routine of the owner unless it is `keep`: its key becomes its own `_id`
    (an update pipeline reads it; see `user_documents`)."""
    # A pipeline takes no `$inc`: the revision is added to, a missing one counted as 0.
    bumped = {"$add": [{"$ifNull": ["$revision", BEFORE_REVISIONS]}, 1]}
    await _routines().update_many(
        {**owned, ACTIVE_KEY: user_id, "_id": {"$ne": keep}},
        stamped(
            [
                {
                    "$set": {
                        "isActive": False,
                        ACTIVE_KEY: "$_id",
                        "updatedAt": now,
                        "revision": bumped,
                    }
                }
            ],
            _routines(),
        ),
    )


async def make_active(
    owned: Filter, *, user_id: str, now: datetime, expected: Expected | None = None
) -> dict[str, Any] | None:
    """Make the routine its owner's active one; DuplicateKeyError while another one is."""
    return await change(
        owned, {"$set": {"isActive": True, ACTIVE_KEY: user_id, "updatedAt": now}}, expected
    )


async def record_completions(
    routine_id: PydanticObjectId, user_id: str, *, completed: int, last_used: Any
) -> None:
    """Store the routine's count of completed sessions and its latest completion, unless a
    higher count is stored (completion is final: the count only grows) or exactly these (a
    repeated recount writes nothing, so the revision stays)."""
    counted = {"completedWorkouts": completed, "lastUsed": last_used}
    await _routines().update_one(
        {
            "_id": routine_id,
            "userId": user_id,
            "routineType": "user-created",
            "$nor": [{"completedWorkouts": {"$gt": completed}}, counted],
        },
        stamped({"$set": counted, **BUMP}, _routines()),
    )
