"""Stored workout sessions (`workout_sessions`)."""

import copy
from collections.abc import Mapping
from typing import Any

from beanie import Document
from pymongo import ASCENDING, DESCENDING, IndexModel

from peakhealth.sessions.models import SessionFields
from peakhealth.sessions.transitions import RESOLVED, SESSION_STATUSES, SessionStatus
from peakhealth.timestamps import Stamped

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


class WorkoutSession(Document, Stamped, SessionFields):
    """One planned workout on a client's calendar.

    `workoutSnapshot` is the routine's workout as it was when the session was created
    ({name, type, objective, sections}, element ids kept, stored as MongoDB holds plan content:
    `_id` for element ids). Nothing changes it afterwards: no route accepts it and no update
    touches it. `performanceLog` points into it by element id."""

    status: SessionStatus = "scheduled"  # a new session's
    workoutSnapshot: dict[str, Any]
    performanceLog: dict[str, Any] | None = None

    class Settings:
        name = "workout_sessions"
        indexes = [
            IndexModel([("userId", ASCENDING), ("scheduledDate", ASCENDING)]),
            IndexModel([("trainerId", ASCENDING), ("scheduledDate", ASCENDING)]),
            # the admins' calendar, which no user narrows
            IndexModel([("scheduledDate", ASCENDING), ("scheduledTime", ASCENDING)]),
            IndexModel([("routineAssignmentId", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("parentRoutineId", ASCENDING), ("completedAt", DESCENDING)]),
            # The change feed (`GET /api/changes`): each reader field, then the feed's order.
            IndexModel([("userId", ASCENDING), ("changedAt", ASCENDING)]),
            IndexModel([("trainerId", ASCENDING), ("changedAt", ASCENDING)]),
            IndexModel([("changedAt", ASCENDING)]),  # the admins' feed
            IndexModel(
                [
                    ("userId", ASCENDING),
                    ("performanceLog.sections.exercises.exerciseId", ASCENDING),
                    ("completedAt", DESCENDING),
                ],
                name="exercise_history",
            ),
        ]
