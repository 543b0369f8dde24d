"""`/api/library/sections` and `/api/library/workouts`."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from peakhealth.http.dependencies import User
from peakhealth.http.pagination import page_of
from peakhealth.http.responses import json_response
from peakhealth.http.versioned import PlanPages, add_version_chain_routes, plan_page
from peakhealth.library import service
from peakhealth.library.documents import SectionDocument, WorkoutDocument
from peakhealth.plan.base import MAX_NAME, MAX_TAG_LENGTH, OneLine
from peakhealth.plan.drafts import LibraryWorkoutBody, SectionDraft
from peakhealth.versioning.documents import VersionedDocument

router = APIRouter(prefix="/api/library")


def _library_routes(
    segment: str, noun: str, document: type[VersionedDocument], body: Any, build: Any
) -> APIRouter:
    routes = APIRouter(prefix=f"/{segment}", tags=["Library"])

    @routes.get(
        "",
        response_model=plan_page(document),
        operation_id=f"list{noun}s",
        summary=f"Latest {document.kind} versions the caller may read",
        description=f"The latest non-archived version of each {document.kind} chain the caller"
        " may read (public ones and their own; every one for admins), most recently changed"
        " first, as summaries unless `view=full`.",
    )
    async def list_latest(
        user: User,
        pages: PlanPages,
        type: Annotated[
            OneLine | None, Query(max_length=50, description=f"{document.kind} type")
        ] = None,
        tag: Annotated[OneLine | None, Query(max_length=MAX_TAG_LENGTH)] = None,
        search: Annotated[
            OneLine | None, Query(max_length=MAX_NAME, description="in the name")
        ] = None,
        createdBy: Annotated[str | None, Query(pattern="^me$", description="'me'")] = None,
        includeArchived: Annotated[bool, Query(description="add own archived versions")] = False,
    ) -> Response:
        items, total = await service.list_latest(
            document,
            user,
            type=type,
            tag=tag,
            search=search,
            mine=createdBy == "me",
            include_archived=includeArchived,
            skip=pages.skip,
            limit=pages.limit,
            full=pages.full,
        )
        return json_response(page_of(items, total, pages))

    add_version_chain_routes(routes, noun=noun, document=document, body=body, build=build)
    return routes


router.include_router(
    _library_routes(
        "sections", "LibrarySection", SectionDocument, SectionDraft, service.build_section
    )
)
router.include_router(
    _library_routes(
        "workouts", "LibraryWorkout", WorkoutDocument, LibraryWorkoutBody, service.build_workout
    )
)
