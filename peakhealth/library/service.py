"""Library operations beyond the shared version chain: turning drafts into content, listing."""

import re
from typing import Any

from peakhealth import policy
from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.identity.users import CurrentUser
from peakhealth.plan.sections import SECTION_TYPES
from peakhealth.plan.workouts import Workout
from peakhealth.snapshots import check_section, resolve_workout
from peakhealth.versioning.chains import find_page
from peakhealth.versioning.documents import VersionedDocument


async def build_section(draft: Any, user: CurrentUser, catalog: ExerciseCatalog) -> Any:
    """The section content of a submitted library section (publishing fields set apart)."""
    section_type = SECTION_TYPES[draft.type]
    section = section_type.model_validate(
        {name: getattr(draft, name) for name in section_type.model_fields}
    )
    return await check_section(section, catalog)


async def build_workout(draft: Any, user: CurrentUser, catalog: ExerciseCatalog) -> Workout:
    """The workout content of a submitted library workout, section references resolved."""
    return await resolve_workout(draft, user, catalog)


def name_search(text: str) -> dict[str, Any]:
    """Case-insensitive substring match on the name, the text taken literally. The text is
    `OneLine` (the routers' `search` type): a NUL would make a real MongoDB refuse the `$regex`."""
    return {"$regex": re.escape(text.strip()), "$options": "i"}


async def list_latest(
    cls: type[VersionedDocument],
    user: CurrentUser,
    *,
    type: str | None,
    tag: str | None,
    search: str | None,
    mine: bool,
    include_archived: bool,
    skip: int,
    limit: int,
    full: bool,
) -> tuple[list[Any], int]:
    """Latest non-archived versions the caller may read, newest first; with `include_archived`
    the caller's own archived versions too."""
    visible: dict[str, Any] = {
        "isLatest": True,
        "isArchived": False,
        **policy.READ_VERSION.filter(user),
    }
    if include_archived:
        visible = {"$or": [visible, {"isArchived": True, **policy.OWN_VERSION.filter(user)}]}
    conditions: list[dict[str, Any]] = [visible]
    if type:
        conditions.append({"type": type})
    if tag:
        conditions.append({"tags": tag.strip().lower()})
    if search:
        conditions.append({"name": name_search(search)})
    if mine:
        conditions.append(policy.OWN_VERSION.filter(user))
    return await find_page(
        cls,
        {"$and": conditions},
        sort=[("updatedAt", -1), ("_id", -1)],
        skip=skip,
        limit=limit,
        full=full,
    )
