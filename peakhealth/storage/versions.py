"""The versions of version chains (library sections and workouts, template routines): the queries
the chain operations (`versioning.chains`), snapshots and assignments make of them. Every function
takes the document class, whose `scope` (`in_scope`) keeps kinds sharing a collection apart; the
caller adds what the policy allows (`peakhealth.policy`) to the filters it passes.

A version's content never changes; its `revision` counts its lifecycle changes (`isLatest`,
`isArchived`, `purgeAt`): every write that changes one increments it in the same update, and one
given an `expected` revision (If-Match) has it in its filter."""

from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from bson import ObjectId

from peakhealth import answers
from peakhealth.pages import read_page
from peakhealth.policy import Filter
from peakhealth.revisions import BEFORE_REVISIONS, BUMP, Expected, condition
from peakhealth.storage.changes import (
    TOMBSTONE_PROJECTION,
    leave_tombstones,
    stamped,
    stamped_new,
)
from peakhealth.versioning.documents import VersionedDocument


def _versions(cls: type[VersionedDocument]) -> Any:
    return cls.get_motor_collection()


# ----- reading ---------------------------------------------------------------------------------


async def find(
    cls: type[VersionedDocument], version_id: PydanticObjectId, **conditions: Any
) -> dict[str, Any] | None:
    """The version as stored (no validation), if it meets `conditions`."""
    found: dict[str, Any] | None = await _versions(cls).find_one(
        cls.in_scope({"_id": version_id, **conditions})
    )
    return found


async def read_answer(cls: type[VersionedDocument], query: Filter, kind: answers.Kind) -> Any:
    """The answer of the version matching `query` (scope added), kept or rendered, and its
    small fields."""
    return await answers.read_answer(_versions(cls), cls.in_scope(query), kind)


async def revision(cls: type[VersionedDocument], query: Filter) -> int | None:
    """The revision alone of the version matching `query` (scope added): what a 304 costs."""
    found = await _versions(cls).find_one(cls.in_scope(query), {"revision": 1})
    return None if found is None else int(found.get("revision") or BEFORE_REVISIONS)


