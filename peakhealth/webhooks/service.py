"""Webhook subscriptions: subscribe, read, change, rotate the secret, delete, queue a test
delivery, read the delivery log. Loads through the repository (`peakhealth.storage.webhooks`),
checks the policy and the SSRF rules, saves."""

import json
from datetime import datetime, timedelta
from typing import Any

from beanie import PydanticObjectId

from peakhealth import policy
from peakhealth.changes import cursor
from peakhealth.errors import FieldError, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from peakhealth.identity.users import CurrentUser
from peakhealth.revisions import Expected, condition, revision_of
from peakhealth.storage import webhooks as stored
from peakhealth.storage.webhooks import SigningSecret, WebhookDelivery, WebhookSubscription
from peakhealth.timestamps import utc_now
from peakhealth.webhooks import rules, signing
from peakhealth.webhooks.targets import Resolve, UnsafeTarget, check_target

# A rotated-out secret still signs (beside the new one) this long, so receivers can switch.
OLD_SECRET_GRACE = timedelta(hours=24)


def _id(value: str) -> PydanticObjectId:
    try:
        return PydanticObjectId(value)
    except Exception as error:
        raise NotFound(f"no webhook subscription with id {value}") from error


async def _checked_url(url: str, *, allow_private: bool, resolve: Resolve) -> str:
    try:
        await check_target(url, allow_private=allow_private, resolve=resolve)
    except UnsafeTarget as error:
        raise ValidationFailed([FieldError("url", str(error))]) from None
    return url


def _checked_events(events: list[str]) -> list[str]:
    unknown = rules.unknown_events(events)
    if unknown:
        raise ValidationFailed(
            [
                FieldError(f"events[{index}]", f"unknown event type {name!r}")
                for index, name in unknown
            ]
        )
    return list(dict.fromkeys(events))  # each once, in the order given


async def subscribe(
    user: CurrentUser,
    *,
    url: str,
    events: list[str],
    description: str | None,
    allow_private: bool,
    resolve: Resolve,
    settle: timedelta = timedelta(0),
) -> tuple[dict[str, Any], str]:
    """A new subscription of the caller (trainers and admins) and its signing secret, which is
    shown this once. It receives the changes made from now on, not the feed's history: its
    cursor starts `settle` (the feed's settle window) before now, so a change stamped by a
    database clock a little behind this instance's is not skipped."""
    if not user.authors_plans:
        raise Forbidden("only trainers and admins subscribe to webhooks")
    events = _checked_events(events)
    await _checked_url(url, allow_private=allow_private, resolve=resolve)
    secret = signing.new_secret()
    subscription = WebhookSubscription(
        ownerId=user.id,
        ownerRole=user.role,
        url=url,
        events=events,
        description=description,
        secrets=[SigningSecret(secret=secret)],
        cursor=cursor.encode(cursor.Position(utc_now() - settle, "", "")),
    )
    return await stored.insert_subscription(subscription), secret


async def read(subscription_id: str, user: CurrentUser) -> dict[str, Any]:
    """The subscription, or NotFound when it does not exist or the caller may not read it."""
    found = await stored.find_subscription(
        {"_id": _id(subscription_id), **policy.READ_WEBHOOK.filter(user)}
    )
    if found is None:
        raise NotFound(f"no webhook subscription with id {subscription_id}")
    return found


async def list_own(user: CurrentUser, *, skip: int, limit: int) -> tuple[list[Any], int]:
    """The caller's own subscriptions, newest first."""
    return await stored.subscription_page({"ownerId": user.id}, skip=skip, limit=limit)


async def _changeable(
    subscription_id: str, user: CurrentUser, expected: Expected | None
) -> dict[str, Any]:
    """The subscription the caller may change, at the revision `expected` (If-Match) names:
    412 otherwise. Its write repeats the condition, so a change landing in between is a 412 too."""
    found = await read(subscription_id, user)
    if not policy.CHANGE_WEBHOOK.allows(user, found):
        raise Forbidden("only the subscriber changes a webhook subscription")
    if expected is not None and not expected.allows(revision_of(found)):
        raise _stale(revision_of(found))
    return found


def _stale(revision: int) -> PreconditionFailed:
    return PreconditionFailed(f"the webhook subscription is at revision {revision}; read it again")


