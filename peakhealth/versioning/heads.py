"""Chain heads: one small document per version chain, changed only by single-document atomic
operations, so a chain stays consistent on a standalone MongoDB without transactions.

The head holds the owner, the highest version number ever issued (`lastVersion`, taken with
`$inc`, so a number is never reused even after the top version is purged), the latest version's
id, and a lease. Every change of a chain runs under its lease: a conditional `$set` that only one
request at a time can win. The lease expires, so a crashed process cannot block a chain for
longer than `LEASE`."""

import asyncio
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from peakhealth.errors import Conflict, NotFound
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
    chain_id: PydanticObjectId
    owner: str
    admin_only: bool
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


async def _try_acquire(chain_id: PydanticObjectId) -> tuple[Any, Any]:
    token = PydanticObjectId()
    now = utc_now()
    update = {"$set": {"leaseToken": token, "leaseUntil": now + LEASE}}
    head = await _heads().find_one_and_update(
        {"_id": chain_id, "$or": [{"leaseToken": None}, {"leaseUntil": {"$lt": now}}]},
        update,
        return_document=ReturnDocument.AFTER,
    )
    return token, head


@asynccontextmanager
async def chain_lease(
    chain_id: PydanticObjectId, *, kind: str, adopt: Any = None
) -> AsyncIterator[Lease]:
    """Hold the chain's lease for the block. Waits (with jittered back-off) while another
    request holds it; 409 after `WAIT_SECONDS`; NotFound when the chain is gone. `adopt` is
    awaited once when the chain has no head, and says whether the chain still exists (and now
    has a head)."""
    deadline = time.monotonic() + WAIT_SECONDS
    pause = 0.002
    adopted = False
    while True:
        token, head = await _try_acquire(chain_id)
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
    )
    try:
        yield lease
    finally:
        # Releasing and recording the settled latest pointer are one atomic update.
        released: dict[str, Any] = {"leaseToken": None, "leaseUntil": None, **lease.settled}
        if lease.settled:
            released["updatedAt"] = utc_now()
        await _heads().update_one({"_id": chain_id, "leaseToken": token}, {"$set": released})


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
    """Remove the head of a deleted chain; later requests on it answer 404."""
    await _heads().delete_one({"_id": lease.chain_id, "leaseToken": lease.token})


async def read_head(chain_id: PydanticObjectId) -> dict[str, Any] | None:
    head: dict[str, Any] | None = await _heads().find_one({"_id": chain_id})
    return head
