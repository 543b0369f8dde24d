"""Template routines: drafts into fully embedded content, and the explore listing."""

from typing import Any

from peakhealth import policy
from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.errors import Forbidden
from peakhealth.identity.users import CurrentUser
from peakhealth.library.service import name_search
from peakhealth.plan.routines import TemplateRoutine
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.snapshots import resolve_template
from peakhealth.versioning.chains import find_page


async def build_template(
    draft: Any, user: CurrentUser, catalog: ExerciseCatalog
) -> TemplateRoutine:
    """The routine content of a submitted template: references resolved, company templates
    reserved to admins."""
    if not policy.PUBLISH_TEMPLATE.allows(user, {"templateType": draft.templateType}):
        raise Forbidden("only an admin publishes company templates")
    return await resolve_template(draft, user, catalog)


async def explore(
    user: CurrentUser,
    *,
    goal: str | None,
    difficulty: str | None,
    tag: str | None,
    template_type: str | None,
    search: str | None,
    skip: int,
    limit: int,
    full: bool,
) -> tuple[list[Any], int]:
    """Latest public template versions plus the caller's own, newest first."""
    conditions: list[dict[str, Any]] = [
        {"routineType": "template", "isLatest": True, "isArchived": False},
        policy.READ_VERSION.filter(user),
    ]
    for field, value in (
        ("goal", goal),
        ("difficulty", difficulty),
        ("templateType", template_type),
    ):
        if value:
            conditions.append({field: value})
    if tag:
        conditions.append({"tags": tag.strip().lower()})
    if search:
        pattern = name_search(search)
        conditions.append({"$or": [{"name": pattern}, {"description": pattern}, {"tags": pattern}]})
    return await find_page(
        TemplateRoutineDocument,
        {"$and": conditions},
        sort=[("updatedAt", -1), ("_id", -1)],
        skip=skip,
        limit=limit,
        full=full,
    )
