"""Stored equipment lists (`user_equipment`): one document per user, `{userId, equipment}`.
Sharding: keyed by `userId`, which its unique index (one list per user) starts with."""

from typing import Any

from beanie import Document
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from peakhealth.revisions import BUMP
from peakhealth.timestamps import Stamped, utc_now


class UserEquipment(Document, Stamped):
    userId: str
    equipment: list[str]
    revision: int = 1

    class Settings:
        name = "user_equipment"
        indexes = [IndexModel([("userId", ASCENDING)], unique=True, name="one_list_per_user")]


def _lists() -> Any:
    return UserEquipment.get_motor_collection()


async def find(user_id: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await _lists().find_one({"userId": user_id})
    return found


async def put(
    user_id: str, equipment: list[str], condition: dict[str, Any]
) -> dict[str, Any] | None:
    """Replace the user's list (made when absent), one revision more, when the stored list meets
    `condition` (the If-Match revisions, or none). The list after, or None when a list exists
    that `condition` excludes (the upsert then meets the unique index)."""
    now = utc_now()
    update = {
        "$set": {"equipment": equipment, "updatedAt": now},
        "$setOnInsert": {"createdAt": now},
        **BUMP,
    }
    try:
        found: dict[str, Any] | None = await _lists().find_one_and_update(
            {"userId": user_id, **condition},
            update,
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
    except DuplicateKeyError:
        # A list exists at a revision `condition` excludes, so the upsert tried to insert one.
        # (Two first PUTs racing do not land here: MongoDB retries an upsert whose filter is an
        # equality on a unique index by itself, and the embedded store runs one call at a time.)
        return None
    return found
