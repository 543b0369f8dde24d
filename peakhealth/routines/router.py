"""`/api/templates/routines`: template routine versions, a version chain with the contract of
`peakhealth.http.versioned` (no fork: a copy becomes a user routine; no bulk purge), each route
declared under its path."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from peakhealth.http.dependencies import AppSettings, Author, Catalog, User, VersionId
from peakhealth.http.pagination import page_of
from peakhealth.http.preconditions import IfMatch, IfNoneMatch, tagged
from peakhealth.http.responses import created_response, json_bytes, json_response, location
from peakhealth.http.versioned import (
    Against,
    ChainEndpoints,
    LifecycleResult,
    PlanPages,
    plan_page,
)
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


# A version an assignment points to can be archived, not purged: `pinned_versions` says which.
TEMPLATES = ChainEndpoints(
    TemplateRoutineDocument,
    service.build_template,
    read_route="getTemplate",
    pinned=pinned_versions,
)
Template = Annotated[TemplateRoutineDocument, Depends(TEMPLATES.load)]


@router.post("", operation_id="createTemplate", **TEMPLATES.routes.create)
async def create(
    request: Request, draft: TemplateRoutineBody, user: Author, catalog: Catalog
) -> Response:
    return await TEMPLATES.create(request, draft, user, catalog)


# `name`: the Location of a 201 is built from this route.
@router.get("/{id}", operation_id="getTemplate", name="getTemplate", **TEMPLATES.routes.read)
async def read(user: User, id: VersionId, held: IfNoneMatch) -> Response:
    return await TEMPLATES.read(user, id, held)


@router.get("/{id}/versions", operation_id="listTemplateVersions", **TEMPLATES.routes.versions)
async def list_versions(user: User, id: VersionId, pages: PlanPages) -> Response:
    return await TEMPLATES.versions(user, id, pages)


@router.get("/{id}/diff", operation_id="diffTemplateVersions", **TEMPLATES.routes.diff)
async def diff_versions(user: User, id: VersionId, against: Against) -> Response:
    return await TEMPLATES.diff(user, id, against)


@router.put("/{id}", operation_id="createTemplateVersion", **TEMPLATES.routes.new_version)
async def publish(
    user: Author, id: VersionId, draft: TemplateRoutineBody, catalog: Catalog, expected: IfMatch
) -> Response:
    return await TEMPLATES.publish(user, id, draft, catalog, expected)


@router.put("/{id}/archive", operation_id="archiveTemplateVersion", **TEMPLATES.routes.archive)
async def archive(
    user: User, target: Template, settings: AppSettings, expected: IfMatch
) -> LifecycleResult:
    return await TEMPLATES.archive(user, target, settings, expected)


@router.put(
    "/{id}/unarchive", operation_id="unarchiveTemplateVersion", **TEMPLATES.routes.unarchive
)
async def unarchive(user: User, target: Template, expected: IfMatch) -> LifecycleResult:
    return await TEMPLATES.unarchive(user, target, expected)


@router.delete("/{id}", operation_id="purgeTemplateVersion", **TEMPLATES.routes.purge)
async def purge(user: User, target: Template, expected: IfMatch) -> Response:
    return await TEMPLATES.purge(user, target, expected)


@router.delete(
    "/{id}/versions", operation_id="deleteTemplateChain", **TEMPLATES.routes.delete_chain
)
async def delete_chain(user: User, target: Template, expected: IfMatch) -> Response:
    return await TEMPLATES.delete_chain(user, target, expected)


@router.post(
    "/{id}/copy",
    status_code=201,
    response_model=UserRoutineView,
    operation_id="copyTemplateToRoutine",
    summary="Copy a template version into a user-created routine of the caller",
)
async def copy_to_user_routine(
    request: Request, user: User, id: VersionId, expected: IfMatch
) -> Response:
    """Allowed when the version allows copies (`allowCopy`), or to its creator and admins. The
    copy keeps the template's element ids, so sessions and history line up with it; `Location`
    is the new routine's URL under `/api/routines`. `If-Match` names the template version."""
    routine = await user_service.copy_template(user, id, expected)
    created = created_response(json_bytes(routine), location(request, "getRoutine", routine.id))
    return tagged(created, routine.revision)
