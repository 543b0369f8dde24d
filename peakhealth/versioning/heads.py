"""Chain heads: one small document per version chain, changed only by single-document atomic
operations, so a chain stays consistent on a standalone MongoDB without transactions.

The head holds the owner, the highest version number ever issued (`lastVersion`, taken with
`$inc`, so a number is never reused even after the top version is purged), the latest version's
id, and a lease. Every change of a chain runs under its lease: a conditional `$set` that only one
request at a time can win. The lease expires, so a crashed process cannot block a chain for
longer than `LEASE`; its end is judged by the database's clock, never by comparing clocks of two
instances. The lease's token fences its holder: `confirm` before writing versions and the release
only land while the head still carries it."""

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from beanie import Document, PydanticObjectId
from bson import ObjectId
from pydantic import Field
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, PyMongoError

from peakhealth.errors import Conflict, NotFound
from peakhealth.storage import leases
from peakhealth.timestamps import UtcDatetime, utc_now

LEASE = timedelta(seconds=30)
WAIT_SECONDS = 15.0


class ChainHead(Document):
    """The head of one version chain (`_id` is the chain id)."""

    collection: str
    createdBy: str
    lastVersion: int = Field(ge=1)
    latestId: PydanticObjectId | None = None
    adminOnly: bool = False
    leaseToken: PydanticObjectId | None = None
    leaseUntil: UtcDatetime | None = None
    needsRepair: bool = False
    schemaVersion: int = 1
    createdAt: UtcDatetime = Field(default_factory=utc_now)
    updatedAt: UtcDatetime = Field(default_factory=utc_now)

    class Settings:
        name = "chain_heads"


@dataclass
class Lease:
    """A held lease on a chain, with the head as it was when the lease was won. `settled` is
    what the head records when the lease is released (the latest version's id and policy)."""

    token: PydanticObjectId
    chain_id: ObjectId
    owner: str
    admin_only: bool
    needs_repair: bool = False  # taken over from a holder that never let go, or marked
    dropped: bool = False  # the head was deleted with the chain: nothing to release
    settled: dict[str, Any] = field(default_factory=dict)


def _heads() -> Any:
    return ChainHead.get_motor_collection()


async def create_head(
    chain_id: PydanticObjectId, *, collection: str, owner: str, admin_only: bool
) -> None:
    """The head of a new chain whose version 1 is `chain_id`."""
    now = utc_now()
    await _heads().insert_one(
        {
            "_id": chain_id,
            "collection": collection,
            "createdBy": owner,
            "lastVersion": 1,
            "latestId": chain_id,
            "adminOnly": admin_only,
            "leaseToken": None,
            "leaseUntil": None,
            "schemaVersion": 1,
            "createdAt": now,
            "updatedAt": now,
        }
    )


async def adopt_chain(
    chain_id: PydanticObjectId, *, collection: str, versions: list[dict[str, Any]]
) -> bool:
    """Give a head to a chain stored before heads existed; False when the chain has no version
    left (it was deleted)."""
    if not versions:
        return False
    top = max(versions, key=lambda row: row["version"])
    with suppress(DuplicateKeyError):  # adopted by a concurrent request
        await _heads().insert_one(
            {
                "_id": chain_id,
                "collection": collection,
                "createdBy": top["createdBy"],
                "lastVersion": top["version"],
                "latestId": None,
                "adminOnly": False,
                "leaseToken": None,
                "leaseUntil": None,
                "schemaVersion": 1,
                "createdAt": utc_now(),
                "updatedAt": utc_now(),
            }
        )
    return True


def _server_clock() -> bool:
    """True on a real MongoDB: lease times are then the server's (`peakhealth.storage.leases`)."""
    return leases.server_clock(_heads())


def _lease_until() -> Any:
    """The update that sets `leaseUntil` to now + LEASE by the database's clock."""
    return leases.lease_until(LEASE, on_server=_server_clock())


def _expired() -> dict[str, Any]:
    """The filter of a head whose lease has ended, by the database's clock."""
    return leases.expired(on_server=_server_clock())


async def _try_acquire(chain_id: ObjectId, token: PydanticObjectId) -> Any:
    """The head as it was before this request won its lease with `token` (None if it did not):
    its `leaseToken` is not None when the lease was taken over from a holder that never let
    go, whose work may be half done."""
    update = _lease_until()
    if isinstance(update, list):
        update = [{"$set": {"leaseToken": token}}, *update]
    else:
        update["$set"]["leaseToken"] = token
    head = await _heads().find_one_and_update(
        {"_id": chain_id, "$or": [{"leaseToken": None}, _expired()]},
        update,
        return_document=ReturnDocument.BEFORE,
    )
    return head


Repair = Callable[[Lease], Awaitable[None]]


