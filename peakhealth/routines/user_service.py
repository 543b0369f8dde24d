"""User-created routines: build, create, read, replace, patch, delete, favorite, activate, copy
from a template, and the caller's routine list (own routines and assigned template versions).

A user routine is private: every query carries the scope (`routineType: user-created`) and the
owner (`userId` = the caller), admins included. Template versions are read here only through an
assignment of the caller."""

from typing import Any, Literal

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from peakhealth import policy
from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.errors import Conflict, Forbidden, NotFound, PreconditionFailed
from peakhealth.identity.users import CurrentUser
from peakhealth.plan.routines import (
    RoutineFields,
    TemplateRoutine,
    TemplateRoutineDraft,
    default_training_days,
)
from peakhealth.revisions import FIRST, Expected, revision_of
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.routines.user_documents import (
    ACTIVE_KEY,
    CONTENT_KEYS,
    UserRoutineContent,
    UserRoutineDocument,
    UserRoutineDraft,
    present_user_routine,
)
from peakhealth.snapshots import resolve_template
from peakhealth.storage import assignments, user_routines, versions
from peakhealth.timestamps import utc_now
from peakhealth.versioning import chains
from peakhealth.versioning.documents import (
    SCHEMA_VERSION,
    CopiedFrom,
    content_fields,
    present_stored,
    upgrade,
)

RoutineListType = Literal["active", "user", "assigned"]

# Assignments whose routine shows in the caller's list: a cancelled (or replaced) one does not.
LISTED_ASSIGNMENTS = ("active", "paused", "completed")
# Conditional updates retried after losing a race; each loss means another request of the same
# user won, so a request retries at most once per concurrent request of that user.
MAX_ATTEMPTS = 50


def _not_found(routine_id: str) -> NotFound:
    return NotFound(f"no routine with id {routine_id}")


def _stale(revision: int) -> PreconditionFailed:
    return PreconditionFailed(f"the routine is at revision {revision}; read it again")


def check_expected(expected: Expected | None, revision: int) -> None:
    """412 unless `expected` (If-Match) names `revision`: for a request that writes nothing, or
    before one whose writes start with another document."""
    if expected is not None and not expected.allows(revision):
        raise _stale(revision)


async def _missed(user: CurrentUser, routine_id: str, expected: Expected | None) -> Exception:
    """Why a conditional write matched nothing: the routine moved on (412) or is gone (404)."""
    if expected is not None:
        current = await user_routines.revision(
            policy.own_user_routines(user, _id=PydanticObjectId(routine_id))
        )
        if current is not None:
            return _stale(current)
    return _not_found(routine_id)


async def _own_row(
    user: CurrentUser, routine_id: str, projection: dict[str, Any] | None = None
) -> dict[str, Any]:
    row = await user_routines.find(
        policy.own_user_routines(user, _id=PydanticObjectId(routine_id)), projection
    )
    if row is None:
        raise _not_found(routine_id)
    return row


# ----- rules -----------------------------------------------------------------------------------


def patch_update(
    changes: RoutineFields, *, workout_count: int
) -> tuple[dict[str, Any], dict[str, str]]:
    """The `$set` and `$unset` of a PATCH: given fields set; a null description removed; a null
    (or empty) schedule back to the default week of the routine's workouts."""
    to_set: dict[str, Any] = {}
    to_unset: dict[str, str] = {}
    for name, value in changes.model_dump(exclude_unset=True).items():
        if value is not None:
            to_set[name] = value
        elif name == "schedule":
            to_set[name] = {"trainingDays": default_training_days(workout_count)}
        else:
            to_unset[name] = ""
    return to_set, to_unset


# ----- building --------------------------------------------------------------------------------


def _user_content(routine: TemplateRoutine) -> UserRoutineContent:
    """The routine part of a template's content; its publishing fields stay behind."""
    return UserRoutineContent.model_validate(
        {name: getattr(routine, name) for name in UserRoutineContent.model_fields}
    )


async def build_routine(
    draft: UserRoutineDraft, user: CurrentUser, catalog: ExerciseCatalog
) -> UserRoutineContent:
    """The content of a submitted user routine: references resolved into embedded copies
    exactly as for a template (one `$in` query per level), exercises checked in the catalog."""
    as_template = TemplateRoutineDraft.model_construct(
        **{name: getattr(draft, name) for name in UserRoutineDraft.model_fields}
    )
    return _user_content(await resolve_template(as_template, user, catalog))


# ----- changing --------------------------------------------------------------------------------


