"""`/api/templates/routines`: template routine versions."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from peakhealth.http.dependencies import User, VersionId
from peakhealth.http.pagination import page_of
from peakhealth.http.responses import created_response, json_bytes, json_response, location
from peakhealth.http.versioned import PlanPages, add_version_chain_routes, plan_page
from peakhealth.plan.base import MAX_NAME, MAX_TAG_LENGTH, OneLine
from peakhealth.plan.drafts import TemplateRoutineBody
from peakhealth.plan.routines import Difficulty, Goal
from peakhealth.routines import service, user_service
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.routines.user_documents import UserRoutineView
from peakhealth.storage.assignments import pinned_versions

router = APIRouter(prefix="/api/templates/routines", tags=["Templates"])


@router.get(
    "",
    response_model=plan_page(TemplateRoutineDocument),
    operation_id="listTemplates",
    summary="Explore: latest public template versions plus the caller's own",
)
async def explore(
    user: User,
    pages: PlanPages,
    goal: Annotated[Goal | None, Query()] = None,
    difficulty: Annotated[Difficulty | None, Query()] = None,
    tag: Annotated[OneLine | None, Query(max_length=MAX_TAG_LENGTH)] = None,
    templateType: Annotated[str | None, Query(pattern="^(trainer|company)$")] = None,
    search: Annotated[OneLine | None, Query(max_length=MAX_NAME)] = None,
) -> Response:
    """The latest non-archived version of each template routine chain that is public or the
    caller's own (every one for admins), most recently changed first, as summaries unless
    `view=full`. `search` looks in the name, description and tags."""
    items, total = await service.explore(
        user,
        goal=goal,
        difficulty=difficulty,
        tag=tag,
        template_type=templateType,
        search=search,
        skip=pages.skip,
        limit=pages.limit,
        full=pages.full,
    )
    return json_response(page_of(items, total, pages))


add_version_chain_routes(
    router,
    noun="Template",
    document=TemplateRoutineDocument,
    body=TemplateRoutineBody,
    build=service.build_template,
    copy=False,
    bulk_purge=False,
    pinned=pinned_versions,  # a version an assignment points to can be archived, not purged
)


@router.post(
    "/{id}/copy",
    status_code=201,
    response_model=UserRoutineView,
    operation_id="copyTemplateToRoutine",
    summary="Copy a template version into a user-created routine of the caller",
)
async def copy_to_user_routine(request: Request, user: User, id: VersionId) -> Response:
    """Allowed when the version allows copies (`allowCopy`), or to its creator and admins. The
    copy keeps the template's element ids, so sessions and history line up with it; `Location`
    is the new routine's URL under `/api/routines`."""
    routine = await user_service.copy_template(user, id)
    return created_response(json_bytes(routine), location(request, "getRoutine", routine.id))
