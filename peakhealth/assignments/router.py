"""`/api/routine-assignments`."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import AfterValidator, Field, model_validator

from peakhealth.assignments import progression, service
from peakhealth.http.dependencies import OMIT_ABSENT, Directory, DocumentId, User
from peakhealth.http.pagination import Page, Pages, page_of
from peakhealth.http.preconditions import IfMatch, IfNoneMatch, not_modified, tagged
from peakhealth.http.responses import json_response, location
from peakhealth.plan.base import (
    UUID_PATTERN,
    Notes,
    PlanModel,
    Reference,
    Uuid,
    Weekday,
    raise_field_errors,
)
from peakhealth.plan.calendar import CalendarDate, ClockTime
from peakhealth.plan.reading import ReadWithId
from peakhealth.sessions.adherence import AssignmentAdherence
from peakhealth.storage.assignments import (
    AssignmentFields,
    AssignmentStatus,
    Progress,
    RoutineAssignment,
)

router = APIRouter(prefix="/api/routine-assignments", tags=["Assignments"])


def _round_to(value: float) -> float:
    if value not in progression.ROUND_TO_CHOICES:
        choices = ", ".join(f"{choice:g}" for choice in progression.ROUND_TO_CHOICES)
        raise ValueError(f"must be one of {choices} (kg; the last four are 1, 2.5, 5, 10 lb)")
    return value


RoundTo = Annotated[
    float,
    Field(gt=0, le=5),
    AfterValidator(_round_to),
    # The choices are told, not listed as an enum: client generators refuse a number enum.
    Field(
        description="kg computed loads are rounded to (nearest multiple, halves up): one of "
        + ", ".join(f"{choice:g}" for choice in progression.ROUND_TO_CHOICES)
        + " (the last four are 1, 2.5, 5 and 10 lb)"
    ),
]


class AssignmentDraft(PlanModel):
    """Assign a template routine version from a start date to a client (`userId`) or to every
    member of a group (`groupId`): exactly one of the two."""

    routineVersionId: Reference
    userId: Uuid | None = None
    groupId: Reference | None = None
    startDate: CalendarDate
    trainingDays: list[Weekday] | None = Field(
        default=None,
        min_length=1,
        max_length=7,
        description="Defaults to the routine's training days",
    )
    scheduledTime: ClockTime | None = None
    notesForUser: Notes | None = None
    roundTo: RoundTo = progression.DEFAULT_ROUND_TO

    @model_validator(mode="after")
    def _one_assignee(self) -> "AssignmentDraft":
        if (self.userId is None) == (self.groupId is None):
            message = "give exactly one of userId and groupId"
            raise_field_errors([(("userId",), message), (("groupId",), message)], self)
        return self


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


class ProgressView(Progress):
    pass  # the stored progress, named as the OpenAPI document names it


class AssignmentView(AssignmentFields, ReadWithId):
    """An assignment as the API shows it."""

    progress: ProgressView  # Progress, as the OpenAPI document names it


class GroupAssignmentView(PlanModel):
    """A version assigned to every member of a group: each member's assignment."""

    groupAssignmentId: Reference
    assignments: list[AssignmentView]


class AssignmentPage(Page[AssignmentView]):
    """One page of assignments."""


def present(assignment: RoutineAssignment) -> dict[str, Any]:
    body: dict[str, Any] = assignment.model_dump(
        mode="json", exclude={"revision_id"}, exclude_none=True
    )
    return body


def present_one(response: Response, assignment: RoutineAssignment) -> dict[str, Any]:
    """One assignment, its tag in `response`'s headers."""
    tagged(response, assignment.revision)
    return present(assignment)


@router.post(
    "",
    status_code=201,
    response_model=AssignmentView | GroupAssignmentView,
    **OMIT_ABSENT,
    operation_id="createAssignment",
    summary="Assign a routine version to a client or a group and schedule its sessions",
)
async def create(
    request: Request, response: Response, draft: AssignmentDraft, user: User, directory: Directory
) -> dict[str, Any]:
    """Assigns a template routine version from `startDate` and schedules every session of it on
    the training days: a trainer to one of their clients, an admin to anyone, anyone to
    themselves. An active or paused assignment of the same routine to that user is cancelled and
    replaced (`replacesAssignmentId`). `Location` is the new assignment's URL.

    With `groupId` instead of `userId`: assigned to every member of the group (each replacing
    their own live assignment of the routine as above; nothing is written unless every member
    may be assigned), answered as `{groupAssignmentId, assignments}`; `Location` is the
    group's URL. Members who join later are assigned from the day they join."""
    if draft.groupId is not None:
        group_assignment_id, made = await service.assign_group(
            routine_version_id=draft.routineVersionId,
            group_id=draft.groupId,
            start=date.fromisoformat(draft.startDate),
            training_days=list(draft.trainingDays) if draft.trainingDays else None,
            scheduled_time=draft.scheduledTime,
            notes=draft.notesForUser,
            user=user,
            directory=directory,
            round_to=draft.roundTo,
        )
        response.headers["Location"] = location(request, "getGroup", draft.groupId)
        return {
            "groupAssignmentId": str(group_assignment_id),
            "assignments": [present(assignment) for assignment in made],
        }
    assert draft.userId is not None  # one of the two, checked by the draft
    created = await service.create(
        routine_version_id=draft.routineVersionId,
        client_id=draft.userId,
        start=date.fromisoformat(draft.startDate),
        training_days=list(draft.trainingDays) if draft.trainingDays else None,
        scheduled_time=draft.scheduledTime,
        notes=draft.notesForUser,
        user=user,
        directory=directory,
        round_to=draft.roundTo,
    )
    response.headers["Location"] = location(request, "getAssignment", created.id)
    return present_one(response, created)