async def create(
    user: CurrentUser,
    content: UserRoutineContent,
    *,
    copied_from: CopiedFrom | None = None,
    routine_id: PydanticObjectId | None = None,
) -> Any:
    """A new user routine of the caller, neither active nor favorite; `routine_id` when another
    document must name it before it exists (an import's log)."""
    routine_id = routine_id or PydanticObjectId()
    document = UserRoutineDocument(
        id=routine_id,
        userId=user.id,
        copiedFrom=copied_from,
        revision=FIRST,
        **{ACTIVE_KEY: routine_id},  # not active: its own id
        **content_fields(content),
    )
    await user_routines.add(document)
    return present_user_routine(document.stored())


async def copy_template(
    user: CurrentUser, version_id: str, expected: Expected | None = None
) -> Any:
    """A user routine of the caller from a template version, its element ids kept (sessions and
    history line up with the template) and `copiedFrom` recorded. A version the caller may not
    read (or an archived one of someone else) is 404; one they may read but not copy is 403.
    `expected` (If-Match) names the version's revision; the copy does not write the version,
    so the version as read is checked."""
    source = await chains.load_readable(TemplateRoutineDocument, version_id, user)
    chains.check_expected(TemplateRoutineDocument, expected, source.revision)
    if not policy.may_fork(
        user, source.model_dump(include={"createdBy", "isPublic", "isArchived"})
    ):
        raise NotFound(f"no template routine version with id {version_id} to copy")
    allow_copy = bool((source.model_extra or {}).get("allowCopy"))
    if not policy.COPY_TEMPLATE.allows(
        user, {"createdBy": source.createdBy, "allowCopy": allow_copy}
    ):
        raise Forbidden("this template does not allow copies; only its creator may copy it")
    return await create(
        user,
        _user_content(source.content()),
        copied_from=CopiedFrom(id=source.version_id, version=source.version),
    )


async def replace(
    user: CurrentUser,
    routine_id: str,
    draft: UserRoutineDraft,
    catalog: ExerciseCatalog,
    expected: Expected | None = None,
) -> Any:
    """The routine's content replaced by the submitted one; its state (active, favorite,
    counters, `copiedFrom`) untouched. With `expected` (If-Match), only at that revision."""
    await _own_row(user, routine_id, {"_id": 1})
    fields = content_fields(await build_routine(draft, user, catalog))
    update: dict[str, Any] = {
        "$set": {**fields, "schemaVersion": SCHEMA_VERSION, "updatedAt": utc_now()}
    }
    gone = {name: "" for name in CONTENT_KEYS - fields.keys()}
    if gone:
        update["$unset"] = gone
    row = await user_routines.change(
        policy.own_user_routines(user, _id=PydanticObjectId(routine_id)), update, expected
    )
    if row is None:
        raise await _missed(user, routine_id, expected)
    return present_user_routine(row)


async def patch(
    user: CurrentUser, routine_id: str, changes: RoutineFields, expected: Expected | None = None
) -> Any:
    """Some top-level fields changed, validated as in a whole routine; workouts untouched.
    With `expected` (If-Match), only at that revision."""
    row = await _own_row(user, routine_id)
    check_expected(expected, revision_of(row))
    to_set, to_unset = patch_update(changes, workout_count=len(row.get("workouts") or []))
    if not to_set and not to_unset:
        return present_user_routine(row)
    update: dict[str, Any] = {"$set": {**to_set, "updatedAt": utc_now()}}
    if to_unset:
        update["$unset"] = to_unset
    changed = await user_routines.change(
        policy.own_user_routines(user, _id=row["_id"]), update, expected
    )
    if changed is None:
        raise await _missed(user, routine_id, expected)
    return present_user_routine(changed)


async def delete(user: CurrentUser, routine_id: str, expected: Expected | None = None) -> None:
    """Hard delete. Sessions scheduled from it keep their own snapshots: nothing else changes.
    With `expected` (If-Match), only at that revision."""
    if not await user_routines.delete(
        policy.own_user_routines(user, _id=PydanticObjectId(routine_id)), expected
    ):
        raise await _missed(user, routine_id, expected)


async def toggle_favorite(
    user: CurrentUser, routine_id: str, expected: Expected | None = None
) -> bool:
    """Flip `isFavorite` and return the new value. The flip is conditional on the value read,
    so each of two concurrent toggles flips once (the loser of a race reads again); with
    `expected` (If-Match) also on the revision, so a loser that moved it on gets 412."""
    for _ in range(MAX_ATTEMPTS):
        row = await _own_row(user, routine_id, {"isFavorite": 1, "revision": 1})
        check_expected(expected, revision_of(row))
        was = bool(row.get("isFavorite"))
        if await user_routines.flip_favorite(
            policy.own_user_routines(user, _id=row["_id"]),
            was=was,
            now=utc_now(),
            expected=expected,
        ):
            return not was
    raise Conflict("the routine is being changed by other requests; try again")


