"""Stored calendar feeds (`calendar_feeds`): who a secret iCalendar URL belongs to, the secret
kept only as its SHA-256 (a 256-bit random secret needs no slow hash: nothing to brute-force).

Sharding: keyed by the owner (`userId`) like every user's collection; the feed's own lookup by
`secretHash` then asks every shard, each answering from its `secretHash` index. That index is not
declared unique: a sharded collection allows unique indexes only prefixed by the shard key, and
random 256-bit secrets do not collide."""

from typing import Any

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from peakhealth.pages import read_page
from peakhealth.revisions import BUMP
from peakhealth.timestamps import Stamped, utc_now


class CalendarFeed(Document, Stamped):
    userId: str
    name: str | None = None
    secretHash: str  # hex SHA-256 of the secret in the URL
    revision: int = 1

    class Settings:
        name = "calendar_feeds"
        indexes = [
            IndexModel([("userId", ASCENDING), ("createdAt", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("secretHash", ASCENDING)]),
        ]


def _feeds() -> Any:
    return CalendarFeed.get_motor_collection()


async def insert(feed: CalendarFeed) -> dict[str, Any]:
    stored = feed.model_dump(exclude={"revision_id"})
    stored["_id"] = stored.pop("id") or PydanticObjectId()
    await _feeds().insert_one(stored)
    return stored


async def find(query: dict[str, Any]) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await _feeds().find_one(query)
    return found


async def by_secret_hash(secret_hash: str) -> dict[str, Any] | None:
    """The feed whose secret hashes to `secret_hash` (its owner and hash only)."""
    found: dict[str, Any] | None = await _feeds().find_one(
        {"secretHash": secret_hash}, {"userId": 1, "secretHash": 1, "name": 1}
    )
    return found


async def page(query: dict[str, Any], *, skip: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    return await read_page(
        _feeds(),
        query,
        sort=[("createdAt", DESCENDING), ("_id", DESCENDING)],
        skip=skip,
        limit=limit,
    )


async def change(query: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any] | None:
    """Apply `changes` to the feed `query` matches, one revision more; the feed after, or None
    when nothing matched."""
    found: dict[str, Any] | None = await _feeds().find_one_and_update(
        query,
        {"$set": {**changes, "updatedAt": utc_now()}, **BUMP},
        return_document=ReturnDocument.AFTER,
    )
    return found


async def delete(query: dict[str, Any]) -> bool:
    result = await _feeds().delete_one(query)
    return bool(result.deleted_count)
