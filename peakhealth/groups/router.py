"""`/api/groups`: a trainer's groups of their clients, members, and the group calendar."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from peakhealth.groups import service
from peakhealth.http.dependencies import OMIT_ABSENT, Directory, DocumentId, User
from peakhealth.http.pagination import Page, Pages, page_of
from peakhealth.http.preconditions import IfMatch, IfNoneMatch, not_modified, tagged
from peakhealth.http.responses import location, page_response
from peakhealth.plan.base import UUID_PATTERN, Name, PlanModel
from peakhealth.plan.calendar import CalendarDate
from peakhealth.plan.reading import ReadWithId
from peakhealth.sessions.models import SessionPage
from peakhealth.storage.groups import GroupFields

router = APIRouter(prefix="/api/groups", tags=["Groups"])

ClientId = Annotated[str, Path(description="Supabase user id (UUID)", pattern=UUID_PATTERN)]


class GroupDraft(PlanModel):
    """A new group; members are added one by one (each must be the trainer's client)."""

    name: Name


class GroupPatch(PlanModel):
    name: Name


class GroupView(GroupFields, ReadWithId):
    """A group as the API shows it: its members and the routines assigned to it."""


class GroupPage(Page[GroupView]):
    """One page of groups."""


def present(group: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = GroupView.model_validate(group).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    return body


def present_one(response: Response, group: dict[str, Any]) -> dict[str, Any]:
    tagged(response, int(group.get("revision") or 0))
    return present(group)


@router.post(
    "",
    status_code=201,
    response_model=GroupView,
    **OMIT_ABSENT,
    operation_id="createGroup",
    summary="Create a group of your clients",
)
async def create(
    request: Request, response: Response, draft: GroupDraft, user: User
) -> dict[str, Any]:
    """Trainers (and admins) keep groups; a client is 403. `Location` is the group's URL."""
    group = await service.create(draft.name, user)
    response.headers["Location"] = location(request, "getGroup", group["_id"])
    return present_one(response, group)


@router.get(
    "",
    response_model=GroupPage,
    **OMIT_ABSENT,
    operation_id="listGroups",
    summary="The caller's groups (every group for admins)",
)
async def list_groups(user: User, pages: Pages) -> dict[str, Any]:
    """The groups the caller keeps (every group for admins), newest first."""
    items, total = await service.list_page(user, skip=pages.skip, limit=pages.limit)
    return page_of([present(item) for item in items], total, pages)


@router.get(
    "/{id}",
    response_model=GroupView,
    **OMIT_ABSENT,
    operation_id="getGroup",
    name="getGroup",  # the Location of a 201 is built from this route
    summary="One group",
)
async def read(
    id: DocumentId, user: User, held: IfNoneMatch, response: Response
) -> dict[str, Any] | Response:
    """Readable by its trainer and admins; any other id is 404 (its members included)."""
    unchanged = await not_modified(held, lambda: service.revision(id, user))
    if unchanged is not None:
        return unchanged
    return present_one(response, await service.load(id, user))


@router.patch(
    "/{id}",
    response_model=GroupView,
    **OMIT_ABSENT,
    operation_id="updateGroup",
    summary="Rename a group",
)
async def patch(
    id: DocumentId, change: GroupPatch, user: User, expected: IfMatch, response: Response
) -> dict[str, Any]:
    """A new name; the members and the routines assigned stay as they are."""
    return present_one(response, await service.rename(id, change.name, user, expected))


@router.delete("/{id}", status_code=204, operation_id="deleteGroup", summary="Delete a group")
async def delete(id: DocumentId, user: User, expected: IfMatch) -> Response:
    """Its members keep the assignments the group made, as ordinary assignments."""
    await service.delete(id, user, expected)
    return Response(status_code=204)


@router.put(
    "/{id}/members/{clientId}",
    status_code=204,
    operation_id="addGroupMember",
    summary="Add a client to a group",
)
async def add_member(
    id: DocumentId,
    clientId: ClientId,
    user: User,
    directory: Directory,
    expected: IfMatch,
    request: Request,
) -> Response:
    """The client (one of the group's trainer's, else 403) joins and is assigned the group's
    routines that are not over yet, from today (UTC): the group's days and workouts from then
    on, ending with the group's. Adding a member again assigns whatever is still missing."""
    today = request.app.state.clock().date()  # the app's clock: tests move it
    await service.add_member(id, clientId.lower(), user, directory, expected, today)
    return Response(status_code=204)


@router.delete(
    "/{id}/members/{clientId}",
    status_code=204,
    operation_id="removeGroupMember",
    summary="Remove a member from a group",
)
async def remove_member(
    id: DocumentId, clientId: ClientId, user: User, expected: IfMatch
) -> Response:
    """The member's live group assignments are cancelled: their scheduled sessions are
    deleted, the ones done or in progress stay."""
    await service.remove_member(id, clientId.lower(), user, expected)
    return Response(status_code=204)


@router.get(
    "/{id}/sessions",
    response_model=SessionPage,
    **OMIT_ABSENT,
    operation_id="listGroupSessions",
    summary="The group calendar: members' sessions of the group's assignments",
)
async def group_sessions(
    id: DocumentId,
    user: User,
    pages: Pages,
    date_from: Annotated[
        CalendarDate | None, Query(alias="from", description="First day, included")
    ] = None,
    date_to: Annotated[
        CalendarDate | None,
        Query(alias="to", description="Last day, included; at most 366 days after from"),
    ] = None,
) -> Response:
    """The current members' sessions of the group's assignments as summaries, by date, time
    and sequence; `from` and `to` as in the calendar."""
    found, total = await service.sessions_page(
        id, user, date_from=date_from, date_to=date_to, skip=pages.skip, limit=pages.limit
    )
    return page_response(found, total, pages)
