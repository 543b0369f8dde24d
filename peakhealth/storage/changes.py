"""What the change feed (`GET /api/changes`) reads: the `changedAt` stamp every covered write
sets, the tombstones deletions leave (`tombstones`), and the feed's queries of both.

Stamps. Every write of a covered document (sessions, assignments, user routines, template and
library versions) sets `changedAt` in the same operation, through `stamped` (updates) or
`stamped_new`
(inserts), so a repository's write differs from before by one call. On a real MongoDB an update
stamps with the server's clock (`$currentDate`, evaluated as the write applies), so a change
becomes visible at most the server's own commit latency after its stamp, whichever instance made
it. An insert cannot ask for the server's clock: it carries this process's, so the settle window
(CHANGES_SETTLE_SECONDS) also covers the clock skew between instances and the database (keep
them in sync with NTP). The embedded store lives in this process: its clock is this process's
clock, taken before the call (as a slow server commits a stamp late).

Tombstones. A deletion first writes one tombstone per document it deletes (`leave_tombstones`),
with the fields the read rules need, then deletes: a crash between the two leaves a tombstone of
a document that still exists, never a deleted document without one. The feed reports such a
document as it stands instead of as deleted (`peakhealth.changes.service`). Tombstones expire
after 30 days (TTL index)."""

from datetime import datetime, timedelta
from typing import Any

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from peakhealth.policy import Filter
from peakhealth.storage.leases import server_clock
from peakhealth.timestamps import UtcDatetime, utc_now

CHANGED_AT = "changedAt"
TOMBSTONE_DAYS = 30
# What a tombstone keeps of the deleted document: the fields the read rules filter on.
READER_FIELDS = ("userId", "trainerId", "createdBy", "routineType")


def stamped(update: Any, collection: Any) -> Any:
    """`update` (an update document or pipeline) that also sets `changedAt`, by the database's
    clock on a server (see the module)."""
    if isinstance(update, list):  # a pipeline update
        now: Any = "$$NOW" if server_clock(collection) else utc_now()
        return [*update, {"$set": {CHANGED_AT: now}}]
    if server_clock(collection):
        return {**update, "$currentDate": {CHANGED_AT: True}}
    return {**update, "$set": {**update.get("$set", {}), CHANGED_AT: utc_now()}}


def stamped_new(document: dict[str, Any]) -> dict[str, Any]:
    """A document about to be inserted, stamped (this process's clock: see the module)."""
    document[CHANGED_AT] = utc_now()
    return document


class Tombstone(Document):
    """A deleted document, as the change feed reports it for `TOMBSTONE_DAYS`."""

    resourceType: str
    resourceId: PydanticObjectId
    revision: int
    changedAt: UtcDatetime = Field(default_factory=utc_now)
    # The read rules' fields of the deleted document (those it had).
    userId: str | None = None
    trainerId: str | None = None
    createdBy: str | None = None
    routineType: str | None = None

    class Settings:
        name = "tombstones"
        indexes = [
            # One per reader field, the shard key (`userId`) first, then the feed's order.
            IndexModel(
                [("userId", ASCENDING), (CHANGED_AT, ASCENDING), ("resourceType", ASCENDING)]
            ),
            IndexModel(
                [("trainerId", ASCENDING), (CHANGED_AT, ASCENDING), ("resourceType", ASCENDING)]
            ),
            IndexModel(
                [("createdBy", ASCENDING), (CHANGED_AT, ASCENDING), ("resourceType", ASCENDING)]
            ),
            # Expiry, and the admins' feed, which no reader field narrows.
            IndexModel(
                [(CHANGED_AT, ASCENDING)],
                expireAfterSeconds=int(timedelta(days=TOMBSTONE_DAYS).total_seconds()),
            ),
        ]


def _tombstones() -> Any:
    return Tombstone.get_motor_collection()


async def leave_tombstones(resource_type: str, rows: list[dict[str, Any]]) -> None:
    """One tombstone per row (each read with `_id`, `revision` and the `READER_FIELDS`), before
    the rows are deleted."""
    if not rows:
        return
    now = utc_now()
    await _tombstones().insert_many(
        [
            {
                "resourceType": resource_type,
                "resourceId": row["_id"],
                # The deletion is one more change of the document.
                "revision": int(row.get("revision", 1)) + 1,
                CHANGED_AT: now,
                **{name: row[name] for name in READER_FIELDS if row.get(name) is not None},
            }
            for row in rows
        ]
    )


TOMBSTONE_PROJECTION: dict[str, int] = {"_id": 1, "revision": 1} | {
    name: 1 for name in READER_FIELDS
}


# ----- the feed's queries ----------------------------------------------------------------------


async def database_now() -> datetime | None:
    """The database's clock, on a server (one `hello` round trip); None on the embedded store,
    whose clock is this process's."""
    collection = _tombstones()
    if not server_clock(collection):
        return None
    answer = await collection.database.command("hello")
    now: datetime = answer["localTime"]
    return now


async def changed(
    document: Any,
    query: Filter,
    *,
    sort: list[tuple[str, Any]],
    limit: int,
    projection: Filter | None,
) -> list[dict[str, Any]]:
    """At most `limit` documents of `query` in `sort` order, from the collection of the
    document class `document` (one query)."""
    rows: list[dict[str, Any]] = (
        await document.get_motor_collection()
        .find(query, projection)
        .sort(sort)
        .limit(limit)
        .to_list(None)
    )
    return rows


async def tombstones_after(
    query: Filter, *, sort: list[tuple[str, Any]], limit: int
) -> list[dict[str, Any]]:
    return await changed(Tombstone, query, sort=sort, limit=limit, projection=None)
