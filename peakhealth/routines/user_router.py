"""`/api/routines`: the caller's own routines (user-created) and the template versions assigned
to them. Every signed-in user, clients included; admins too see only their own here."""

from typing import Annotated, Any, Union

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from peakhealth.http.dependencies import Catalog, DocumentId, User
from peakhealth.http.pagination import Page, page_of
from peakhealth.http.preconditions import IfMatch, IfNoneMatch, not_modified, tagged
from peakhealth.http.responses import created_response, json_bytes, json_response, location
from peakhealth.http.versioned import PlanPages
from peakhealth.routines import user_service
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.routines.user_documents import (
    UserRoutineBody,
    UserRoutinePatchBody,
    UserRoutineSummary,
    UserRoutineView,
)
from peakhealth.routines.user_service import RoutineListType

router = APIRouter(prefix="/api/routines", tags=["Routines"])

# One routine by id: an own user routine, or an assigned template version (`routineType` says).
AnyRoutine: Any = Union[UserRoutineView, TemplateRoutineDocument.full_model]  # noqa: UP007


class RoutinePage(
    Page[
        Union[  # noqa: UP007 - summaries, or whole routines with view=full
            UserRoutineSummary,
            TemplateRoutineDocument.summary_model,
            UserRoutineView,
            TemplateRoutineDocument.full_model,
        ]
    ]
): ...


class FavoriteState(BaseModel):
    isFavorite: bool


@router.get(
    "",
    response_model=RoutinePage,
    operation_id="listRoutines",
    summary="The caller's routines: own user-created ones and assigned template versions",
)
async def list_routines(
    user: User,
    pages: PlanPages,
    type: Annotated[
        RoutineListType | None,
        Query(
            description="user: own user-created routines; assigned: template versions of the"
            " caller's assignments; active: the active user routine and the versions of active"
            " assignments. Absent: user and assigned."
        ),
    ] = None,
) -> Response:
    """Each item says what it is in `routineType`: `user-created`, or `template` for a version
    assigned to the caller. Summaries unless `view=full`."""
    items, total = await user_service.list_routines(
        user, type, skip=pages.skip, limit=pages.limit, full=pages.full
    )
    return json_response(page_of(items, total, pages))


@router.post(
    "",
    status_code=201,
    response_model=UserRoutineView,
    operation_id="createRoutine",
    summary="Create a user-created routine",
)
async def create(
    request: Request, user: User, draft: UserRoutineBody, catalog: Catalog
) -> Response:
    """A routine of the caller's own (any signed-in user), neither active nor favorite. Workouts
    and sections are given whole; `Location` is the new routine's URL."""
    content = await user_service.build_routine(draft, user, catalog)
    routine = await user_service.create(user, content)
    created = created_response(json_bytes(routine), location(request, "getRoutine", routine.id))
    return tagged(created, routine.revision)


@router.get(
    "/{id}",
    response_model=AnyRoutine,
    operation_id="getRoutine",
    name="getRoutine",  # the Location of a 201 is built from this route
    summary="One routine the caller owns, or a template version assigned to them",
)
async def read(user: User, id: DocumentId, held: IfNoneMatch) -> Response:
    """`routineType` tells the two apart: `user-created`, or `template` for an assigned
    template version. Any other id is 404."""
    unchanged = await not_modified(held, lambda: user_service.revision(user, id))
    if unchanged is not None:
        return unchanged
    routine = await user_service.read(user, id)
    return tagged(json_response(routine), routine.revision)


@router.put(
    "/{id}",
    response_model=UserRoutineView,
    operation_id="replaceRoutine",
    summary="Replace an own user-created routine",
)
async def replace(
    user: User, id: DocumentId, draft: UserRoutineBody, catalog: Catalog, expected: IfMatch
) -> Response:
    """The whole routine from the body, workouts included (server-managed fields in the body are
    ignored); its state (active, favorite, progress) is kept."""
    routine = await user_service.replace(user, id, draft, catalog, expected)
    return tagged(json_response(routine), routine.revision)


@router.patch(
    "/{id}",
    response_model=UserRoutineView,
    operation_id="updateRoutine",
    summary="Change some top-level fields of an own user-created routine (not its workouts)",
)
async def patch(
    user: User, id: DocumentId, changes: UserRoutinePatchBody, expected: IfMatch
) -> Response:
    """Fields left out stay as they are; `description: null` removes the description and
    `schedule: null` restores the default week. Workouts change with PUT only."""
    routine = await user_service.patch(user, id, changes, expected)
    return tagged(json_response(routine), routine.revision)


@router.delete(
    "/{id}",
    status_code=204,
    operation_id="deleteRoutine",
    summary="Delete an own user-created routine (sessions keep their snapshots)",
)
async def delete(user: User, id: DocumentId, expected: IfMatch) -> Response:
    """Sessions scheduled from it keep the workout snapshots they were made with."""
    await user_service.delete(user, id, expected)
    return Response(status_code=204)


@router.post(
    "/{id}/favorite",
    response_model=FavoriteState,
    operation_id="toggleRoutineFavorite",
    summary="Toggle the routine's favorite flag",
)
async def favorite(user: User, id: DocumentId, expected: IfMatch) -> FavoriteState:
    """Flips the flag of an own user-created routine and answers its new value."""
    return FavoriteState(isFavorite=await user_service.toggle_favorite(user, id, expected))


@router.post(
    "/{id}/activate",
    response_model=UserRoutineView,
    operation_id="activateRoutine",
    summary="Make the routine the caller's single active routine",
)
async def activate(user: User, id: DocumentId, expected: IfMatch) -> Response:
    """The caller's previously active user routine, if any, stops being active."""
    routine = await user_service.activate(user, id, expected)
    return tagged(json_response(routine), routine.revision)
