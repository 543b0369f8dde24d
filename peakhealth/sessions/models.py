"""Request bodies and responses of `/api/workout-sessions`.

Bodies are strict plan models (unknown fields, `workoutSnapshot` among them, are 422). Responses
are lenient read models of what is stored: ids as `id` (24 hex), the snapshot's plan content
through the plan's read models, the log through the read models of its input models."""

from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter, model_validator

from peakhealth.metrics.records import NewRecord
from peakhealth.pages import Page
from peakhealth.plan.base import UUID_PATTERN, Notes, ObjectIdValue, PlanModel, raise_field_errors
from peakhealth.plan.calendar import CalendarDate, ClockTime
from peakhealth.plan.reading import READ_CONFIG, IdText, ReadWithId, lenient, read_model, render
from peakhealth.plan.sections import Section
from peakhealth.plan.workouts import WorkoutType
from peakhealth.revisions import BEFORE_REVISIONS, Revision
from peakhealth.sessions.adherence import SessionAdherence, session_adherence
from peakhealth.sessions.performance import PerformanceLog
from peakhealth.sessions.transitions import SessionStatus
from peakhealth.timestamps import UtcDatetime

DurationMinutes = Annotated[int, Field(ge=1, le=1440, description="minutes")]


class SessionCreate(PlanModel):
    """Schedule a workout of one of the caller's own user routines."""

    routineId: ObjectIdValue = Field(description="A user routine of the caller")
    workoutId: ObjectIdValue = Field(description="The id of a workout inside that routine")
    scheduledDate: CalendarDate
    scheduledTime: ClockTime | None = None


class SessionUpdate(PlanModel):
    """Any of these; absent fields stay as they are, `null` clears notes, durationMinutes,
    scheduledTime and performanceLog. The snapshot cannot be changed."""

    status: SessionStatus | None = Field(default=None, description="The status to move to")
    durationMinutes: DurationMinutes | None = Field(
        default=None, description="In progress or completed sessions only"
    )
    notes: Notes | None = None
    performanceLog: PerformanceLog | None = Field(
        default=None, description="Replaces the whole log; in progress or completed sessions only"
    )
    scheduledDate: CalendarDate | None = Field(
        default=None, description="Move a scheduled session to another day"
    )
    scheduledTime: ClockTime | None = Field(default=None, description="Scheduled sessions only")

    @model_validator(mode="after")
    def _no_null_targets(self) -> "SessionUpdate":
        raise_field_errors(
            [
                ((name,), f"{name} cannot be null: leave it out to keep it")
                for name in ("status", "scheduledDate")
                if name in self.model_fields_set and getattr(self, name) is None
            ],
            self,
        )
        return self


SectionsRead: Any = lenient(list[Section])


class SnapshotSummary(BaseModel):
    """The planned workout, its sections left out."""

    model_config = READ_CONFIG

    name: str
    type: WorkoutType
    objective: str | None = None


class SnapshotRead(SnapshotSummary):
    """The planned workout as it was when the session was created."""

    sections: SectionsRead = Field(default_factory=list)


PerformanceLogRead: Any = read_model(PerformanceLog)


class TargetView(BaseModel):
    """What one working set of a double-progression exercise aims at."""

    model_config = READ_CONFIG

    exerciseEntryId: IdText
    setId: IdText
    weight: float | None = Field(default=None, description="kilograms")
    reps: int


class SessionFields(BaseModel):
    """What every stored session holds besides its snapshot and log, and every view of it shows:
    the one list of these fields (`WorkoutSession` stores them, the views answer them)."""

    userId: str = Field(pattern=UUID_PATTERN)
    trainerId: str | None = None
    routineAssignmentId: IdText | None = None
    parentRoutineId: IdText
    routineVersionId: IdText | None = None
    routineId: IdText | None = Field(default=None, description="The user routine it came from")
    workoutId: IdText = Field(description="The workout's id inside the routine")
    scheduledDate: str = Field(description="Calendar day YYYY-MM-DD (local, no zone)")
    scheduledTime: str | None = Field(default=None, description="Local time of day HH:mm")
    weekIndex: int | None = None
    sequence: int | None = None
    status: SessionStatus
    startedAt: UtcDatetime | None = None
    completedAt: UtcDatetime | None = None
    durationMinutes: int | None = None
    notes: str | None = None
    decidesTargets: bool | None = Field(
        default=None,
        description="true when an exercise of the snapshot follows double progression: its"
        " targets are decided when the session starts",
    )
    targets: list[TargetView] | None = Field(
        default=None,
        description="Double progression: each working set's weight and reps, decided when the"
        " session starts (one session read shows a scheduled one's provisional targets)",
    )
    targetsFinal: bool | None = Field(
        default=None, description="false while the session is scheduled (provisional targets)"
    )
    revision: Revision = BEFORE_REVISIONS
    schemaVersion: int = 1
    createdAt: UtcDatetime
    updatedAt: UtcDatetime


class SessionView(SessionFields, ReadWithId):
    """What every view of a session shows."""


class SessionSummary(SessionView):
    """A session in the calendar: no sections, no log."""

    workoutSnapshot: SnapshotSummary


class SessionRead(SessionView):
    """One session with its snapshot and its log."""

    workoutSnapshot: SnapshotRead
    performanceLog: PerformanceLogRead | None = None
    adherence: SessionAdherence | None = Field(
        default=None, description="Completed sessions: the log against the plan, computed on read"
    )


class SessionUpdated(SessionRead):
    """The answer of a PUT: the session, and when the PUT completed or corrected it, the personal
    records its log set."""

    newRecords: list[NewRecord] | None = Field(
        default=None,
        description="Only when this request completed the session or corrected its log: the"
        " records it set, each with the value before (null for a first record)",
    )


class SessionPage(Page[SessionRead | SessionSummary]):
    """One page of the calendar: whole sessions, or summaries with `view=summary`."""


_full = TypeAdapter(SessionRead)
_summary = TypeAdapter(SessionSummary)
_ANYTHING: TypeAdapter[Any] = TypeAdapter(Any)


def render_session(stored: dict[str, Any]) -> bytes:
    """A stored session, whole, as the JSON bytes the API answers; a completed one with its
    adherence, worked out from its snapshot and log (an answer kept by `answers` stays right:
    its key holds the log and status, and the snapshot never changes)."""
    if stored.get("status") == "completed" and "workoutSnapshot" in stored:
        adherence = session_adherence(stored["workoutSnapshot"], stored.get("performanceLog"))
        stored = {**stored, "adherence": adherence}
    return render(_full, stored)


def with_provisional_targets(answer: bytes, targets: list[dict[str, Any]]) -> bytes:
    """A scheduled session's answer with the targets it would get if it started now."""
    shown = _ANYTHING.dump_json([TargetView.model_validate(target) for target in targets])
    return answer[:-1] + b',"targets":' + shown + b',"targetsFinal":false}'


def render_summary(stored: dict[str, Any]) -> bytes:
    """A stored session without sections and log, as the calendar's summary view shows it."""
    return render(_summary, stored)


def render_updated(stored: dict[str, Any]) -> bytes:
    """A session a PUT changed, whole, with the records it set when it has them (answered as
    they are: their `previous` is null for a first record, which the session's rendering would
    leave out)."""
    answer = render_session(stored)
    if stored.get("newRecords") is None:
        return answer
    return answer[:-1] + b',"newRecords":' + _ANYTHING.dump_json(stored["newRecords"]) + b"}"
