"""`GET /api/changes`: the change feed (DOMAIN.md section 12, API.md "Integrators")."""

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from peakhealth.changes import cursor, service
from peakhealth.http.dependencies import OMIT_ABSENT, User
from peakhealth.timestamps import UtcDatetime

router = APIRouter(prefix="/api/changes", tags=["Changes"])

ResourceType = Literal["assignment", "routine", "section", "session", "template", "workout"]


class ChangeView(BaseModel):
    """One changed or deleted document, in its latest state."""

    resourceType: ResourceType
    id: str = Field(description="The document's id (24 hex characters)")
    revision: int = Field(description="The document's revision (its deletion counts as one)")
    changedAt: UtcDatetime = Field(description="When it last changed; the feed's order")
    deleted: bool = Field(description="True for a tombstone: the document was deleted")
    data: dict[str, Any] | None = Field(
        default=None,
        description="The document as its list endpoint shows it (a summary); absent when deleted",
    )


class ChangePage(BaseModel):
    """Changes after the cursor, oldest first; empty when the caller is up to date."""

    data: list[ChangeView]
    nextCursor: str = Field(
        description="Pass it as `since` to read on; the same cursor when nothing is new"
    )


@router.get(
    "",
    response_model=ChangePage,
    **OMIT_ABSENT,
    operation_id="listChanges",
    summary="Changes and deletions the caller may read since a cursor, oldest first",
)
async def list_changes(
    request: Request,
    user: User,
    since: Annotated[
        str | None,
        Query(
            max_length=cursor.MAX_LENGTH,
            pattern=cursor.PATTERN,
            description="The `nextCursor` of the previous page; absent: from the start",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Changes per page, at most 100")] = 50,
) -> dict[str, Any]:
    """Sessions, assignments, user routines and template and library versions the caller may
    read (the same rules as their lists: a client their own, and the template versions
    assigned to them; a trainer what they assigned and their own versions; an admin every
    one, but only their own user routines), ordered by (changedAt, resourceType, id), each in
    its latest state; deletions as tombstones (`deleted: true`) for 30 days. Only changes
    older than CHANGES_SETTLE_SECONDS (default 2) are listed, so a change that commits late
    is never skipped. Keep `nextCursor` and read again: an empty page means up to date."""
    settings = request.app.state.settings
    found, next_cursor = await service.page(
        user,
        since,
        limit,
        settle=timedelta(seconds=settings.changes_settle_seconds),
        clock=request.app.state.clock,
    )
    return {
        "data": [
            {
                "resourceType": change.resourceType,
                "id": change.id,
                "revision": change.revision,
                "changedAt": change.changedAt,
                "deleted": change.deleted,
                "data": change.data,
            }
            for change in found
        ],
        "nextCursor": next_cursor,
    }
