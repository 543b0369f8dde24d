"""Assignments: assign a template routine version to a client, schedule its sessions, replace,
pause, resume, complete, cancel and upgrade.

Scheduling costs one read of the routine version and one bulk insert of the sessions whatever
their number (and one read of the client's maxima when a load is taken of one); each workout's
snapshot is encoded to BSON once per week its numbers are computed for (once when none is) and
the same bytes are reused by every session of that workout and week. At most one active or
paused assignment of a routine per client is enforced by a unique index on (`userId`,
`liveKey`) (the key names the routine while the assignment is live), so two concurrent
assignments cannot both stay live. Assigning runs under the template chain's lease, so a version
cannot be purged between the check and the assignment that pins it."""

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import bson
from beanie import PydanticObjectId
from bson.raw_bson import RawBSONDocument
from pymongo.errors import DuplicateKeyError, PyMongoError

from peakhealth import policy
from peakhealth.assignments import progression
from peakhealth.assignments.schedule import (
    PlannedSession,
    check_assignment_move,
    check_assignment_size,
    end_date,
    schedule_sessions,
)
from peakhealth.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from peakhealth.identity.directory import UserDirectory
from peakhealth.identity.users import CurrentUser
from peakhealth.plan.base import WEEKDAYS
from peakhealth.plan.routines import default_training_days
from peakhealth.revisions import FIRST, Expected
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.sessions.documents import SNAPSHOT_FIELDS
from peakhealth.sessions.limits import check_snapshot_size
from peakhealth.sessions.progress import refresh_progress
from peakhealth.storage import assignments, metrics, sessions, versions
from peakhealth.storage.assignments import LIVE, RoutineAssignment, ended_key, live_key
from peakhealth.timestamps import utc_now
from peakhealth.versioning import heads

MAX_REPLACEMENT_ATTEMPTS = 16
log = logging.getLogger("peakhealth")


async def load(assignment_id: str, user: CurrentUser) -> RoutineAssignment:
    """The assignment, or NotFound when it does not exist or the caller may not read it."""
    found = await assignments.find(
        PydanticObjectId(assignment_id), policy.READ_ASSIGNMENT.filter(user)
    )
    if found is None:
        raise NotFound(f"no assignment with id {assignment_id}")
    return found


async def revision(assignment_id: str, user: CurrentUser) -> int:
    """The revision alone of an assignment the caller may read (the policy is in the query):
    what a 304 costs. NotFound as `load`."""
    found = await assignments.revision(
        PydanticObjectId(assignment_id), policy.READ_ASSIGNMENT.filter(user)
    )
    if found is None:
        raise NotFound(f"no assignment with id {assignment_id}")
    return found


def _stale(revision: int) -> PreconditionFailed:
    return PreconditionFailed(f"the assignment is at revision {revision}; read it again")


def check_expected(expected: Expected | None, revision: int) -> None:
    """412 unless `expected` (If-Match) names `revision`."""
    if expected is not None and not expected.allows(revision):
        raise _stale(revision)


async def _check_current(
    assignment_id: PydanticObjectId, user_id: str, expected: Expected | None
) -> None:
    """After a conditional write matched nothing: 412 when the assignment moved on from the
    `expected` revision (else the caller's own answer follows: 409, 404)."""
    if expected is None:
        return
    current = await assignments.revision(assignment_id, {"userId": user_id})
    if current is not None:
        check_expected(expected, current)


async def list_page(
    user: CurrentUser, *, user_id: str | None, status: str | None, skip: int, limit: int
) -> tuple[list[RoutineAssignment], int]:
    conditions: list[dict[str, Any]] = [policy.READ_ASSIGNMENT.filter(user)]
    if user_id:
        conditions.append({"userId": user_id})
    if status:
        conditions.append({"status": status})
    return await assignments.page({"$and": conditions}, skip=skip, limit=limit)


async def _check_may_assign(
    user: CurrentUser, client_id: str, directory: UserDirectory
) -> str | None:
    """The policy's decision over the trainer-client link, asked of the directory only when the
    decision depends on it; returns the trainerId to record."""
    linked = policy.assigning_needs_link(user, client_id) and await directory.is_client_of(
        user.id, client_id
    )
    return policy.check_may_assign(user, client_id, linked=linked)