async def activate(user: CurrentUser, routine_id: str, expected: Expected | None = None) -> Any:
    """Make the routine the caller's single active one: clear every other active routine, then
    set this one. The unique (userId, activeKey) index refuses a second active routine, so an
    activation that lost a race to another one clears it and tries again: never two active, and
    the last activation to succeed wins. A cleared routine's key becomes its own `_id` (an update
    pipeline reads it), never absent: see `user_documents`.

    With `expected` (If-Match) the routine's revision is checked when it is read, before the
    other routines are cleared (a stale tag writes nothing), and again by the write that
    activates it. A change of the routine between the two is the one case where a 412 follows
    a write (to the routine that was active)."""
    target = policy.own_user_routines(user, _id=PydanticObjectId(routine_id))
    check_expected(expected, revision_of(await _own_row(user, routine_id, {"revision": 1})))
    for _ in range(MAX_ATTEMPTS):
        now = utc_now()
        await user_routines.deactivate_others(
            policy.own_user_routines(user), user_id=user.id, keep=target["_id"], now=now
        )
        try:
            row = await user_routines.make_active(
                target, user_id=user.id, now=now, expected=expected
            )
        except DuplicateKeyError:
            continue  # another routine became active in between: clear it again
        if row is None:
            raise await _missed(user, routine_id, expected)
        return present_user_routine(row)
    raise Conflict("the routine is being changed by other requests; try again")


# ----- reading ---------------------------------------------------------------------------------


async def _assigned_versions(
    user: CurrentUser, statuses: tuple[str, ...]
) -> list[PydanticObjectId]:
    """The template versions the caller's assignments in these statuses point to."""
    rows = await assignments.assigned_versions(policy.READ_ASSIGNED_VERSION.filter(user), statuses)
    return sorted(
        {PydanticObjectId(row["routineVersionId"]) for row in rows if row.get("routineVersionId")}
    )


def _present(row: dict[str, Any], *, full: bool) -> Any:
    if row.get("routineType") == "template":
        return present_stored(TemplateRoutineDocument, row, full=full)
    return present_user_routine(row, full=full)


async def read(user: CurrentUser, routine_id: str) -> Any:
    """An own user routine, or a template version one of the caller's assignments points to."""
    version_id = PydanticObjectId(routine_id)
    row = await user_routines.find(policy.own_user_routines(user, _id=version_id))
    if row is not None:
        return present_user_routine(row)
    if await assignments.is_assigned(version_id, policy.READ_ASSIGNED_VERSION.filter(user)):
        template = await versions.find(TemplateRoutineDocument, version_id)
        if template is not None:
            return present_stored(TemplateRoutineDocument, template, full=True)
    raise _not_found(routine_id)


async def revision(user: CurrentUser, routine_id: str) -> int:
    """The revision alone of what `read` answers (an own routine or an assigned template
    version), never the document: what a 304 costs."""
    version_id = PydanticObjectId(routine_id)
    found = await user_routines.revision(policy.own_user_routines(user, _id=version_id))
    if found is None and await assignments.is_assigned(
        version_id, policy.READ_ASSIGNED_VERSION.filter(user)
    ):
        found = await versions.revision(TemplateRoutineDocument, {"_id": version_id})
    if found is None:
        raise _not_found(routine_id)
    return found


async def list_routines(
    user: CurrentUser,
    kind: RoutineListType | None,
    *,
    skip: int,
    limit: int,
    full: bool,
) -> tuple[list[Any], int]:
    """The caller's routines, newest first: own user routines (`user`), template versions of
    their active, paused or completed assignments (`assigned`), both when no type is given;
    `active` is the active user routine and the versions of active assignments."""
    branches: list[dict[str, Any]] = []
    if kind in (None, "user"):
        branches.append(policy.own_user_routines(user))
    elif kind == "active":
        branches.append(policy.own_user_routines(user, isActive=True))
    if kind in (None, "assigned", "active"):
        statuses = ("active",) if kind == "active" else LISTED_ASSIGNMENTS
        versions = await _assigned_versions(user, statuses)
        if versions:
            branches.append(TemplateRoutineDocument.in_scope({"_id": {"$in": versions}}))
    if not branches:
        return [], 0
    query = branches[0] if len(branches) == 1 else {"$or": branches}
    projection = None if full else {"workouts": 0}
    rows, total = await user_routines.page(
        query,
        sort=[("createdAt", -1), ("_id", -1)],
        skip=skip,
        limit=limit,
        projection=projection,
    )
    uncounted = [row["_id"] for row in rows if not full and "counts" not in row]
    if uncounted:  # template versions stored before counts were: counted once from their tree
        trees = {tree["_id"]: upgrade(tree) for tree in await user_routines.whole(query, uncounted)}
        rows = [trees.get(row["_id"], row) for row in rows]
    return [_present(row, full=full) for row in rows], total
