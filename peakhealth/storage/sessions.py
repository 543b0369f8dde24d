"""Stored workout sessions (`workout_sessions`): the queries the sessions, their assignment's
progress and the assignments make of them. Every query of one client's sessions names the client
(`userId`), the shard key; the readers' filters come from the caller (`peakhealth.policy`)."""

from typing import Any

from beanie import PydanticObjectId
from pymongo import DESCENDING

from peakhealth import answers
from peakhealth.pages import read_page
from peakhealth.policy import Filter
from peakhealth.revisions import BEFORE_REVISIONS, BUMP, Expected, condition
from peakhealth.sessions.documents import WorkoutSession
from peakhealth.storage.changes import (
    TOMBSTONE_PROJECTION,
    leave_tombstones,
    stamped,
    stamped_new,
)


def _sessions() -> Any:
    return WorkoutSession.get_motor_collection()


# ----- reading ---------------------------------------------------------------------------------


async def page(
    query: Filter,
    *,
    sort: list[tuple[str, Any]],
    skip: int,
    limit: int,
    projection: Filter,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the sessions matching `query` and how many match in all."""
    return await read_page(
        _sessions(), query, sort=sort, skip=skip, limit=limit, projection=projection
    )


async def read_answers(
    query: Filter, rows: list[dict[str, Any]], kind: answers.Kind
) -> list[bytes]:
    """The answers of `rows` (read by `query` without the snapshot): kept, or read whole."""
    return await answers.read_answers(_sessions(), query, rows, kind)


async def read_answer(query: Filter, kind: answers.Kind) -> tuple[bytes, dict[str, Any]] | None:
    return await answers.read_answer(_sessions(), query, kind)


def completed_logs(
    user_id: str, source: Filter, workout_id: PydanticObjectId, but: PydanticObjectId
) -> Any:
    """The logs of the client's completed sessions of one workout of `source` (an assignment or
    a user routine), latest completion first, `but` one session left out: a cursor (one query,
    read in batches as far as the caller goes)."""
    query = {
        "userId": user_id,
        **source,
        "workoutId": workout_id,
        "status": "completed",
        "_id": {"$ne": but},
    }
    return (
        _sessions()
        .find(query, {"performanceLog": 1})
        .sort([("completedAt", DESCENDING), ("_id", DESCENDING)])
    )


async def targets_moved(user_id: str, source: Filter, workout_id: PydanticObjectId) -> None:
    """A session of the workout completed (or its log changed): the scheduled ones of `source`
    that decide targets show other provisional targets now, so their revision and `changedAt`
    move (one update, served by the (routineAssignmentId, status) index)."""
    query = {
        "userId": user_id,
        **source,
        "workoutId": workout_id,
        "status": "scheduled",
        "decidesTargets": True,
    }
    await _sessions().update_many(query, stamped(dict(BUMP), _sessions()))


async def revision(query: Filter) -> int | None:
    """The revision alone of the session `query` finds (what a 304 costs)."""
    found = await _sessions().find_one(query, {"revision": 1})
    return None if found is None else int(found.get("revision") or BEFORE_REVISIONS)


# What a calendar feed shows of a session: never the sections nor the log.
FEED_PROJECTION = {
    "scheduledDate": 1,
    "scheduledTime": 1,
    "durationMinutes": 1,
    "status": 1,
    "revision": 1,
    "updatedAt": 1,
    "workoutSnapshot.name": 1,
    "workoutSnapshot.objective": 1,
}


async def feed_window(user_id: str, first: str, last: str, *, limit: int) -> list[dict[str, Any]]:
    """The user's sessions scheduled from `first` to `last` (inclusive dates), at most `limit`,
    by date and time, projected for a calendar feed: one query on (userId, scheduledDate)."""
    cursor = (
        _sessions()
        .find({"userId": user_id, "scheduledDate": {"$gte": first, "$lte": last}}, FEED_PROJECTION)
        .sort([("scheduledDate", 1), ("scheduledTime", 1), ("_id", 1)])
        .limit(limit)
    )
    found: list[dict[str, Any]] = await cursor.to_list(length=limit)
    return found


async def find(query: Filter) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await _sessions().find_one(query)
    return found


async def completions(
    user_id: str, routine_id: PydanticObjectId
) -> tuple[int, dict[str, Any] | None]:
    """How many sessions of the user routine the user completed, and the latest of them (its
    `completedAt`)."""
    mine = {
        "userId": user_id,
        "parentRoutineId": routine_id,
        "routineId": routine_id,
        "status": "completed",
    }
    completed = await _sessions().count_documents(mine)
    latest = await _sessions().find_one(
        mine, {"completedAt": 1}, sort=[("completedAt", DESCENDING)]
    )
    return completed, latest


def logged_with(user_id: str, exercise_id: str, *, batch: int) -> Any:
    """The user's completed sessions that logged the exercise, newest first, their logged
    exercises only (an async cursor read from the history index, `batch` at a time)."""
    return (
        _sessions()
        .find(
            {
                "userId": user_id,
                "performanceLog.sections.exercises.exerciseId": exercise_id,
                "completedAt": {"$ne": None},
            },
            {"completedAt": 1, "performanceLog.sections.exercises": 1},
        )
        .sort([("completedAt", DESCENDING)])
        .batch_size(batch)
    )


async def of_assignment(user_id: str, assignment_id: PydanticObjectId) -> list[dict[str, Any]]:
    """The status and completion of each session of the assignment (what progress counts)."""
    rows: list[dict[str, Any]] = await (
        _sessions()
        .find(
            {"userId": user_id, "routineAssignmentId": assignment_id},
            {"_id": 0, "status": 1, "completedAt": 1},
        )
        .to_list(None)
    )
    return rows


async def for_adherence(
    user_id: str, assignment_id: PydanticObjectId, projection: Filter
) -> list[dict[str, Any]]:
    """Every session of the assignment, only the fields `projection` names: one query, served
    by the (routineAssignmentId, status) index and routed to the client's shard by `userId`."""
    rows: list[dict[str, Any]] = await (
        _sessions()
        .find({"userId": user_id, "routineAssignmentId": assignment_id}, projection)
        .to_list(None)
    )
    return rows


