"""Stored webhook subscriptions (`webhook_subscriptions`), their deliveries
(`webhook_deliveries`, the queue and the delivery log in one) and the delivery worker's lease
(`webhook_leases`), with every query the webhooks capability makes of them.

Sharding: both collections are keyed by the subscriber (`ownerId`), so every unique or compound
index a request uses starts with it. The worker's scan of due deliveries spans every subscriber
(a scatter-gather on a sharded cluster, once per round, on its own index)."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from peakhealth.pages import read_page
from peakhealth.revisions import BUMP
from peakhealth.storage import leases
from peakhealth.timestamps import UtcDatetime, utc_now

DeliveryStatus = Literal["pending", "delivered", "failed"]
DUPLICATE_KEY = 11000


class SigningSecret(BaseModel):
    secret: str
    expiresAt: UtcDatetime | None = None  # a rotated-out secret signs until then


class WebhookSubscription(Document):
    """Where and which events one subscriber wants delivered."""

    ownerId: str
    ownerRole: str  # the subscriber's role when subscribing: the read rules of their events
    url: str
    events: list[str]
    description: str | None = None
    enabled: bool = True
    secrets: list[SigningSecret]  # the current one first
    revision: int = 1
    cursor: str | None = None  # where in the change source the last stored delivery came from
    lastSequence: int = 0  # numbers this subscription's deliveries, in the order they are sent
    failingSince: UtcDatetime | None = None  # first failed attempt since the last success
    disabledAt: UtcDatetime | None = None
    disabledReason: str | None = None
    schemaVersion: int = 1
    createdAt: UtcDatetime = Field(default_factory=utc_now)
    updatedAt: UtcDatetime = Field(default_factory=utc_now)

    class Settings:
        name = "webhook_subscriptions"
        indexes = [
            # The subscriber's list, newest first; `ownerId` (the shard key) leads.
            IndexModel([("ownerId", ASCENDING), ("createdAt", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("enabled", ASCENDING)]),  # the worker's round over live subscriptions
        ]


class Attempt(BaseModel):
    """One attempt of one delivery, as the delivery log shows it."""

    attempt: int
    at: UtcDatetime
    responseStatus: int | None = None
    durationMs: float
    error: str | None = None


class WebhookDelivery(Document):
    """One event for one subscription: stored before it is sent, marked after every attempt."""

    ownerId: str
    subscriptionId: PydanticObjectId
    eventId: str  # `webhook-id`: the same on every attempt, so receivers can drop repeats
    type: str
    resourceKey: str  # deliveries of one resource go out in `sequence` order
    sequence: int
    body: str  # the JSON sent, fixed when the delivery is stored
    status: DeliveryStatus = "pending"
    attempt: int = 0  # attempts made
    nextAttemptAt: UtcDatetime | None = None
    attempts: list[Attempt] = Field(default_factory=list)
    createdAt: UtcDatetime = Field(default_factory=utc_now)
    updatedAt: UtcDatetime = Field(default_factory=utc_now)

    class Settings:
        name = "webhook_deliveries"
        indexes = [
            # One delivery per event and subscription: deriving the same changes again (a
            # worker that stopped before keeping its cursor) stores nothing twice. Led by the
            # shard key, so it stays unique on a sharded cluster.
            IndexModel(
                [("ownerId", ASCENDING), ("subscriptionId", ASCENDING), ("eventId", ASCENDING)],
                unique=True,
                name="one_delivery_per_event_by_owner",
            ),
            # The delivery log, newest first.
            IndexModel(
                [
                    ("ownerId", ASCENDING),
                    ("subscriptionId", ASCENDING),
                    ("createdAt", DESCENDING),
                    ("_id", DESCENDING),
                ]
            ),
            # The worker: what is due, and what of a resource is still waiting before it.
            IndexModel([("status", ASCENDING), ("nextAttemptAt", ASCENDING)]),
            IndexModel(
                [
                    ("ownerId", ASCENDING),
                    ("subscriptionId", ASCENDING),
                    ("resourceKey", ASCENDING),
                    ("status", ASCENDING),
                    ("sequence", ASCENDING),
                ]
            ),
        ]


class WebhookLease(Document):
    """The delivery worker's lease: one document; whoever holds it sends (`_id` names it)."""

    id: str  # type: ignore[assignment]
    holder: str | None = None
    leaseToken: PydanticObjectId | None = None
    leaseUntil: UtcDatetime | None = None

    class Settings:
        name = "webhook_leases"


