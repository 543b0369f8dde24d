"""Stored routine assignments (`routine_assignments`)."""

from typing import Literal

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from peakhealth.plan.base import Weekday
from peakhealth.timestamps import UtcDatetime, utc_now

AssignmentStatus = Literal["active", "paused", "completed", "cancelled"]


class Progress(BaseModel):
    """Derived from the assignment's sessions, never incremented."""

    completedWorkouts: int = 0
    totalWorkouts: int = 0
    lastWorkoutDate: UtcDatetime | None = None
    feedback: str | None = None


class RoutineAssignment(Document):
    """One template routine version assigned to a client for `duration` weeks."""

    routineVersionId: PydanticObjectId
    parentRoutineId: PydanticObjectId
    userId: str
    trainerId: str | None = None
    assignedBy: str
    assignedAt: UtcDatetime = Field(default_factory=utc_now)
    startDate: str  # YYYY-MM-DD
    endDate: str
    trainingDays: list[Weekday]
    scheduledTime: str | None = None  # HH:mm
    status: AssignmentStatus = "active"
    notesForUser: str | None = None
    replacesAssignmentId: PydanticObjectId | None = None
    progress: Progress = Field(default_factory=Progress)
    schemaVersion: int = 1
    createdAt: UtcDatetime = Field(default_factory=utc_now)
    updatedAt: UtcDatetime = Field(default_factory=utc_now)

    class Settings:
        name = "routine_assignments"
        indexes = [
            IndexModel([("userId", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("trainerId", ASCENDING)]),
            IndexModel([("routineVersionId", ASCENDING), ("userId", ASCENDING)]),
            IndexModel([("userId", ASCENDING), ("parentRoutineId", ASCENDING)]),
            # `liveKey` (client|routine) is set only while an assignment is active or paused:
            # at most one live assignment of a routine per client, even under concurrency.
            IndexModel(
                [("liveKey", ASCENDING)],
                unique=True,
                sparse=True,
                name="one_live_assignment_per_routine",
            ),
        ]
