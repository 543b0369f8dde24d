"""Import logs (`import_logs`): the audit of every text import that created a user routine
(DOMAIN.md section 15), readable by its author.

No transactions (a standalone server and a replica set alike), so the order keeps the two
documents consistent: the log is written first, `pending`, naming the routine id to come; then
the routine is inserted under that id; then the log is marked `done`. Only `done` logs are read,
so no reader sees a log of a routine that was never made, and a routine is never made without its
log. A failure in between is undone by the request (the pending log dropped, or the routine
deleted when the mark failed) before it answers 503; only if the database stays away for that
too, a hidden pending log remains (and, in the second case, the routine: README, "Decisions")."""

from typing import Any, Literal

from beanie import Document, PydanticObjectId
from pydantic import BaseModel
from pymongo import ASCENDING, DESCENDING, IndexModel

from peakhealth.pages import read_page
from peakhealth.timestamps import UtcDatetime, utc_now

State = Literal["pending", "done"]


class ImportLogFields(BaseModel):
    """What every stored import log holds and every answer shows."""

    userId: str
    text: str
    lines: list[dict[str, Any]]  # the report of each line, as answered
    confidences: dict[str, int]  # how many matched lines at high, medium, low
    routineId: PydanticObjectId
    createdAt: UtcDatetime


class ImportLog(Document, ImportLogFields):
    state: State = "pending"
    schemaVersion: int = 1
    updatedAt: UtcDatetime

    class Settings:
        name = "import_logs"
        indexes = [
            # The author's logs, newest first; led by userId, the shard key it would take.
            IndexModel([("userId", ASCENDING), ("createdAt", DESCENDING), ("_id", DESCENDING)]),
        ]


def _logs() -> Any:
    return ImportLog.get_motor_collection()


async def add_pending(log: ImportLog) -> None:
    await _logs().insert_one(log.model_dump(by_alias=True, exclude={"revision_id"}))


async def mark_done(log_id: PydanticObjectId) -> None:
    await _logs().update_one({"_id": log_id}, {"$set": {"state": "done", "updatedAt": utc_now()}})


async def drop(log_id: PydanticObjectId) -> None:
    """The log of an import that failed and whose routine was deleted (the mark `done` may have
    landed with its answer lost)."""
    await _logs().delete_one({"_id": log_id})


async def page(user_id: str, *, skip: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """One page of the author's finished logs, newest first."""
    query: dict[str, Any] = {"userId": user_id, "state": "done"}
    return await read_page(
        _logs(), query, sort=[("createdAt", -1), ("_id", -1)], skip=skip, limit=limit
    )