def _subscriptions() -> Any:
    return WebhookSubscription.get_motor_collection()


def _deliveries() -> Any:
    return WebhookDelivery.get_motor_collection()


def _leases() -> Any:
    return WebhookLease.get_motor_collection()


# ----- subscriptions ---------------------------------------------------------------------------


async def insert_subscription(subscription: WebhookSubscription) -> dict[str, Any]:
    stored = subscription.model_dump(exclude={"revision_id"})
    stored["_id"] = stored.pop("id") or PydanticObjectId()
    await _subscriptions().insert_one(stored)
    return stored


async def find_subscription(query: dict[str, Any]) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await _subscriptions().find_one(query)
    return found


async def subscription_page(
    query: dict[str, Any], *, skip: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    return await read_page(
        _subscriptions(),
        query,
        sort=[("createdAt", DESCENDING), ("_id", DESCENDING)],
        skip=skip,
        limit=limit,
    )


async def change_subscription(
    query: dict[str, Any], changes: dict[str, Any]
) -> dict[str, Any] | None:
    """Apply `changes` ($set) to the subscription `query` matches, one revision more, in one
    write. The subscription as it is after, or None when nothing matched."""
    update = {"$set": {**changes, "updatedAt": utc_now()}, **BUMP}
    found: dict[str, Any] | None = await _subscriptions().find_one_and_update(
        query, update, return_document=ReturnDocument.AFTER
    )
    return found


async def delete_subscription(query: dict[str, Any]) -> bool:
    """Delete the subscription and its delivery log; False when nothing matched."""
    subscription = await _subscriptions().find_one_and_delete(query, {"ownerId": 1})
    if subscription is None:
        return False
    await _deliveries().delete_many(
        {"ownerId": subscription["ownerId"], "subscriptionId": subscription["_id"]}
    )
    return True


async def take_sequences(subscription_id: PydanticObjectId, count: int) -> int:
    """Reserve `count` delivery numbers of the subscription; the first of them."""
    found = await _subscriptions().find_one_and_update(
        {"_id": subscription_id},
        {"$inc": {"lastSequence": count}},
        projection={"lastSequence": 1},
        return_document=ReturnDocument.AFTER,
    )
    if found is None:
        raise LookupError("the subscription is gone")
    return int(found["lastSequence"]) - count + 1


async def enabled_subscriptions() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await _subscriptions().find({"enabled": True}).sort("_id", ASCENDING).to_list(None)
    )
    return rows


async def subscriptions_by_id(ids: Sequence[PydanticObjectId]) -> dict[Any, dict[str, Any]]:
    rows = await _subscriptions().find({"_id": {"$in": list(ids)}}).to_list(None)
    return {row["_id"]: row for row in rows}


async def keep_cursor(subscription_id: PydanticObjectId, old: str | None, new: str | None) -> bool:
    """Move the subscription's cursor from `old` to `new`; False when it moved meanwhile."""
    result = await _subscriptions().update_one(
        {"_id": subscription_id, "cursor": old}, {"$set": {"cursor": new}}
    )
    return bool(result.matched_count)


async def record_outcome(
    subscription_id: PydanticObjectId, *, succeeded: bool, at: datetime
) -> None:
    """A success ends a run of failures; a failure starts one unless one is under way."""
    if succeeded:
        await _subscriptions().update_one(
            {"_id": subscription_id, "failingSince": {"$ne": None}},
            {"$set": {"failingSince": None}},
        )
    else:
        await _subscriptions().update_one(
            {"_id": subscription_id, "failingSince": None}, {"$set": {"failingSince": at}}
        )


async def disable_if_failing_since(
    subscription_id: PydanticObjectId, before: datetime, *, at: datetime, reason: str
) -> bool:
    """Disable the subscription when it has been failing since `before` or earlier."""
    result = await _subscriptions().update_one(
        {"_id": subscription_id, "enabled": True, "failingSince": {"$lte": before}},
        {
            "$set": {"enabled": False, "disabledAt": at, "disabledReason": reason},
            **BUMP,
        },
    )
    return bool(result.modified_count)


# ----- deliveries ------------------------------------------------------------------------------