async def page(
    cls: type[VersionedDocument],
    query: Filter,
    *,
    sort: list[tuple[str, Any]],
    skip: int,
    limit: int,
    projection: Filter | None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the versions matching `query` (scope added) and the total count."""
    return await read_page(
        _versions(cls),
        cls.in_scope(query),
        sort=sort,
        skip=skip,
        limit=limit,
        projection=projection,
    )


async def whole(cls: type[VersionedDocument], ids: list[PydanticObjectId]) -> list[dict[str, Any]]:
    """These versions, tree included (ids read from a scoped query: no scope needed again)."""
    rows: list[dict[str, Any]] = await _versions(cls).find({"_id": {"$in": ids}}).to_list(None)
    return rows


async def referenced(
    cls: type[VersionedDocument], ids: list[PydanticObjectId]
) -> list[dict[str, Any]]:
    """The versions of this kind among `ids` (a plan's references), in one `$in` query."""
    rows: list[dict[str, Any]] = (
        await _versions(cls).find(cls.in_scope({"_id": {"$in": ids}})).to_list(None)
    )
    return rows


# ----- one chain -------------------------------------------------------------------------------


def _chain(cls: type[VersionedDocument], chain_id: ObjectId) -> Filter:
    return cls.in_scope({cls.chain_field: chain_id})


async def insert(cls: type[VersionedDocument], stored: dict[str, Any]) -> None:
    """A new version, inserted as built (its content encoded once); DuplicateKeyError when its
    number is taken."""
    await _versions(cls).insert_one(stamped_new(stored))


async def exists(cls: type[VersionedDocument], version_id: PydanticObjectId) -> bool:
    return await _versions(cls).find_one({"_id": version_id}, {"_id": 1}) is not None


async def numbers(cls: type[VersionedDocument], chain_id: ObjectId) -> list[dict[str, Any]]:
    """The chain's versions with their number and creator (what a head is adopted from)."""
    rows: list[dict[str, Any]] = (
        await _versions(cls)
        .find(_chain(cls, chain_id), {"version": 1, "createdBy": 1})
        .to_list(None)
    )
    return rows


async def drop_pending(cls: type[VersionedDocument], chain_id: ObjectId) -> None:
    """Drop the chain's versions whose publish never made them latest."""
    await _versions(cls).delete_many({**_chain(cls, chain_id), "pendingLease": {"$ne": None}})


async def any_left(cls: type[VersionedDocument], chain_id: ObjectId) -> bool:
    return await _versions(cls).find_one(_chain(cls, chain_id), {"_id": 1}) is not None


async def flag_states(
    cls: type[VersionedDocument], chain_id: ObjectId, token: PydanticObjectId
) -> list[dict[str, Any]]:
    """The chain's versions with their flags and policy fields, but not the ones other lease
    holders inserted and never made latest."""
    projection = {"version": 1, "isArchived": 1, "isLatest": 1, "flagsBy": 1}
    projection.update({name: 1 for name in cls.policy_fields})
    chain = {cls.chain_field: chain_id, "pendingLease": {"$in": [None, token]}}
    rows: list[dict[str, Any]] = (
        await _versions(cls).find(cls.in_scope(chain), projection).to_list(None)
    )
    return rows


async def clear_latest(
    cls: type[VersionedDocument],
    seen: dict[Any, Any],
    stale: list[Any],
    token: PydanticObjectId,
) -> None:
    """Clear `isLatest` of the `stale` versions whose `flagsBy` is still as `seen`."""
    await _versions(cls).update_many(
        {"$or": [{"_id": id_, "flagsBy": seen[id_]} for id_ in stale]},
        stamped({"$set": {"isLatest": False, "flagsBy": token}, **BUMP}, _versions(cls)),
    )


async def make_latest(
    cls: type[VersionedDocument], version_id: Any, flags_by: Any, token: PydanticObjectId
) -> bool:
    """Make the version real (no longer pending) and latest, at once, if its `flagsBy` is still
    `flags_by` and it is not archived; False when it was changed meanwhile."""
    result = await _versions(cls).update_one(
        {"_id": version_id, "flagsBy": flags_by, "isArchived": False},
        stamped(
            {"$set": {"isLatest": True, "flagsBy": token}, "$unset": {"pendingLease": ""}, **BUMP},
            _versions(cls),
        ),
    )
    return bool(result.matched_count)


async def drop_unpublished(
    cls: type[VersionedDocument], version_id: PydanticObjectId, token: PydanticObjectId
) -> None:
    """Drop the version this lease inserted, unless it was made latest."""
    await _versions(cls).delete_one({"_id": version_id, "pendingLease": token})


async def archive(
    cls: type[VersionedDocument],
    version_id: PydanticObjectId | None,
    *,
    token: PydanticObjectId,
    now: datetime,
    purge_at: datetime,
    expected: Expected | None = None,
) -> bool:
    """False when the version was archived already (or not at the `expected` revision)."""
    result = await _versions(cls).update_one(
        cls.in_scope({"_id": version_id, "isArchived": False, **condition(expected)}),
        stamped(
            {
                "$set": {
                    "isArchived": True,
                    "isLatest": False,
                    "flagsBy": token,
                    "archivedAt": now,
                    "purgeAt": purge_at,
                    "updatedAt": now,
                },
                **BUMP,
            },
            _versions(cls),
        ),
    )
    return bool(result.matched_count)


async def unarchive(
    cls: type[VersionedDocument],
    version_id: PydanticObjectId | None,
    *,
    now: datetime,
    expected: Expected | None = None,
) -> bool:
    """False when the version is gone (purged), or not at the `expected` revision."""
    result = await _versions(cls).update_one(
        cls.in_scope({"_id": version_id, **condition(expected)}),
        stamped(
            {
                "$set": {
                    "isArchived": False,
                    "archivedAt": None,
                    "purgeAt": None,
                    "updatedAt": now,
                },
                **BUMP,
            },
            _versions(cls),
        ),
    )
    return bool(result.matched_count)


async def purge(
    cls: type[VersionedDocument],
    version_id: PydanticObjectId | None,
    expected: Expected | None = None,
) -> bool:
    """Delete the version if it is still archived (and at the `expected` revision), tombstoned
    first; False when it was not."""
    archived = cls.in_scope({"_id": version_id, "isArchived": True, **condition(expected)})
    found = await _versions(cls).find_one(archived, TOMBSTONE_PROJECTION)
    if found is None:
        return False
    await leave_tombstones(cls.resource_type, [found])
    result = await _versions(cls).delete_one(archived)
    return bool(result.deleted_count)


async def archived_ids(cls: type[VersionedDocument], query: Filter) -> list[PydanticObjectId]:
    """The ids of the versions matching `query` (scope added)."""
    rows = await _versions(cls).find(cls.in_scope(query), {"_id": 1}).to_list(None)
    return [row["_id"] for row in rows]


async def purge_many(cls: type[VersionedDocument], ids: list[PydanticObjectId]) -> int:
    """Delete these versions, those still archived, tombstoned first; returns how many went
    (one `$in` read and one `$in` delete)."""
    archived = cls.in_scope({"_id": {"$in": ids}, "isArchived": True})
    doomed = await _versions(cls).find(archived, TOMBSTONE_PROJECTION).to_list(None)
    if not doomed:
        return 0
    await leave_tombstones(cls.resource_type, doomed)
    result = await _versions(cls).delete_many(
        {**archived, "_id": {"$in": [row["_id"] for row in doomed]}}
    )
    return int(result.deleted_count)


async def chain_ids(cls: type[VersionedDocument], chain_id: ObjectId) -> list[Any]:
    """The ids of every version of the chain, whatever its state."""
    rows = await _versions(cls).find(_chain(cls, chain_id), {"_id": 1}).to_list(None)
    return [row["_id"] for row in rows]


async def delete_chain(cls: type[VersionedDocument], chain_id: ObjectId) -> int:
    """Delete every version of the chain, tombstoned first; returns how many went. Under the
    chain's lease nothing publishes meanwhile (a stalled holder's pending version was never
    shown, so it needs no tombstone)."""
    doomed = await _versions(cls).find(_chain(cls, chain_id), TOMBSTONE_PROJECTION).to_list(None)
    await leave_tombstones(cls.resource_type, doomed)
    result = await _versions(cls).delete_many(_chain(cls, chain_id))
    return int(result.deleted_count)
