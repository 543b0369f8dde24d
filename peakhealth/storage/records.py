"""Stored personal records (`personal_records`): one document per user, exercise, variant and
record type (a unique index), so two requests can never both insert one. Every write is
conditional: a completion only replaces a record with a strictly better value, a recompute only
the records that still point at the corrected session."""

from collections.abc import Collection, Mapping
from typing import Any

from beanie import Document
from bson import ObjectId
from pymongo import ASCENDING, DeleteOne, IndexModel, UpdateOne
from pymongo.errors import BulkWriteError

from peakhealth.metrics.records import Key, PersonalRecord
from peakhealth.timestamps import utc_now

DUPLICATE_KEY = 11000


class PersonalRecordDocument(Document, PersonalRecord):
    """One record of one user."""

    userId: str

    class Settings:
        name = "personal_records"
        indexes = [
            IndexModel(
                [
                    ("userId", ASCENDING),
                    ("exerciseId", ASCENDING),
                    ("exerciseVariantId", ASCENDING),
                    ("type", ASCENDING),
                ],
                name="record_key",
                unique=True,
            ),
        ]


def _records() -> Any:
    return PersonalRecordDocument.get_motor_collection()


def _key_filter(user_id: str, key: Key) -> dict[str, Any]:
    exercise_id, variant_id, kind = key
    return {
        "userId": user_id,
        "exerciseId": exercise_id,
        "exerciseVariantId": variant_id,
        "type": kind,
    }


def _write(record: PersonalRecord) -> dict[str, Any]:
    """The update that makes a stored record `record`: its fields, the time, and no setId when
    it has none (a sessionVolume, an extra set)."""
    fields = record.model_dump(include=set(PersonalRecord.model_fields), exclude_none=True)
    update: dict[str, Any] = {"$set": {**fields, "updatedAt": utc_now()}}
    if record.setId is None:
        update["$unset"] = {"setId": ""}
    return update


async def of_exercises(user_id: str, exercise_ids: Collection[str]) -> list[PersonalRecord]:
    """The user's records of these exercises (every variant and type): one query."""
    query = {"userId": user_id, "exerciseId": {"$in": list(exercise_ids)}}
    rows = await _records().find(query, {"_id": 0, "userId": 0, "updatedAt": 0}).to_list(None)
    return [PersonalRecord.model_validate(row) for row in rows]


async def of_user(user_id: str, exercise_id: str | None) -> list[PersonalRecord]:
    """The user's records (of one exercise, when named), by exercise, variant and type."""
    query: dict[str, Any] = {"userId": user_id}
    if exercise_id is not None:
        query["exerciseId"] = exercise_id
    rows = await (
        _records()
        .find(query, {"_id": 0, "userId": 0, "updatedAt": 0})
        .sort([("exerciseId", ASCENDING), ("exerciseVariantId", ASCENDING), ("type", ASCENDING)])
        .to_list(None)
    )
    return [PersonalRecord.model_validate(row) for row in rows]


async def raise_to(user_id: str, records: list[PersonalRecord]) -> set[int]:
    """Write each record where it beats the stored one of its key (or there is none): one bulk
    write. Returns the positions not written because a record at least as good is stored: the
    filter (`value < new`) matched nothing, so the upsert tried to insert a second record of
    the key and the unique index refused it (duplicate key).

    On MongoDB two upserts of one key that both found no document race to insert, and the
    loser's duplicate key says only that a record now exists, not that it is as good (the
    server retries such upserts itself only when the filter is equalities on the index's
    fields). So the refused ones are sent once more, when the record exists and the filter
    decides; what is refused again is beaten. The embedded store runs each call whole, so there
    the first answer is already final."""
    pending = list(range(len(records)))
    for _ in range(2):
        refused = await _upsert_better(user_id, [records[index] for index in pending])
        pending = [pending[position] for position in sorted(refused)]
        if not pending:
            break
    return set(pending)


async def _upsert_better(user_id: str, records: list[PersonalRecord]) -> set[int]:
    """One unordered bulk write of the conditional upserts; the positions refused with a
    duplicate key (any other failure is raised)."""
    if not records:
        return set()
    operations = [
        UpdateOne(
            {**_key_filter(user_id, record.key), "value": {"$lt": record.value}},
            _write(record),
            upsert=True,
        )
        for record in records
    ]
    try:
        await _records().bulk_write(operations, ordered=False)
    except BulkWriteError as error:
        errors = error.details.get("writeErrors", [])
        if any(item.get("code") != DUPLICATE_KEY for item in errors):
            raise
        return {int(item["index"]) for item in errors}
    return set()


async def replace_from_session(
    user_id: str,
    session_id: ObjectId,
    stale: Collection[Key],
    best: Mapping[Key, PersonalRecord],
) -> None:
    """Records of `stale` keys that still point at the session (a concurrent request may have
    replaced one with a better record since) become the best of history (`best`), or go when
    history has none: one bulk write for them all."""
    operations: list[Any] = []
    for key in stale:
        mine = {**_key_filter(user_id, key), "sessionId": session_id}
        if key in best:
            operations.append(UpdateOne(mine, _write(best[key])))
        else:
            operations.append(DeleteOne(mine))
    if operations:
        await _records().bulk_write(operations, ordered=False)