async def store_deliveries(deliveries: list[WebhookDelivery]) -> int:
    """Store deliveries not stored already (same event and subscription); how many were new."""
    if not deliveries:
        return 0
    rows = []
    for delivery in deliveries:
        row = delivery.model_dump(exclude={"revision_id"})
        row["_id"] = row.pop("id") or PydanticObjectId()
        rows.append(row)
    try:
        result = await _deliveries().insert_many(rows, ordered=False)
    except BulkWriteError as error:
        if any(item.get("code") != DUPLICATE_KEY for item in error.details["writeErrors"]):
            raise
        return int(error.details.get("nInserted", 0))
    except DuplicateKeyError:
        return 0
    return len(result.inserted_ids)


async def delivery_page(
    owner_id: str, subscription_id: PydanticObjectId, *, skip: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    return await read_page(
        _deliveries(),
        {"ownerId": owner_id, "subscriptionId": subscription_id},
        sort=[("createdAt", DESCENDING), ("_id", DESCENDING)],
        skip=skip,
        limit=limit,
        projection={"body": 0},
    )


async def due_deliveries(now: datetime, limit: int) -> list[dict[str, Any]]:
    """Pending deliveries whose time has come, oldest first."""
    rows: list[dict[str, Any]] = (
        await _deliveries()
        .find({"status": "pending", "nextAttemptAt": {"$lte": now}})
        .sort([("nextAttemptAt", ASCENDING), ("sequence", ASCENDING)])
        .limit(limit)
        .to_list(None)
    )
    return rows


async def waiting_before(groups: dict[tuple[Any, Any, str], int]) -> set[tuple[Any, Any, str]]:
    """Of (owner, subscription, resource) groups with the lowest sequence about to be sent, the
    ones with an earlier delivery still pending (not yet due): they wait for it, in order."""
    if not groups:
        return set()
    rows = await (
        _deliveries()
        .find(
            {
                "status": "pending",
                "$or": [
                    {
                        "ownerId": owner,
                        "subscriptionId": subscription,
                        "resourceKey": resource,
                        "sequence": {"$lt": first},
                    }
                    for (owner, subscription, resource), first in groups.items()
                ],
            },
            {"ownerId": 1, "subscriptionId": 1, "resourceKey": 1},
        )
        .to_list(None)
    )
    return {(row["ownerId"], row["subscriptionId"], row["resourceKey"]) for row in rows}


async def record_attempt(
    delivery_id: PydanticObjectId,
    *,
    attempts_before: int,
    attempt: Attempt,
    status: DeliveryStatus,
    next_attempt_at: datetime | None,
) -> bool:
    """Log one attempt and its outcome, only while the delivery is as the sender read it
    (pending, `attempts_before` attempts): a sender that stalled while another took over
    writes nothing over the other's result. False when it did not land."""
    result = await _deliveries().update_one(
        {"_id": delivery_id, "status": "pending", "attempt": attempts_before},
        {
            "$set": {
                "status": status,
                "attempt": attempt.attempt,
                "nextAttemptAt": next_attempt_at,
                "updatedAt": attempt.at,
            },
            "$push": {"attempts": attempt.model_dump()},
        },
    )
    return bool(result.modified_count)


# ----- the worker's lease ----------------------------------------------------------------------


async def take_lease(
    name: str, *, token: PydanticObjectId, holder: str, duration: timedelta
) -> bool:
    """Take or extend the lease `name` with `token`: it lands while the lease is free, expired
    (by the database's clock) or already this token's. True when `token` holds it now."""
    on_server = leases.server_clock(_leases())
    update = leases.lease_until(duration, on_server=on_server)
    owned = {"leaseToken": token, "holder": holder}
    if isinstance(update, list):
        update = [{"$set": owned}, *update]
    else:
        update["$set"].update(owned)
    query = {
        "_id": name,
        "$or": [{"leaseToken": token}, {"leaseToken": None}, leases.expired(on_server=on_server)],
    }
    try:
        found = await _leases().find_one_and_update(
            query, update, upsert=True, return_document=ReturnDocument.AFTER
        )
    except DuplicateKeyError:  # the document exists and another holder's lease is live
        return False
    return found is not None and found.get("leaseToken") == token


async def release_lease(name: str, token: PydanticObjectId) -> None:
    """Give the lease back, only while it is still `token`'s."""
    await _leases().update_one(
        {"_id": name, "leaseToken": token}, {"$set": {"leaseToken": None, "leaseUntil": None}}
    )


async def read_lease(name: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await _leases().find_one({"_id": name})
    return found