def _workouts(version: dict[str, Any]) -> list[dict[str, Any]]:
    """The version's workouts as sessions snapshot them."""
    return [
        {key: workout[key] for key in ("_id", *SNAPSHOT_FIELDS) if key in workout}
        for workout in version.get("workouts", [])
    ]


def _encode(workout: dict[str, Any]) -> RawBSONDocument:
    """A session's snapshot of `workout`, encoded to BSON once for every session that shares
    it; a workout too large for a session's snapshot is refused (422)."""
    raw = RawBSONDocument(
        bson.encode({key: workout[key] for key in SNAPSHOT_FIELDS if key in workout})
    )
    check_snapshot_size(
        len(raw.raw), field="routineVersionId", workout=str(workout.get("name", ""))
    )
    return raw


def _snapshots(
    workouts: list[dict[str, Any]],
    planned: list[PlannedSession],
    maxima: dict[str, float],
    round_to: float,
) -> dict[int, RawBSONDocument]:
    """The encoded snapshot of each planned session, by `sequence`. A workout whose numbers a
    rule or a percentage computes is computed and encoded once per week (its `prescribedBy`
    names the week), any other once; sessions of the same (workout, week) share the bytes."""
    encoded: dict[tuple[int, int], RawBSONDocument] = {}
    snapshots: dict[int, RawBSONDocument] = {}
    for day in planned:
        workout = workouts[day.workoutIndex]
        computed = progression.is_computed(workout)
        key = (day.workoutIndex, day.weekIndex if computed else 0)
        if key not in encoded:
            encoded[key] = _encode(
                progression.materialize(workout, day.weekIndex, maxima, round_to)
                if computed
                else workout
            )
        snapshots[day.sequence] = encoded[key]
    return snapshots


async def _load_version(version_id: PydanticObjectId, user: CurrentUser) -> dict[str, Any]:
    version = await versions.find(TemplateRoutineDocument, version_id)
    if version is None or not policy.READ_VERSION.allows(user, version):
        raise ValidationFailed(
            [FieldError("routineVersionId", f"no template routine version with id {version_id}")]
        )
    if version.get("isArchived"):
        raise ValidationFailed(
            [FieldError("routineVersionId", "this routine version is archived; assign another")]
        )
    return version


async def _end_live(
    assignment_id: PydanticObjectId,
    user_id: str,
    status: str,
    expected: Expected | None = None,
) -> bool:
    """Complete or cancel a live assignment; a cancelled one loses its `scheduled` sessions and
    keeps every other. False when it was no longer live (412 when it was not at the `expected`
    revision: the first write, which ends it, carries the precondition; the clean-up and the
    recount after it are the system's).

    A cancellation is marked `pendingCleanup` in the same write that ends it, and the mark goes
    once the clean-up is done: when the database fails in between, the next change of the
    client's assignments (or the same request repeated) finishes it (`finish_cleanups`)."""
    ended: dict[str, Any] = {
        "status": status,
        "updatedAt": utc_now(),
        "liveKey": ended_key(assignment_id),
    }
    if status == "cancelled":
        ended["pendingCleanup"] = True
    if not await assignments.end_live(assignment_id, user_id, ended, expected):
        await _check_current(assignment_id, user_id, expected)
        return False
    if status == "cancelled":
        await _clean_up(assignment_id, user_id)
    else:
        await refresh_progress(assignment_id, user_id)
    return True


async def _clean_up(assignment_id: PydanticObjectId, user_id: str) -> None:
    """A cancelled assignment's clean-up: its `scheduled` sessions go, its progress is
    recounted, its mark is cleared. Every step can be repeated."""
    await sessions.drop_scheduled(user_id, assignment_id)
    await refresh_progress(assignment_id, user_id)
    await assignments.clear_cleanup_mark(assignment_id, user_id)


async def finish_cleanups(user_id: str) -> None:
    """Finish every clean-up of the client's cancelled assignments that a database failure
    interrupted (one indexed read when there is none)."""
    for assignment_id in await assignments.interrupted_cleanups(user_id):
        await _clean_up(assignment_id, user_id)