async def _missed(found: dict[str, Any], expected: Expected | None) -> Exception:
    """Why a conditional write matched nothing: the subscription moved on (412) or is gone."""
    if expected is not None:
        again = await stored.find_subscription({"_id": found["_id"], "ownerId": found["ownerId"]})
        if again is not None:
            return _stale(revision_of(again))
    return NotFound(f"no webhook subscription with id {found['_id']}")


async def change(
    subscription_id: str,
    user: CurrentUser,
    *,
    url: str | None,
    events: list[str] | None,
    enabled: bool | None,
    allow_private: bool,
    resolve: Resolve,
    expected: Expected | None = None,
) -> dict[str, Any]:
    """Change the URL (checked again), the events or whether it is enabled; enabling a
    subscription the worker disabled starts its failure count afresh."""
    found = await _changeable(subscription_id, user, expected)
    changes: dict[str, Any] = {}
    if events is not None:
        changes["events"] = _checked_events(events)
    if url is not None:
        changes["url"] = await _checked_url(url, allow_private=allow_private, resolve=resolve)
    if enabled is not None:
        changes["enabled"] = enabled
        if enabled:
            changes.update(failingSince=None, disabledAt=None, disabledReason=None)
    if not changes:
        return found
    return await _changed(found, changes, expected)


async def _changed(
    found: dict[str, Any], changes: dict[str, Any], expected: Expected | None
) -> dict[str, Any]:
    after = await stored.change_subscription(
        {"_id": found["_id"], "ownerId": found["ownerId"], **condition(expected)}, changes
    )
    if after is None:
        raise await _missed(found, expected)
    return after


async def rotate_secret(
    subscription_id: str,
    user: CurrentUser,
    *,
    now: datetime | None = None,
    expected: Expected | None = None,
) -> tuple[dict[str, Any], str]:
    """A new signing secret, shown this once. The one it replaces signs too (a second `v1,`
    signature) for `OLD_SECRET_GRACE`; older ones stop at once."""
    found = await _changeable(subscription_id, user, expected)
    now = now or utc_now()
    secret = signing.new_secret()
    kept = [
        SigningSecret(**item).model_dump()
        for item in found["secrets"][:1]  # the current one becomes the previous one
    ]
    for item in kept:
        item["expiresAt"] = now + OLD_SECRET_GRACE
    after = await _changed(
        found, {"secrets": [SigningSecret(secret=secret).model_dump(), *kept]}, expected
    )
    return after, secret


async def delete(subscription_id: str, user: CurrentUser, expected: Expected | None = None) -> None:
    """Delete the subscription; its pending deliveries and log go with it."""
    found = await _changeable(subscription_id, user, expected)
    query = {"_id": found["_id"], "ownerId": found["ownerId"], **condition(expected)}
    if not await stored.delete_subscription(query):
        raise await _missed(found, expected)


def event_body(event_id: str, event_type: str, at: datetime, data: dict[str, Any]) -> str:
    """The JSON body of a delivery: `{id, type, timestamp, data}` (Standard Webhooks)."""
    timestamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps(
        {"id": event_id, "type": event_type, "timestamp": timestamp, "data": data},
        separators=(",", ":"),
    )


async def queue_test(
    subscription_id: str, user: CurrentUser, expected: Expected | None = None
) -> dict[str, Any]:
    """Queue a `webhook.test` delivery for the worker to send now; the stored delivery. It
    writes no subscription field a reader sees, so If-Match is checked against the one read."""
    found = await _changeable(subscription_id, user, expected)
    sequence = await stored.take_sequences(found["_id"], 1)
    delivery_id = PydanticObjectId()
    now = utc_now()
    event_id = f"msg_{delivery_id}"
    delivery = WebhookDelivery(
        id=delivery_id,
        ownerId=found["ownerId"],
        subscriptionId=found["_id"],
        eventId=event_id,
        type=rules.TEST_EVENT,
        resourceKey=f"webhook:{found['_id']}:{delivery_id}",
        sequence=sequence,
        body=event_body(
            event_id,
            rules.TEST_EVENT,
            now,
            {"subscriptionId": str(found["_id"]), "message": "a test delivery"},
        ),
        nextAttemptAt=now,
        createdAt=now,
        updatedAt=now,
    )
    await stored.store_deliveries([delivery])
    return delivery.model_dump(exclude={"revision_id"}) | {"_id": delivery_id}


async def deliveries(
    subscription_id: str, user: CurrentUser, *, skip: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The subscription's delivery log, newest first."""
    found = await read(subscription_id, user)
    return await stored.delivery_page(found["ownerId"], found["_id"], skip=skip, limit=limit)
