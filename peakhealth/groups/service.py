"""Groups (DOMAIN.md section 15): create, list, read, rename, delete; members join (assigned
the group's routines from that day) and leave (their group assignments cancelled); the group
calendar. Only the group's trainer and admins see a group (`policy.USE_GROUP`, in every query)."""

from datetime import date
from typing import Any

from beanie import PydanticObjectId

from peakhealth import policy
from peakhealth.assignments import service as assigning
from peakhealth.errors import FieldError, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from peakhealth.identity.directory import UserDirectory
from peakhealth.identity.users import CurrentUser
from peakhealth.revisions import Expected, revision_of
from peakhealth.sessions import service as calendar
from peakhealth.storage import assignments, groups
from peakhealth.storage.groups import MAX_MEMBERS


async def create(name: str, user: CurrentUser) -> dict[str, Any]:
    """A new, empty group of the calling trainer."""
    policy.check_may_keep_groups(user)
    group = groups.new_group(user.id, name)
    await groups.insert(group)
    return group


async def list_page(user: CurrentUser, *, skip: int, limit: int) -> tuple[list[Any], int]:
    return await groups.page(policy.USE_GROUP.filter(user), skip=skip, limit=limit)


def _not_found(group_id: str) -> NotFound:
    return NotFound(f"no group with id {group_id}")


async def load(group_id: str, user: CurrentUser) -> dict[str, Any]:
    """The group, or NotFound when it does not exist or the caller may not see it."""
    found = await groups.find(PydanticObjectId(group_id), policy.USE_GROUP.filter(user))
    if found is None:
        raise _not_found(group_id)
    return found


async def revision(group_id: str, user: CurrentUser) -> int:
    found = await groups.revision(PydanticObjectId(group_id), policy.USE_GROUP.filter(user))
    if found is None:
        raise _not_found(group_id)
    return found


def _check_expected(expected: Expected | None, group: dict[str, Any]) -> None:
    if expected is not None and not expected.allows(revision_of(group)):
        raise PreconditionFailed(f"the group is at revision {revision_of(group)}; read it again")


async def _changed(
    group_id: str,
    user: CurrentUser,
    update: dict[str, Any],
    expected: Expected | None,
    also: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The group after `update`; 404 when it is gone, 412 when it moved past `expected`, None
    when `also` did not hold."""
    where = policy.USE_GROUP.filter(user)
    changed = await groups.change(PydanticObjectId(group_id), where, update, expected, also=also)
    if changed is None:
        _check_expected(expected, await load(group_id, user))
    return changed


async def rename(
    group_id: str, name: str, user: CurrentUser, expected: Expected | None
) -> dict[str, Any]:
    changed = await _changed(group_id, user, {"$set": {"name": name}}, expected)
    assert changed is not None
    return changed


async def delete(group_id: str, user: CurrentUser, expected: Expected | None) -> None:
    """Delete the group; its members keep the assignments it made, as ordinary ones."""
    if not await groups.delete(PydanticObjectId(group_id), policy.USE_GROUP.filter(user), expected):
        _check_expected(expected, await load(group_id, user))
        raise _not_found(group_id)  # deleted meanwhile


async def add_member(
    group_id: str,
    client_id: str,
    user: CurrentUser,
    directory: UserDirectory,
    expected: Expected | None,
    today: date,
) -> None:
    """The client joins (a client of the group's trainer only, as for assigning to them) and
    is assigned the group's routines from `today`. Repeating it assigns what a failure
    missed."""
    group = await load(group_id, user)
    _check_expected(expected, group)
    linked = await directory.is_client_of(group["trainerId"], client_id)
    if not linked:
        raise Forbidden("this user is not a client of the group's trainer")
    policy.check_may_assign(user, client_id, linked=linked)
    if client_id not in group["memberIds"]:
        update, room = groups.join(client_id)
        joined = await _changed(group_id, user, update, expected, also=room)
        if joined is None:
            raise ValidationFailed(
                [FieldError("clientId", f"a group has at most {MAX_MEMBERS} members")]
            )
        group = joined
    await assigning.assign_joiner(group, client_id, today=today, user=user)


async def remove_member(
    group_id: str, client_id: str, user: CurrentUser, expected: Expected | None
) -> None:
    """The member leaves: their live group assignments are cancelled first (scheduled sessions
    go, the others stay), then they leave the group, so a failure in between is finished by
    repeating the request."""
    group = await load(group_id, user)
    _check_expected(expected, group)
    if client_id not in group["memberIds"]:
        raise NotFound("this user is not a member of the group")
    await assigning.cancel_leaver(group, client_id)
    await _changed(group_id, user, {"$pull": {"memberIds": client_id}}, expected)


async def sessions_page(
    group_id: str,
    user: CurrentUser,
    *,
    date_from: str | None,
    date_to: str | None,
    skip: int,
    limit: int,
) -> tuple[list[bytes], int]:
    """The group calendar: the current members' sessions of the group's assignments, in the
    calendar's order, as session summaries."""
    group = await load(group_id, user)
    made = await assignments.of_group(group["_id"], list(group["memberIds"]), {})
    return await calendar.list_calendar(
        user,
        date_from=date_from,
        date_to=date_to,
        status=None,
        assignment_id=None,
        user_id=None,
        skip=skip,
        limit=limit,
        full=False,
        scope={"routineAssignmentId": {"$in": made}},
    )