async def _roll_back(assignment_id: PydanticObjectId, user_id: str) -> None:
    """Undo an assignment whose scheduling failed half-way, so the request that answers 503
    leaves nothing half-written: its sessions and the assignment go. Best effort: while the
    database stays away, the half-made assignment stays live until it is replaced (the same
    request repeated replaces it)."""
    try:
        await sessions.drop_all(user_id, assignment_id)
        await assignments.delete(assignment_id, user_id)
    except PyMongoError:
        log.warning(
            "assignment %s was left half-scheduled; assigning again replaces it", assignment_id
        )


async def _assign(
    version: dict[str, Any],
    *,
    client_id: str,
    trainer_id: str | None,
    user: CurrentUser,
    start: date,
    training_days: list[str] | None,
    scheduled_time: str | None,
    notes: str | None,
    round_to: float,
    replacing: tuple[PydanticObjectId, Expected] | None = None,
) -> RoutineAssignment:
    """Insert the assignment (replacing a live one of the same routine) and its sessions.
    `replacing`: the assignment an upgrade replaces and the revision If-Match expects of it,
    checked by the write that cancels it, before anything else of this request is written."""
    pending = replacing  # the precondition, until the write that checks it has run
    parent: PydanticObjectId = version["parentRoutineId"]
    workouts = _workouts(version)
    # Loads taken of a maximum need the client's current ones: read (one query) and checked
    # before anything is written.
    needed = progression.maxima_needed(workouts)
    maxima = await metrics.current_one_rep_maxima(client_id, needed) if needed else {}
    progression.check_maxima(needed, maxima)
    weeks = int(version.get("duration", 1))
    days = (
        training_days
        or (version.get("schedule") or {}).get("trainingDays")
        or default_training_days(len(workouts))
    )
    days = sorted(set(days), key=WEEKDAYS.index)
    planned = schedule_sessions(start, weeks, days, len(workouts))  # type: ignore[arg-type]
    snapshots = _snapshots(workouts, planned, maxima, round_to)
    check_assignment_size(planned, lambda day: len(snapshots[day.sequence].raw))
    key = live_key(client_id, parent)
    for _ in range(MAX_REPLACEMENT_ATTEMPTS):
        replaced: PydanticObjectId | None = None
        # The live assignment of this routine, and any cancellation of the client's that a
        # failure cut short (finished here: see `finish_cleanups`), in one read.
        for old in await assignments.live_or_interrupted(client_id, key):
            if old.get("liveKey") != key:
                await _clean_up(old["_id"], client_id)
                continue
            if not policy.CHANGE_ASSIGNMENT.allows(user, old):
                raise Conflict(
                    "this client has a live assignment of this routine made by someone else;"
                    " only they or an admin may replace it"
                )
            expected = pending[1] if pending and old["_id"] == pending[0] else None
            if await _end_live(old["_id"], client_id, "cancelled", expected):
                replaced = old["_id"]
            if expected is not None:
                pending = None
        if pending is not None:  # no longer the live one: it changed since the caller's read
            await _check_current(pending[0], client_id, pending[1])
            raise Conflict("this assignment changed meanwhile; read it again")
        now = utc_now()
        assignment = RoutineAssignment(
            id=PydanticObjectId(),
            routineVersionId=version["_id"],
            parentRoutineId=parent,
            userId=client_id,
            trainerId=trainer_id,
            assignedBy=user.id,
            assignedAt=now,
            startDate=start.isoformat(),
            endDate=end_date(start, weeks).isoformat(),
            trainingDays=days,
            scheduledTime=scheduled_time,
            notesForUser=notes,
            replacesAssignmentId=replaced,
            roundTo=round_to,
            revision=FIRST,
        )
        assignment.progress.totalWorkouts = len(planned)
        stored = assignment.model_dump(by_alias=True, exclude={"revision_id"})
        stored["liveKey"] = key
        try:
            await assignments.insert(stored)
        except DuplicateKeyError:
            continue  # a concurrent assignment became live first: replace it in turn
        except PyMongoError:
            await _roll_back(assignment.id, client_id)  # type: ignore[arg-type]
            raise
        break
    else:
        raise Conflict("this routine is being assigned to this user by other requests; try again")
    plan = _Scheduling(version, workouts, snapshots, planned, key)
    try:
        still_live = await _schedule(assignment, plan, planned)
    except PyMongoError:
        still_live = await _recover(assignment, plan)
    if not still_live:  # replaced by a concurrent request while its sessions were written
        await sessions.drop_scheduled(client_id, assignment.id)
        await refresh_progress(assignment.id, client_id)  # type: ignore[arg-type]
        found = await assignments.find(assignment.id, {"userId": client_id})
        assert found is not None
        return found
    return assignment


