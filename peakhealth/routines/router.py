"""`/api/templates/routines`: template routine versions."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from peakhealth.http.dependencies import User
from peakhealth.http.pagination import page_of
from peakhealth.http.versioned import PlanPages, add_version_chain_routes, plan_page
from peakhealth.plan.drafts import TemplateRoutineBody
from peakhealth.plan.routines import Difficulty, Goal
from peakhealth.routines import service
from peakhealth.routines.documents import TemplateRoutineDocument

router = APIRouter(prefix="/api/templates/routines", tags=["template routines"])


@router.get(
    "",
    response_model=plan_page(TemplateRoutineDocument),
    summary="Explore: latest public template versions plus the caller's own",
)
async def explore(
    user: User,
    pages: PlanPages,
    goal: Annotated[Goal | None, Query()] = None,
    difficulty: Annotated[Difficulty | None, Query()] = None,
    tag: Annotated[str | None, Query()] = None,
    templateType: Annotated[str | None, Query(pattern="^(trainer|company)$")] = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
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
    return JSONResponse(page_of(items, total, pages))


add_version_chain_routes(
    router,
    document=TemplateRoutineDocument,
    body=TemplateRoutineBody,
    build=service.build_template,
    copy=False,
    bulk_purge=False,
)
