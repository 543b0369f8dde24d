"""`/api/workout-sessions` and `/api/exercises/{exerciseId}/history`, each route declared under its
path."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from peakhealth.http.dependencies import ID_PATTERN, OMIT_ABSENT, Catalog, DocumentId, User
from peakhealth.http.pagination import Pages
from peakhealth.http.preconditions import IfMatch, IfNoneMatch, not_modified, tagged
from peakhealth.http.responses import answer_response, created_response, location, page_response
from peakhealth.plan.base import UUID_PATTERN
from peakhealth.plan.calendar import CalendarDate
from peakhealth.revisions import revision_of
from peakhealth.sessions import service
from peakhealth.sessions.history import ExerciseHistory
from peakhealth.sessions.limits import MAX_FULL_SESSIONS
from peakhealth.sessions.models import (
    SessionCreate,
    SessionPage,
    SessionRead,
    SessionUpdate,
    SessionUpdated,
    render_session,
    render_updated,
)
from peakhealth.sessions.transitions import SessionStatus

router = APIRouter()
sessions = APIRouter(prefix="/api/workout-sessions", tags=["Sessions"])
history = APIRouter(prefix="/api/exercises", tags=["Exercises"])


@sessions.get(
    "",
    response_model=SessionPage,
    **OMIT_ABSENT,
    operation_id="listWorkoutSessions",
    summary="The calendar: sessions the caller may read, by date, time and sequence",
)
async def list_sessions(
    user: User,
    pages: Pages,
    date_from: Annotated[
        CalendarDate | None, Query(alias="from", description="First day, included")
    ] = None,
    date_to: Annotated[
        CalendarDate | None,
        Query(alias="to", description="Last day, included; at most 366 days after from"),
    ] = None,
    status: Annotated[SessionStatus | None, Query()] = None,
    routineAssignmentId: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    userId: Annotated[
        str | None,
        Query(pattern=UUID_PATTERN, description="A client (trainers and admins); yourself"),
    ] = None,
    view: Annotated[
        Literal["full", "summary"],
        Query(
            description="full: snapshot and log (limit at most"
            f" {MAX_FULL_SESSIONS}); summary: the workout's name and type only"
        ),
    ] = "full",
) -> Response:
    """A client reads their own sessions; a trainer those of the assignments they made and their
    own; an admin every one. `from` and `to` bound the days (both included, at most 366 apart)."""
    found, total = await service.list_calendar(
        user,
        date_from=date_from,
        date_to=date_to,
        status=status,
        assignment_id=routineAssignmentId,
        user_id=userId.lower() if userId else None,
        skip=pages.skip,
        limit=pages.limit,
        full=view == "full",
    )
    return page_response(found, total, pages)


@sessions.post(
    "",
    status_code=201,
    response_model=SessionRead,
    **OMIT_ABSENT,
    operation_id="createWorkoutSession",
    summary="Schedule a workout of one of your own routines",
)
async def create_session(http: Request, request: SessionCreate, user: User) -> Response:
    """A session of a workout of one of the caller's own user-created routines; the workout is
    copied into `workoutSnapshot` as it is now, so later edits of the routine leave it alone.
    `Location` is the new session's URL."""
    created = await service.create(user, request)
    answer = created_response(
        render_session(created), location(http, "getWorkoutSession", created["id"])
    )
    return tagged(answer, created["revision"])


@sessions.get(
    "/{id}",
    response_model=SessionRead,
    **OMIT_ABSENT,
    operation_id="getWorkoutSession",
    name="getWorkoutSession",  # the Location of a 201 is built from this route
    summary="One session with snapshot and log",
)
async def read_session(id: DocumentId, user: User, held: IfNoneMatch) -> Response:
    """Readable by its client, the trainer who assigned it and admins; any other id is 404."""
    unchanged = await not_modified(held, lambda: service.revision(id, user))
    if unchanged is not None:
        return unchanged
    answer, revision = await service.read_answer(id, user)
    return tagged(answer_response(answer), revision)


@sessions.put(
    "/{id}",
    response_model=SessionUpdated,
    **OMIT_ABSENT,
    operation_id="updateWorkoutSession",
    summary="Change status, log, duration, notes or date (the session's client or an admin)",
)
async def update_session(
    id: DocumentId, change: SessionUpdate, user: User, catalog: Catalog, expected: IfMatch
) -> Response:
    """Fields left out stay as they are. `status` moves the session (scheduled, in-progress,
    completed, skipped, cancelled; a move the rules do not allow is 409 `invalid-transition`);
    `performanceLog` replaces the whole log. Idempotent: the same body twice gives the same
    session. The PUT that completes a session, or corrects a completed one's log, answers the
    personal records it set in `newRecords`."""
    updated = await service.update(id, change, user, catalog, expected)
    return tagged(answer_response(render_updated(updated)), revision_of(updated))


@history.get(
    "/{exerciseId}/history",
    response_model=ExerciseHistory,
    **OMIT_ABSENT,
    operation_id="getExerciseHistory",
    summary="Your latest performances of an exercise (or one variant), newest first",
)
async def exercise_history(
    user: User,
    exerciseId: Annotated[UUID, Path(description="Supabase UUID of the exercise")],
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
    variantId: Annotated[UUID | None, Query(description="Only this variant")] = None,
) -> ExerciseHistory:
    """From the caller's completed sessions: each entry is one session's sets of the exercise,
    with its top set and volume."""
    entries = await service.exercise_history(
        user, str(exerciseId), str(variantId) if variantId else None, limit
    )
    return ExerciseHistory(data=entries)


router.include_router(sessions)
router.include_router(history)
