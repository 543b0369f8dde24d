"""`/api/routine-assignments`."""

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from peakhealth.assignments import service
from peakhealth.assignments.documents import AssignmentStatus, RoutineAssignment
from peakhealth.http.dependencies import OMIT_ABSENT, Directory, DocumentId, User
from peakhealth.http.pagination import Page, PageRequest, page_of, page_request
from peakhealth.plan.base import (
    UUID_PATTERN,
    Notes,
    PlanModel,
    Reference,
    Uuid,
    Weekday,
)
from peakhealth.plan.calendar import CalendarDate, ClockTime
from peakhealth.plan.reading import IdText
from peakhealth.timestamps import UtcDatetime

router = APIRouter(prefix="/api/routine-assignments", tags=["routine assignments"])


class AssignmentDraft(PlanModel):
    """Assign a template routine version to a client from a start date."""

    routineVersionId: Reference
    userId: Uuid
    startDate: CalendarDate
    trainingDays: list[Weekday] | None = Field(
        default=None,
        min_length=1,
        max_length=7,
        description="Defaults to the routine's training days",
    )
    scheduledTime: ClockTime | None = None
    notesForUser: Notes | None = None


class FeedbackPatch(PlanModel):
    feedback: Notes | None


class AssignmentPatch(PlanModel):
    """Change the status (paused, active, completed, cancelled), trainer notes (trainer or
    admin), or the client's feedback (`progress.feedback`)."""

    status: Literal["paused", "active", "completed", "cancelled"] | None = None
    notesForUser: Notes | None = None
    progress: FeedbackPatch | None = None


class UpgradeRequest(PlanModel):
    fromDate: CalendarDate | None = Field(default=None, description="Defaults to today (UTC)")


class ProgressView(BaseModel):
    completedWorkouts: int
    totalWorkouts: int
    lastWorkoutDate: UtcDatetime | None = None
    feedback: str | None = None


class AssignmentView(BaseModel):
    """An assignment as the API shows it."""

    id: IdText
    routineVersionId: IdText
    parentRoutineId: IdText
    userId: str = Field(pattern=UUID_PATTERN)
    trainerId: str | None = None
    assignedBy: str
    assignedAt: UtcDatetime
    startDate: str
    endDate: str
    trainingDays: list[Weekday]
    scheduledTime: str | None = None
    status: AssignmentStatus
    notesForUser: str | None = None
    replacesAssignmentId: IdText | None = None
    progress: ProgressView
    schemaVersion: int
    createdAt: UtcDatetime
    updatedAt: UtcDatetime


class AssignmentPage(Page[AssignmentView]):
    """One page of assignments."""


def present(assignment: RoutineAssignment) -> dict[str, Any]:
    body: dict[str, Any] = assignment.model_dump(
        mode="json", exclude={"revision_id"}, exclude_none=True
    )
    return body


@router.post(
    "",
    status_code=201,
    response_model=AssignmentView,
    **OMIT_ABSENT,
    summary="Assign a routine version and schedule its sessions",
)
async def create(draft: AssignmentDraft, user: User, directory: Directory) -> dict[str, Any]:
    created = await service.create(
        routine_version_id=draft.routineVersionId,
        client_id=draft.userId,
        start=date.fromisoformat(draft.startDate),
        training_days=list(draft.trainingDays) if draft.trainingDays else None,
        scheduled_time=draft.scheduledTime,
        notes=draft.notesForUser,
        user=user,
        directory=directory,
    )
    return present(created)


@router.get(
    "",
    response_model=AssignmentPage,
    **OMIT_ABSENT,
    summary="The caller's assignments (client) or the ones they made (trainer; all for admins)",
)
async def list_assignments(
    user: User,
    pages: Annotated[PageRequest, Depends(page_request)],
    userId: Annotated[str | None, Query(pattern=UUID_PATTERN)] = None,
    status: Annotated[AssignmentStatus | None, Query()] = None,
) -> dict[str, Any]:
    items, total = await service.list_page(
        user,
        user_id=userId.lower() if userId else None,
        status=status,
        skip=pages.skip,
        limit=pages.limit,
    )
    return page_of([present(item) for item in items], total, pages)


@router.get("/{id}", response_model=AssignmentView, summary="One assignment", **OMIT_ABSENT)
async def read(id: DocumentId, user: User) -> dict[str, Any]:
    return present(await service.load(id, user))


@router.patch(
    "/{id}",
    response_model=AssignmentView,
    **OMIT_ABSENT,
    summary="Pause, resume, complete or cancel; trainer notes; client feedback",
)
async def patch(id: DocumentId, change: AssignmentPatch, user: User) -> dict[str, Any]:
    assignment = await service.load(id, user)
    given = change.model_fields_set
    updated = await service.update(
        assignment,
        user=user,
        status=change.status,
        notes=change.notesForUser,
        notes_given="notesForUser" in given,
        feedback=change.progress.feedback if change.progress else None,
        feedback_given=change.progress is not None
        and "feedback" in change.progress.model_fields_set,
    )
    return present(updated)


@router.post(
    "/{id}/upgrade",
    status_code=201,
    response_model=AssignmentView,
    **OMIT_ABSENT,
    summary="Replace with the latest version of the same routine from a date",
)
async def upgrade(
    id: DocumentId, user: User, directory: Directory, request: UpgradeRequest | None = None
) -> dict[str, Any]:
    assignment = await service.load(id, user)
    from_date = (
        date.fromisoformat(request.fromDate)
        if request and request.fromDate
        else datetime.now(UTC).date()
    )
    return present(
        await service.upgrade(assignment, user=user, from_date=from_date, directory=directory)
    )
