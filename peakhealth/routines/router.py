"""`/api/templates/routines`: template routine versions."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from peakhealth.http.dependencies import User
from peakhealth.http.pagination import PageRequest, page_of, page_request
from peakhealth.http.versioned import add_version_chain_routes
from peakhealth.plan.drafts import TemplateRoutineBody
from peakhealth.plan.routines import Difficulty, Goal
from peakhealth.routines import service
from peakhealth.routines.documents import TemplateRoutineDocument

router = APIRouter(prefix="/api/templates/routines", tags=["template routines"])


@router.get("", summary="Explore: latest public template versions plus the caller's own")
async def explore(
    user: User,
    pages: Annotated[PageRequest, Depends(page_request)],
    goal: Annotated[Goal | None, Query()] = None,
    difficulty: Annotated[Difficulty | None, Query()] = None,
    tag: Annotated[str | None, Query()] = None,
    templateType: Annotated[str | None, Query(pattern="^(trainer|company)$")] = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    items, total = await service.explore(
        user,
        goal=goal,
        difficulty=difficulty,
        tag=tag,
        template_type=templateType,
        search=search,
        skip=pages.skip,
        limit=pages.limit,
    )
    return page_of([item.present() for item in items], total, pages)


add_version_chain_routes(
    router,
    document=TemplateRoutineDocument,
    body=TemplateRoutineBody,
    build=service.build_template,
    copy=False,
    bulk_purge=False,
)