@router.get(
    "",
    response_model=AssignmentPage,
    **OMIT_ABSENT,
    operation_id="listAssignments",
    summary="The caller's assignments (client) or the ones they made (trainer; all for admins)",
)
async def list_assignments(
    user: User,
    pages: Pages,
    userId: Annotated[str | None, Query(pattern=UUID_PATTERN)] = None,
    status: Annotated[AssignmentStatus | None, Query()] = None,
) -> dict[str, Any]:
    """Filtered by client (`userId`) and `status` when given."""
    items, total = await service.list_page(
        user,
        user_id=userId.lower() if userId else None,
        status=status,
        skip=pages.skip,
        limit=pages.limit,
    )
    return page_of([present(item) for item in items], total, pages)


@router.get(
    "/{id}",
    response_model=AssignmentView,
    operation_id="getAssignment",
    name="getAssignment",  # the Location of a 201 is built from this route
    summary="One assignment",
    **OMIT_ABSENT,
)
async def read(
    id: DocumentId, user: User, held: IfNoneMatch, response: Response
) -> dict[str, Any] | Response:
    """Readable by its client, the trainer who made it and admins; any other id is 404."""
    unchanged = await not_modified(held, lambda: service.revision(id, user))
    if unchanged is not None:
        return unchanged
    return present_one(response, await service.load(id, user))


@router.get(
    "/{id}/adherence",
    response_model=AssignmentAdherence,
    **OMIT_ABSENT,
    operation_id="getAssignmentAdherence",
    summary="Adherence by week and in total: sessions done, skipped, missed; set completion",
)
async def adherence(http: Request, id: DocumentId, user: User) -> AssignmentAdherence:
    """Derived from the assignment's sessions when read. Per week (the sessions' `weekIndex`)
    and in total: sessions scheduled, then how many were completed, skipped, cancelled, missed
    (still scheduled on a day before today, UTC), in progress and upcoming, and the mean
    `setCompletion` of the completed ones. Readable by whoever may read the assignment; any
    other id is 404."""
    today = http.app.state.clock().date()  # the app's clock: tests move it
    return await service.adherence(id, user, today)


@router.patch(
    "/{id}",
    response_model=AssignmentView,
    **OMIT_ABSENT,
    operation_id="updateAssignment",
    summary="Pause, resume, complete or cancel; trainer notes; client feedback",
)
async def patch(
    id: DocumentId, change: AssignmentPatch, user: User, expected: IfMatch, response: Response
) -> dict[str, Any]:
    """`status` moves the assignment (paused, active, completed, cancelled); `notesForUser` is
    the trainer's (or an admin's) to change, `progress.feedback` the client's. Fields left out
    stay as they are."""
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
        expected=expected,
    )
    return present_one(response, updated)


@router.post(
    "/{id}/upgrade",
    status_code=201,
    response_model=AssignmentView,
    **OMIT_ABSENT,
    operation_id="upgradeAssignment",
    summary="Replace with the latest version of the same routine from a date",
)
async def upgrade(
    http: Request,
    response: Response,
    id: DocumentId,
    user: User,
    directory: Directory,
    expected: IfMatch,
    request: UpgradeRequest | None = None,
) -> dict[str, Any]:
    """A new assignment of the routine's latest version from `fromDate` (today, UTC, when left
    out) replaces this one, which is cancelled: its sessions still scheduled are removed, those
    done or in progress stay. The answer is the new assignment (`replacesAssignmentId` names
    this one) and `Location` its URL."""
    assignment = await service.load(id, user)
    from_date = (
        date.fromisoformat(request.fromDate)
        if request and request.fromDate
        else http.app.state.clock().date()  # the app's clock: tests move it
    )
    upgraded = await service.upgrade(
        assignment, user=user, from_date=from_date, directory=directory, expected=expected
    )
    response.headers["Location"] = location(http, "getAssignment", upgraded.id)
    return present_one(response, upgraded)  # the new assignment's tag


@router.get(
    "/{id}/upgrade-preview",
    response_model=service.UpgradePreview,
    operation_id="previewAssignmentUpgrade",
    summary="What upgrading to the latest version would change, without changing anything",
)
async def upgrade_preview(
    http: Request,
    id: DocumentId,
    user: User,
    directory: Directory,
    fromDate: Annotated[
        CalendarDate | None, Query(description="The upgrade's start; defaults to today (UTC)")
    ] = None,
) -> Response:
    """The diff from the assigned version to the latest one of its routine, how many scheduled
    sessions the upgrade would delete and create, and the first new session's date, decided as
    `POST /{id}/upgrade` decides (the same 403 and 409); nothing is written."""
    assignment = await service.load(id, user)
    start = date.fromisoformat(fromDate) if fromDate else http.app.state.clock().date()
    preview = await service.preview_upgrade(
        assignment, user=user, from_date=start, directory=directory
    )
    return json_response(preview)