@dataclass(frozen=True)
class _Scheduling:
    """What scheduling an assignment writes from: the version, its workouts, each planned
    session's encoded snapshot (by sequence), the planned days, and the live key the assignment
    must still hold."""

    version: dict[str, Any]
    workouts: list[dict[str, Any]]
    snapshots: dict[int, RawBSONDocument]
    planned: list[PlannedSession]
    key: str


async def _recover(assignment: RoutineAssignment, plan: _Scheduling) -> bool:
    """Scheduling failed part-way (a failover, a timeout). Once the database answers again,
    finish it: write the sessions that are missing (a lost answer may hide a bulk insert that
    ran) and answer as if nothing happened. If it still fails, take the assignment back and
    raise: the request answers 503 and leaves nothing half-written."""
    assert assignment.id is not None
    try:
        written = await sessions.sequences_written(assignment.userId, assignment.id)
        missing = [day for day in plan.planned if day.sequence not in written]
        return await _schedule(assignment, plan, missing)
    except PyMongoError:
        await _roll_back(assignment.id, assignment.userId)
        raise


async def _schedule(
    assignment: RoutineAssignment, plan: _Scheduling, planned: list[PlannedSession]
) -> bool:
    """Write these planned sessions of the assignment (one bulk insert); True while it is still
    the live one."""
    version, workouts, key = plan.version, plan.workouts, plan.key
    client_id, trainer_id, now = assignment.userId, assignment.trainerId, assignment.assignedAt
    scheduled_time = assignment.scheduledTime
    if planned:
        await sessions.add_scheduled(
            [
                {
                    "_id": PydanticObjectId(),
                    "userId": client_id,
                    "trainerId": trainer_id,
                    "routineAssignmentId": assignment.id,
                    "parentRoutineId": assignment.parentRoutineId,
                    "routineVersionId": version["_id"],
                    "workoutId": workouts[day.workoutIndex]["_id"],
                    "scheduledDate": day.scheduledDate.isoformat(),
                    "scheduledTime": scheduled_time,
                    "weekIndex": day.weekIndex,
                    "sequence": day.sequence,
                    "status": "scheduled",
                    "revision": FIRST,
                    "workoutSnapshot": plan.snapshots[day.sequence],
                    # Double progression rounds the loads it decides at the session's start as
                    # the assignment does, without reading the assignment then.
                    "roundTo": assignment.roundTo,
                    "schemaVersion": 1,
                    "createdAt": now,
                    "updatedAt": now,
                }
                for day in planned
            ]
        )
    return await assignments.holds_key(assignment.id, client_id, key)


async def create(
    *,
    routine_version_id: str,
    client_id: str,
    start: date,
    training_days: list[str] | None,
    scheduled_time: str | None,
    notes: str | None,
    user: CurrentUser,
    directory: UserDirectory,
    round_to: float = progression.DEFAULT_ROUND_TO,
) -> RoutineAssignment:
    """Assign a template routine version to a client and schedule every session, its loads
    computed and rounded to `round_to` kg."""
    trainer_id = await _check_may_assign(user, client_id, directory)
    version_id = PydanticObjectId(routine_version_id)  # checked at the edge
    version = await _load_version(version_id, user)
    async with heads.chain_lease(version["parentRoutineId"], kind="template routine"):
        version = await _load_version(version_id, user)  # not purged while we waited
        return await _assign(
            version,
            client_id=client_id,
            trainer_id=trainer_id,
            user=user,
            start=start,
            training_days=training_days,
            scheduled_time=scheduled_time,
            notes=notes,
            round_to=round_to,
        )