async def sequences_written(
    user_ids: list[str], assignment_ids: list[PydanticObjectId]
) -> set[tuple[Any, Any]]:
    """The (assignment, sequence number) of these assignments' sessions already stored."""
    rows = await (
        _sessions()
        .find(
            {"userId": {"$in": user_ids}, "routineAssignmentId": {"$in": assignment_ids}},
            {"_id": 0, "routineAssignmentId": 1, "sequence": 1},
        )
        .to_list(None)
    )
    return {(row.get("routineAssignmentId"), row.get("sequence")) for row in rows}


async def count_scheduled(user_id: str, assignment_id: PydanticObjectId) -> int:
    """How many of the assignment's sessions are still `scheduled` (what `drop_scheduled`
    would delete)."""
    count: int = await _sessions().count_documents(_scheduled(user_id, assignment_id))
    return count


# ----- changing --------------------------------------------------------------------------------


async def add(session: WorkoutSession) -> None:
    if session.id is None:
        session.id = PydanticObjectId()
    await _sessions().insert_one(
        stamped_new(session.model_dump(by_alias=True, exclude={"revision_id"}))
    )


async def add_scheduled(sessions: list[dict[str, Any]]) -> None:
    """An assignment's sessions, as stored, in one bulk insert."""
    await _sessions().insert_many([stamped_new(session) for session in sessions])


async def change_if_status(
    session_id: PydanticObjectId,
    user_id: str,
    status: str,
    changes: dict[str, Any],
    expected: Expected | None = None,
) -> bool:
    """Write `changes` if the session still has `status` (and the revision `expected`); False
    when it changed meanwhile."""
    written = await _sessions().update_one(
        {"_id": session_id, "userId": user_id, "status": status, **condition(expected)},
        stamped({"$set": changes, **BUMP}, _sessions()),
    )
    return bool(written.matched_count)


async def restore_if_scheduled(
    session_id: PydanticObjectId, user_id: str, fields: dict[str, Any]
) -> None:
    """Put a session reopened (to `scheduled`) back as it was (`fields`)."""
    await _sessions().update_one(
        {"_id": session_id, "userId": user_id, "status": "scheduled"},
        stamped({"$set": fields, **BUMP}, _sessions()),
    )


def _scheduled(user_id: str, assignment_id: PydanticObjectId | None) -> Filter:
    return {"userId": user_id, "routineAssignmentId": assignment_id, "status": "scheduled"}


async def drop_scheduled(user_id: str, assignment_id: PydanticObjectId | None) -> None:
    """Delete the assignment's sessions still `scheduled`; the others stay."""
    await _drop(_scheduled(user_id, assignment_id))


async def drop_all(user_ids: list[str], assignment_ids: list[PydanticObjectId]) -> None:
    """Delete every session of these assignments (whose scheduling is taken back)."""
    await _drop({"userId": {"$in": user_ids}, "routineAssignmentId": {"$in": assignment_ids}})


async def _drop(query: Filter) -> None:
    """Delete the sessions `query` matches, each tombstoned first. Only the ones read are
    deleted: a session written meanwhile (a concurrent scheduling) has no tombstone yet and
    stays for its own request to drop."""
    doomed = await _sessions().find(query, TOMBSTONE_PROJECTION).to_list(None)
    if not doomed:
        return
    await leave_tombstones("session", doomed)
    await _sessions().delete_many({**query, "_id": {"$in": [row["_id"] for row in doomed]}})
