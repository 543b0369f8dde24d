"""Stored workout sessions (`workout_sessions`)."""

import copy
from collections.abc import Mapping
from typing import Any

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from peakhealth.revisions import BEFORE_REVISIONS
from peakhealth.sessions.transitions import RESOLVED, SESSION_STATUSES, SessionStatus
from peakhealth.timestamps import UtcDatetime, utc_now

__all__ = [
    "RESOLVED",
    "SESSION_STATUSES",
    "SNAPSHOT_FIELDS",
    "SessionStatus",
    "WorkoutSession",
    "workout_snapshot",
]

SNAPSHOT_FIELDS = ("name", "type", "objective", "sections")


def workout_snapshot(workout: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of a stored routine workout's {name, type, objective, sections}, element ids
    (`_id`) kept."""
    return {key: copy.deepcopy(workout[key]) for key in SNAPSHOT_FIELDS if key in workout}


class WorkoutSession(Document):
    """One planned workout on a client's calendar.

    `workoutSnapshot` is the routine's workout as it was when the session was created
    ({name, type, objective, sections}, element ids kept, stored as MongoDB holds plan content:
    `_id` for element ids). Nothing changes it afterwards: no route accepts it and no update
    touches it. `performanceLog` points into it by element id."""

    userId: str
    trainerId: str | None = None
    routineAssignmentId: PydanticObjectId | None = None
    parentRoutineId: PydanticObjectId
    routineVersionId: PydanticObjectId | None = None
    routineId: PydanticObjectId | None = None  # a user routine the user scheduled it from
    workoutId: PydanticObjectId  # the workout's element id inside the routine
    scheduledDate: str  # YYYY-MM-DD, the client's local calendar day
    scheduledTime: str | None = None  # HH:mm
    weekIndex: int | None = None
    sequence: int | None = None
    status: SessionStatus = "scheduled"
    startedAt: UtcDatetime | None = None
    completedAt: UtcDatetime | None = None
    durationMinutes: int | None = None
    notes: str | None = None
    workoutSnapshot: dict[str, Any]
    performanceLog: dict[str, Any] | None = None
    # 0 when stored before revisions; a new one is written with `revisions.FIRST`.
    revision: int = BEFORE_REVISIONS
    schemaVersion: int = 1
    createdAt: UtcDatetime = Field(default_factory=utc_now)
    updatedAt: UtcDatetime = Field(default_factory=utc_now)

    class Settings:
        name = "workout_sessions"
        indexes = [
            IndexModel([("userId", ASCENDING), ("scheduledDate", ASCENDING)]),
            IndexModel([("trainerId", ASCENDING), ("scheduledDate", ASCENDING)]),
            # the admins' calendar, which no user narrows
            IndexModel([("scheduledDate", ASCENDING), ("scheduledTime", ASCENDING)]),
            IndexModel([("routineAssignmentId", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("parentRoutineId", ASCENDING), ("completedAt", DESCENDING)]),
            IndexModel(
                [
                    ("userId", ASCENDING),
                    ("performanceLog.sections.exercises.exerciseId", ASCENDING),
                    ("completedAt", DESCENDING),
                ],
                name="exercise_history",
            ),
        ]
