"""`/api/routines`: the caller's own routines (user-created) and the template versions assigned
to them. Every signed-in user, clients included; admins too see only their own here."""

from typing import Annotated, Any, Union

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, create_model

from peakhealth.http.dependencies import Catalog, DocumentId, User
from peakhealth.http.pagination import Page, page_of
from peakhealth.http.responses import json_response
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

router = APIRouter(prefix="/api/routines", tags=["user routines"])

# One routine by id: an own user routine, or an assigned template version (`routineType` says).
AnyRoutine: Any = Union[UserRoutineView, TemplateRoutineDocument.full_model]  # noqa: UP007
RoutinePage: Any = create_model(
    "RoutinePage",
    __base__=Page[
        Union[  # noqa: UP007 - summaries, or whole routines with view=full
            UserRoutineSummary,
            TemplateRoutineDocument.summary_model,
            UserRoutineView,
            TemplateRoutineDocument.full_model,
        ]
    ],
)


class FavoriteState(BaseModel):
    isFavorite: bool


@router.get(
    "",
    response_model=RoutinePage,
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
    items, total = await user_service.list_routines(
        user, type, skip=pages.skip, limit=pages.limit, full=pages.full
    )
    return json_response(page_of(items, total, pages))


@router.post(
    "", status_code=201, response_model=UserRoutineView, summary="Create a user-created routine"
)
async def create(user: User, draft: UserRoutineBody, catalog: Catalog) -> Response:
    content = await user_service.build_routine(draft, user, catalog)
    return json_response(await user_service.create(user, content), status_code=201)


@router.get(
    "/{id}",
    response_model=AnyRoutine,
    summary="One routine the caller owns, or a template version assigned to them",
)
async def read(user: User, id: DocumentId) -> Response:
    return json_response(await user_service.read(user, id))


@router.put("/{id}", response_model=UserRoutineView, summary="Replace an own user-created routine")
async def replace(user: User, id: DocumentId, draft: UserRoutineBody, catalog: Catalog) -> Response:
    return json_response(await user_service.replace(user, id, draft, catalog))


@router.patch(
    "/{id}",
    response_model=UserRoutineView,
    summary="Change some top-level fields of an own user-created routine (not its workouts)",
)
async def patch(user: User, id: DocumentId, changes: UserRoutinePatchBody) -> Response:
    return json_response(await user_service.patch(user, id, changes))


@router.delete(
    "/{id}",
    status_code=204,
    summary="Delete an own user-created routine (sessions keep their snapshots)",
)
async def delete(user: User, id: DocumentId) -> Response:
    await user_service.delete(user, id)
    return Response(status_code=204)


@router.post(
    "/{id}/favorite", response_model=FavoriteState, summary="Toggle the routine's favorite flag"
)
async def favorite(user: User, id: DocumentId) -> FavoriteState:
    return FavoriteState(isFavorite=await user_service.toggle_favorite(user, id))


@router.post(
    "/{id}/activate",
    response_model=UserRoutineView,
    summary="Make the routine the caller's single active routine",
)
async def activate(user: User, id: DocumentId) -> Response:
    return json_response(await user_service.activate(user, id))