@asynccontextmanager
async def chain_lease(
    chain_id: ObjectId, *, kind: str, adopt: Any = None, repair: Repair | None = None
) -> AsyncIterator[Lease]:
    """Hold the chain's lease for the block. Waits (with jittered back-off) while another
    request holds it; 409 after `WAIT_SECONDS`; NotFound when the chain is gone. `adopt` is
    awaited once when the chain has no head, and says whether the chain still exists (and now
    has a head).

    `repair` brings a chain left half-changed back to a consistent state. It runs first when
    the lease was taken over from a holder that never released it, or when an earlier holder
    failed and marked the head `needsRepair`; and it runs when the block fails on a database
    error, before the lease is released. A holder without `repair` (assignments) keeps the
    mark for the next one that has it. The release only lands while the lease is still this
    request's."""
    deadline = time.monotonic() + WAIT_SECONDS
    pause = 0.002
    adopted = False
    while True:
        token = PydanticObjectId()
        try:
            head = await _try_acquire(chain_id, token)
        except PyMongoError:
            # The lease may have been won with the answer lost: give it back if we can.
            with suppress(PyMongoError):
                await _heads().update_one(
                    {"_id": chain_id, "leaseToken": token},
                    {"$set": {"leaseToken": None, "leaseUntil": None, "needsRepair": True}},
                )
            raise
        if head is not None:
            break
        if await _heads().find_one({"_id": chain_id}, {"_id": 1}) is None:
            if adopted or adopt is None or not await adopt():
                raise NotFound(f"this {kind} no longer exists")
            adopted = True
            continue
        if time.monotonic() > deadline:
            raise Conflict(f"this {kind} is being changed by other requests; try again")
        await asyncio.sleep(random.uniform(pause / 2, pause))
        pause = min(pause * 2, 0.1)
    lease = Lease(
        token=token,
        chain_id=chain_id,
        owner=head["createdBy"],
        admin_only=bool(head.get("adminOnly")),
        needs_repair=head.get("leaseToken") is not None or bool(head.get("needsRepair")),
    )
    try:
        if lease.needs_repair and repair is not None:
            await repair(lease)
            lease.needs_repair = False
        yield lease
        # Refused when the lease was taken over after the block's last write: its writes were
        # checked (`confirm`, flags compared-and-set) and stand, so the request succeeded, and
        # the holder that took over recorded the head.
        await _release(lease, keep_mark=repair is None)
    except BaseException as error:
        await _recover(lease, repair, failed=isinstance(error, PyMongoError | Conflict))
        raise


async def _release(lease: Lease, *, keep_mark: bool = False) -> bool:
    """Release the lease and record what the holder settled, in one write that only lands while
    the lease is still ours; False when it was taken over."""
    if lease.dropped:
        return True
    released: dict[str, Any] = {"leaseToken": None, "leaseUntil": None, **lease.settled}
    if lease.settled:
        released["updatedAt"] = utc_now()
        released["needsRepair"] = False
    elif keep_mark and lease.needs_repair:
        released["needsRepair"] = True
    result = await _heads().update_one(
        {"_id": lease.chain_id, "leaseToken": lease.token}, {"$set": released}
    )
    return bool(result.matched_count)


async def _recover(lease: Lease, repair: Repair | None, *, failed: bool) -> None:
    """After the block `failed` (the database, or a 409: a write found the chain changed under
    it): repair and release when the database answers again; else mark the head for repair and
    release; else leave the lease to expire (the next holder repairs). Any other error (403,
    404) came before a write: just release. A holder without `repair` writes no versions, so
    its failure leaves nothing to repair: it only passes on a mark it inherited."""
    if repair is not None and (failed or lease.needs_repair):
        lease.settled = {}
        try:
            await repair(lease)
            if await _release(lease):
                return
        except (PyMongoError, Conflict):
            pass
        lease.settled = {}
        lease.needs_repair = True
    with suppress(PyMongoError, Conflict):
        await _release(lease, keep_mark=True)


async def confirm(lease: Lease) -> None:
    """Check that the lease is still ours, and extend it, right before writing versions; 409 when
    it was taken over (the holder stalled past its lease), so a stale holder writes nothing."""
    result = await _heads().update_one(
        {"_id": lease.chain_id, "leaseToken": lease.token}, _lease_until()
    )
    if result.matched_count == 0:
        raise Conflict("the chain was taken over by another request meanwhile; try again")


async def take_version_number(lease: Lease) -> int:
    """The chain's next version number: the highest ever issued + 1, never reused."""
    head = await _heads().find_one_and_update(
        {"_id": lease.chain_id, "leaseToken": lease.token},
        {"$inc": {"lastVersion": 1}},
        projection={"lastVersion": 1},
        return_document=ReturnDocument.AFTER,
    )
    if head is None:
        raise Conflict("the chain changed hands while this request waited; try again")
    return int(head["lastVersion"])


async def drop_head(lease: Lease) -> None:
    """Remove the head of a deleted chain (only while the lease is ours); later requests on it
    answer 404."""
    result = await _heads().delete_one({"_id": lease.chain_id, "leaseToken": lease.token})
    if result.deleted_count == 0:
        raise Conflict("the chain was taken over by another request meanwhile; try again")
    lease.dropped = True


async def forget_head(chain_id: PydanticObjectId) -> None:
    """Remove the head of a chain whose creation failed before its version was stored."""
    await _heads().delete_one({"_id": chain_id, "leaseToken": None})


async def abandoned(collection: str) -> list[PydanticObjectId]:
    """Chains of `collection` some request left half-changed: marked for repair, or holding a
    lease that expired (its holder died or lost the database)."""
    rows = (
        await _heads()
        .find(
            {
                "collection": collection,
                "$or": [{"needsRepair": True}, {"leaseToken": {"$ne": None}, **_expired()}],
            },
            {"_id": 1},
        )
        .to_list(None)
    )
    return [row["_id"] for row in rows]


async def read_head(chain_id: ObjectId) -> dict[str, Any] | None:
    head: dict[str, Any] | None = await _heads().find_one({"_id": chain_id})
    return head