def _check_may_manage(assignment: RoutineAssignment, user: CurrentUser) -> None:
    policy.check_may_change_assignment(user, {"assignedBy": assignment.assignedBy})


async def update(
    assignment: RoutineAssignment,
    *,
    user: CurrentUser,
    status: str | None,
    notes: str | None,
    notes_given: bool,
    feedback: str | None,
    feedback_given: bool,
    expected: Expected | None = None,
) -> RoutineAssignment:
    """PATCH: a status move, trainer notes, client feedback; each checked for its author. With
    `expected` (If-Match), checked against the assignment as loaded, then by the first write
    that changes it (the status move, else the fields); the writes after it are this request's
    own (and the system's recount)."""
    assert assignment.id is not None
    check_expected(expected, assignment.revision)
    await finish_cleanups(assignment.userId)
    changes: dict[str, Any] = {}
    if notes_given:
        _check_may_manage(assignment, user)
        changes["notesForUser"] = notes
    if feedback_given:
        if not policy.GIVE_FEEDBACK.allows(user, {"userId": assignment.userId}):
            raise Forbidden("feedback is written by the client the routine is assigned to")
        changes["progress.feedback"] = feedback
    if status is not None:
        _check_may_manage(assignment, user)
        if check_assignment_move(assignment.status, status):
            if status in ("completed", "cancelled"):
                if not await _end_live(assignment.id, assignment.userId, status, expected):
                    raise Conflict("this assignment changed meanwhile; read it again")
            else:
                if not await assignments.move_status(
                    assignment.id,
                    assignment.userId,
                    was=assignment.status,
                    to=status,
                    now=utc_now(),
                    expected=expected,
                ):
                    await _check_current(assignment.id, assignment.userId, expected)
                    raise Conflict("this assignment changed meanwhile; read it again")
                if status == "active":  # resumed with every session resolved: it is done
                    await refresh_progress(assignment.id, assignment.userId)
            expected = None  # checked by the status write
    if changes:
        changes["updatedAt"] = utc_now()
        if not await assignments.set_fields(assignment.id, assignment.userId, changes, expected):
            await _check_current(assignment.id, assignment.userId, expected)
    found = await assignments.find(assignment.id, {"userId": assignment.userId})
    if found is None:
        raise NotFound("this assignment no longer exists")
    return found


async def upgrade(
    assignment: RoutineAssignment,
    *,
    user: CurrentUser,
    from_date: date,
    directory: UserDirectory,
    expected: Expected | None = None,
) -> RoutineAssignment:
    """Replace the assignment with the latest non-archived version of the same routine, from
    `from_date`, for the routine's full duration, starting again at its first workout. The
    caller must be allowed to change this assignment, to assign to its client now, and to
    read the version it moves to, as when assigning it afresh. With `expected` (If-Match), the
    write that cancels this assignment checks its revision."""
    _check_may_manage(assignment, user)
    check_expected(expected, assignment.revision)
    await finish_cleanups(assignment.userId)
    if assignment.status not in LIVE:
        raise Conflict(f"a {assignment.status} assignment cannot be upgraded")
    trainer_id = policy.trainer_after_upgrade(
        user,
        {"userId": assignment.userId, "trainerId": assignment.trainerId},
        await _check_may_assign(user, assignment.userId, directory),
    )
    head = await heads.read_head(assignment.parentRoutineId)
    latest_id = head.get("latestId") if head else None
    if latest_id is None:
        raise Conflict("this routine has no live version to upgrade to")
    async with heads.chain_lease(assignment.parentRoutineId, kind="template routine"):
        version = await versions.find(TemplateRoutineDocument, latest_id, isArchived=False)
        if version is None:
            raise Conflict("the latest version changed meanwhile; try again")
        if not policy.READ_VERSION.allows(user, version):
            raise Conflict("the latest version of this routine is not one you may read")
        return await _assign(
            version,
            client_id=assignment.userId,
            trainer_id=trainer_id,
            user=user,
            start=from_date,
            training_days=list(assignment.trainingDays),
            scheduled_time=assignment.scheduledTime,
            notes=assignment.notesForUser,
            round_to=assignment.roundTo,
            replacing=None if expected is None else (assignment.id, expected),  # type: ignore[arg-type]
        )
