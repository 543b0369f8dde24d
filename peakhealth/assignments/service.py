"""Assignments: assign a template routine version to a client, schedule its sessions, replace,
pause, resume, complete, cancel and upgrade.

Scheduling costs one read of the routine version and one bulk insert of the sessions whatever
their number; each workout's snapshot is encoded to BSON once and the same bytes are reused by
every session of that workout, or once per week (and client maxima) when progression rules or
percentages compute its loads (DOMAIN.md section 13: materialized when scheduled, never later).
At most one active or paused assignment of a routine per client is enforced by a unique index on
(`userId`, `liveKey`) (the key names the routine while the assignment is live), so two concurrent
assignments cannot both stay live. Assigning runs under the template chain's lease, so a version
cannot be purged between the check and the assignment that pins it."""

import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any

import bson
from beanie import PydanticObjectId
from bson.raw_bson import RawBSONDocument
from pydantic import BaseModel, Field
from pymongo.errors import DuplicateKeyError, PyMongoError

from peakhealth import policy
from peakhealth.assignments import progression
from peakhealth.assignments.schedule import (
    PlannedSession,
    check_assignment_move,
    check_assignment_size,
    end_date,
    plan_calendar,
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
from peakhealth.revisions import FIRST, Expected
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.sessions.adherence import (
    REPORT_PROJECTION,
    AssignmentAdherence,
    assignment_adherence,
)
from peakhealth.sessions.documents import SNAPSHOT_FIELDS
from peakhealth.sessions.limits import check_snapshot_size
from peakhealth.sessions.progress import refresh_progress
from peakhealth.sessions.targets import double_entries
from peakhealth.storage import assignments, groups, metrics, sessions, versions
from peakhealth.storage.assignments import LIVE, RoutineAssignment, ended_key, live_key
from peakhealth.timestamps import utc_now
from peakhealth.versioning import heads
from peakhealth.versioning.diff import VersionDiff, diff_versions

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


async def adherence(assignment_id: str, user: CurrentUser, today: date) -> AssignmentAdherence:
    """The assignment's adherence by week and in total, whoever may read it may read this
    (NotFound otherwise): the assignment and one projected query of its sessions."""
    assignment = await load(assignment_id, user)
    assert assignment.id is not None  # a loaded document has its id
    rows = await sessions.for_adherence(assignment.userId, assignment.id, REPORT_PROJECTION)
    return assignment_adherence(
        assignment.id,
        date.fromisoformat(assignment.startDate),
        date.fromisoformat(assignment.endDate),
        rows,
        today,
    )


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


Encoded = dict[tuple[Any, ...], RawBSONDocument]


def _snapshots(
    workouts: list[dict[str, Any]],
    planned: list[PlannedSession],
    maxima: dict[str, float],
    round_to: float,
    encoded: Encoded,
) -> dict[int, RawBSONDocument]:
    """The encoded snapshot of each planned session, by `sequence`. A workout whose numbers a
    rule or a percentage computes is computed and encoded once per week and maxima (its
    `prescribedBy` names the week), any other once; sessions (of every client in `encoded`)
    that get the same numbers share the bytes."""
    snapshots: dict[int, RawBSONDocument] = {}
    known = tuple(sorted(maxima.items()))
    for day in planned:
        workout = workouts[day.workoutIndex]
        computed = progression.is_computed(workout)
        key = (day.workoutIndex, day.weekIndex, known) if computed else (day.workoutIndex,)
        if key not in encoded:
            encoded[key] = _encode(
                progression.materialize(workout, day.weekIndex, maxima, round_to)
                if computed
                else workout
            )
        snapshots[day.sequence] = encoded[key]
    return snapshots


def _snapshot_bytes(snapshots: dict[int, RawBSONDocument]) -> Callable[[PlannedSession], int]:
    """The size of each planned session's snapshot, for `check_assignment_size`."""
    return lambda day: len(snapshots[day.sequence].raw)


async def _maxima(
    workouts: list[dict[str, Any]], clients: list[str]
) -> dict[str, dict[str, float]]:
    """Each client's current one-rep maximums the workouts' percentages and waves take loads
    of: one query for every client, checked (422 naming every missing exercise) before
    anything is written."""
    needed = progression.maxima_needed(workouts)
    if not needed:
        return {client: {} for client in clients}
    found = await metrics.current_one_rep_maxima_of(clients, needed)
    for client in clients:
        try:
            progression.check_maxima(needed, found.get(client, {}))
        except ValidationFailed as missing:
            if len(clients) == 1:
                raise
            raise ValidationFailed(  # a group: say whose
                [FieldError(e.field, f"member {client}: {e.message}") for e in missing.errors]
            ) from missing
    return {client: found.get(client, {}) for client in clients}


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


async def _roll_back(made: list[RoutineAssignment]) -> None:
    """Undo assignments whose scheduling failed half-way, so the request that answers 503
    leaves nothing half-written: their sessions and the assignments go. Best effort: while the
    database stays away, a half-made assignment stays live until it is replaced (the same
    request repeated replaces it)."""
    ids: list[PydanticObjectId] = [assignment.id for assignment in made if assignment.id]
    users = sorted({assignment.userId for assignment in made})
    try:
        await sessions.drop_all(users, ids)
        await assignments.delete(ids, users)
    except PyMongoError:
        log.warning("assignments %s were left half-scheduled; assigning again replaces them", ids)


@dataclass(frozen=True)
class Member:
    """One client an assignment is made for: the trainer it records, its first day and the
    planned days of its sessions."""

    client_id: str
    trainer_id: str | None
    start: date
    planned: list[PlannedSession]
    snapshots: dict[int, RawBSONDocument]  # by sequence: each planned session's


@dataclass(frozen=True)
class Terms:
    """What every assignment one request makes shares."""

    end: date
    days: list[str]
    scheduled_time: str | None
    notes: str | None
    round_to: float = progression.DEFAULT_ROUND_TO
    group_id: PydanticObjectId | None = None
    group_assignment_id: PydanticObjectId | None = None


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
    """Insert the assignment (replacing a live one of the same routine) and its sessions, their
    loads computed and rounded to `round_to` kg. `replacing`: the assignment an upgrade
    replaces and the revision If-Match expects of it, checked by the write that cancels it,
    before anything else of this request is written."""
    workouts = _workouts(version)
    maxima = await _maxima(workouts, [client_id])
    calendar = plan_calendar(version, start, training_days)
    weeks, days, planned = calendar.weeks, list[str](calendar.trainingDays), calendar.sessions
    snapshots = _snapshots(workouts, planned, maxima[client_id], round_to, {})
    check_assignment_size(planned, _snapshot_bytes(snapshots))
    terms = Terms(end_date(start, weeks), days, scheduled_time, notes, round_to)
    member = Member(client_id, trainer_id, start, planned, snapshots)
    [made] = await _assign_all(version, workouts, [member], terms, user, replacing)
    return made


async def _assign_all(
    version: dict[str, Any],
    workouts: list[dict[str, Any]],
    members: list[Member],
    terms: Terms,
    user: CurrentUser,
    replacing: tuple[PydanticObjectId, Expected] | None = None,
) -> list[RoutineAssignment]:
    """Assign the version to every member, each replacing their live assignment of the same
    routine (section 7): one read of the live ones, one write of the assignments, one of all
    their sessions, one check that they are still live, whatever the number of members.
    `replacing` (upgrades, one member): see `_assign`."""
    if not members:
        return []
    pending = replacing  # the precondition, until the write that checks it has run
    parent: PydanticObjectId = version["parentRoutineId"]
    keys = {member.client_id: live_key(member.client_id, parent) for member in members}
    for _ in range(MAX_REPLACEMENT_ATTEMPTS):
        replaced: dict[str, PydanticObjectId] = {}
        # The live assignments of this routine, and any cancellation of the clients' that a
        # failure cut short (finished here: see `finish_cleanups`), in one read.
        found = await assignments.live_or_interrupted(list(keys), list(keys.values()))
        live = [old for old in found if old.get("liveKey") == keys.get(old["userId"])]
        if not all(policy.CHANGE_ASSIGNMENT.allows(user, old) for old in live):
            raise Conflict(
                "this client has a live assignment of this routine made by someone else;"
                " only they or an admin may replace it"
            )
        for old in found:
            if old not in live:
                await _clean_up(old["_id"], old["userId"])
                continue
            expected = pending[1] if pending and old["_id"] == pending[0] else None
            if await _end_live(old["_id"], old["userId"], "cancelled", expected):
                replaced[old["userId"]] = old["_id"]
            if expected is not None:
                pending = None
        if pending is not None:  # no longer the live one: it changed since the caller's read
            await _check_current(pending[0], members[0].client_id, pending[1])
            raise Conflict("this assignment changed meanwhile; read it again")
        now = utc_now()
        made: list[RoutineAssignment] = []
        stored: list[dict[str, Any]] = []
        for member in members:
            assignment = RoutineAssignment(
                id=PydanticObjectId(),
                routineVersionId=version["_id"],
                parentRoutineId=parent,
                userId=member.client_id,
                trainerId=member.trainer_id,
                assignedBy=user.id,
                assignedAt=now,
                startDate=member.start.isoformat(),
                endDate=terms.end.isoformat(),
                trainingDays=terms.days,
                scheduledTime=terms.scheduled_time,
                notesForUser=terms.notes,
                roundTo=terms.round_to,
                replacesAssignmentId=replaced.get(member.client_id),
                groupId=terms.group_id,
                groupAssignmentId=terms.group_assignment_id,
                revision=FIRST,
            )
            assignment.progress.totalWorkouts = len(member.planned)
            # Group fields only on group assignments: the sparse index leaves the rest out.
            absent = {"groupId", "groupAssignmentId"} if terms.group_id is None else set()
            row = assignment.model_dump(by_alias=True, exclude={"revision_id", *absent})
            row["liveKey"] = keys[member.client_id]
            made.append(assignment)
            stored.append(row)
        try:
            await assignments.insert_all(stored)
        except DuplicateKeyError:
            if len(made) > 1:  # the ordered write stopped there: take back what it wrote
                await _roll_back(made)
            continue  # a concurrent assignment became live first: replace it in turn
        except PyMongoError:
            await _roll_back(made)
            raise
        break
    else:
        raise Conflict("this routine is being assigned to this user by other requests; try again")
    pairs = list(zip(made, members, strict=True))
    plan = _Scheduling(
        version,
        [workout["_id"] for workout in workouts],
        frozenset(index for index, workout in enumerate(workouts) if double_entries(workout)),
        {assignment.id: member.planned for assignment, member in pairs},
        {assignment.id: member.snapshots for assignment, member in pairs},
        stored,
    )
    try:
        still_live = await _schedule(made, plan, plan.planned)
    except PyMongoError:
        still_live = await _recover(made, plan)
    answered: list[RoutineAssignment] = []
    for assignment in made:
        if assignment.id in still_live:
            answered.append(assignment)
            continue
        # Replaced by a concurrent request while its sessions were written.
        await sessions.drop_scheduled(assignment.userId, assignment.id)
        await refresh_progress(assignment.id, assignment.userId)  # type: ignore[arg-type]
        found_now = await assignments.find(assignment.id, {"userId": assignment.userId})
        assert found_now is not None
        answered.append(found_now)
    return answered


@dataclass(frozen=True)
class _Scheduling:
    """What scheduling assignments writes from: the version, its workouts' ids, each
    assignment's planned days and their encoded snapshots (by sequence), and the assignments as
    stored (the live keys they must still hold)."""

    version: dict[str, Any]
    workout_ids: list[PydanticObjectId]
    deciding: frozenset[int]  # the workouts whose sessions decide double-progression targets
    planned: dict[Any, list[PlannedSession]]
    snapshots: dict[Any, dict[int, RawBSONDocument]]
    stored: list[dict[str, Any]]


async def _recover(made: list[RoutineAssignment], plan: _Scheduling) -> set[Any]:
    """Scheduling failed part-way (a failover, a timeout). Once the database answers again,
    finish it: write the sessions that are missing (a lost answer may hide a bulk insert that
    ran) and answer as if nothing happened. If it still fails, take the assignments back and
    raise: the request answers 503 and leaves nothing half-written."""
    try:
        written = await sessions.sequences_written(
            sorted({assignment.userId for assignment in made}),
            [assignment.id for assignment in made if assignment.id],
        )
        missing = {
            key: [day for day in days if (key, day.sequence) not in written]
            for key, days in plan.planned.items()
        }
        return await _schedule(made, plan, missing)
    except PyMongoError:
        await _roll_back(made)
        raise


def _session(
    assignment: RoutineAssignment, plan: _Scheduling, day: PlannedSession
) -> dict[str, Any]:
    """One planned session of the assignment, as stored."""
    now = assignment.assignedAt
    row = {
        "_id": PydanticObjectId(),
        "userId": assignment.userId,
        "trainerId": assignment.trainerId,
        "routineAssignmentId": assignment.id,
        "parentRoutineId": assignment.parentRoutineId,
        "routineVersionId": plan.version["_id"],
        "workoutId": plan.workout_ids[day.workoutIndex],
        "scheduledDate": day.scheduledDate.isoformat(),
        "scheduledTime": assignment.scheduledTime,
        "weekIndex": day.weekIndex,
        "sequence": day.sequence,
        "status": "scheduled",
        "revision": FIRST,
        "workoutSnapshot": plan.snapshots[assignment.id][day.sequence],
        # Double progression rounds the loads it decides at the session's start as the
        # assignment does, without reading the assignment then.
        "roundTo": assignment.roundTo,
        "schemaVersion": 1,
        "createdAt": now,
        "updatedAt": now,
    }
    if day.workoutIndex in plan.deciding:
        row["decidesTargets"] = True
    return row


async def _schedule(
    made: list[RoutineAssignment], plan: _Scheduling, planned: dict[Any, list[PlannedSession]]
) -> set[Any]:
    """Write these planned sessions of the assignments (one bulk insert for all); the ids of
    the assignments still the live ones of their routine."""
    rows = [
        _session(assignment, plan, day) for assignment in made for day in planned[assignment.id]
    ]
    if rows:
        await sessions.add_scheduled(rows)
    return await assignments.holding_keys(plan.stored)


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


async def _upgrade_target(
    assignment: RoutineAssignment, user: CurrentUser, directory: UserDirectory
) -> tuple[str | None, PydanticObjectId]:
    """What upgrading decides before it writes, the same for the upgrade and its preview: the
    assignment must be live and its client one the caller may assign to now; the answer is the
    `trainerId` the new assignment records and the chain's latest version id."""
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
    return trainer_id, latest_id


def _upgrade_version(version: dict[str, Any] | None, user: CurrentUser) -> dict[str, Any]:
    """The latest version (as read, None when gone or archived) the upgrade moves to, which the
    caller must be allowed to read."""
    if version is None or version.get("isArchived"):
        raise Conflict("the latest version changed meanwhile; try again")
    if not policy.READ_VERSION.allows(user, version):
        raise Conflict("the latest version of this routine is not one you may read")
    return version


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
    trainer_id, latest_id = await _upgrade_target(assignment, user, directory)
    async with heads.chain_lease(assignment.parentRoutineId, kind="template routine"):
        found = await versions.find(TemplateRoutineDocument, latest_id, isArchived=False)
        return await _assign(
            _upgrade_version(found, user),
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


class UpgradePreview(BaseModel):
    """What upgrading the assignment from `fromDate` would do; nothing is written."""

    diff: VersionDiff = Field(description="From the assigned version to the latest one")
    fromDate: str = Field(description="The day the new assignment would start")
    firstNewDate: str | None = Field(
        description="The first session the new assignment would schedule (null: none)"
    )
    sessionsToDelete: int = Field(
        description="This assignment's sessions still scheduled, which the upgrade deletes"
        " (in progress, completed, skipped and cancelled ones stay)"
    )
    sessionsToCreate: int = Field(description="The sessions the new assignment would schedule")


async def preview_upgrade(
    assignment: RoutineAssignment, *, user: CurrentUser, from_date: date, directory: UserDirectory
) -> UpgradePreview:
    """The upgrade's decision without its writes: the same checks (403, 409 as the upgrade
    answers), the same calendar (`plan_calendar` from `from_date` on the assignment's training
    days), the scheduled sessions its replacement deletes. Reads only: the assignment, the
    chain head, both versions in one `$in` query, one count."""
    assert assignment.id is not None
    _check_may_manage(assignment, user)
    _, latest_id = await _upgrade_target(assignment, user, directory)
    current_id = PydanticObjectId(assignment.routineVersionId)
    found = {
        row["_id"]: row
        for row in await versions.referenced(TemplateRoutineDocument, [current_id, latest_id])
    }
    latest = _upgrade_version(found.get(latest_id), user)
    # The assigned version is pinned (never purged while assigned); whoever may change the
    # assignment sees what it holds, as its sessions' snapshots show it anyway.
    current = found.get(current_id)
    if current is None:
        raise NotFound("the assigned version no longer exists")
    calendar = plan_calendar(latest, from_date, list(assignment.trainingDays))
    return UpgradePreview(
        diff=diff_versions(current, latest, tree_field=TemplateRoutineDocument.tree_field),
        fromDate=from_date.isoformat(),
        firstNewDate=(
            calendar.sessions[0].scheduledDate.isoformat() if calendar.sessions else None
        ),
        sessionsToDelete=await sessions.count_scheduled(assignment.userId, assignment.id),
        sessionsToCreate=len(calendar.sessions),
    )


# ----- groups (DOMAIN.md section 15) -----------------------------------------------------------

# Every member's sessions of one group assignment, added up (a class of 100 on a long routine).
MAX_GROUP_ASSIGNMENT_BYTES = 256 * 1024 * 1024


async def _linked_members(user: CurrentUser, members: list[str], directory: UserDirectory) -> None:
    """`check_may_assign` for every member, their links read in one directory request."""
    needing = [member for member in members if policy.assigning_needs_link(user, member)]
    linked = await directory.clients_among(user.id, needing) if needing else set()
    for member in members:
        try:
            policy.check_may_assign(user, member, linked=member in linked)
        except Forbidden as refused:
            raise Forbidden(f"member {member}: {refused.detail}") from refused


async def assign_group(
    *,
    routine_version_id: str,
    group_id: str,
    start: date,
    training_days: list[str] | None,
    scheduled_time: str | None,
    notes: str | None,
    user: CurrentUser,
    directory: UserDirectory,
    round_to: float = progression.DEFAULT_ROUND_TO,
) -> tuple[PydanticObjectId, list[RoutineAssignment]]:
    """Assign a template routine version to every member of a group (each replacing their live
    assignment of the same routine), and record it on the group for members who join later.
    Every member's assignment records the group's trainer. Nothing is written unless every
    member may be assigned."""
    group = await groups.find(PydanticObjectId(group_id), policy.USE_GROUP.filter(user))
    if group is None:
        raise NotFound(f"no group with id {group_id}")
    members: list[str] = list(group["memberIds"])
    await _linked_members(user, members, directory)
    version_id = PydanticObjectId(routine_version_id)  # checked at the edge
    version = await _load_version(version_id, user)
    async with heads.chain_lease(version["parentRoutineId"], kind="template routine"):
        version = await _load_version(version_id, user)  # not purged while we waited
        workouts = _workouts(version)
        maxima = await _maxima(workouts, members)
        calendar = plan_calendar(version, start, training_days)
        weeks, days, planned = calendar.weeks, list[str](calendar.trainingDays), calendar.sessions
        trainer_id = group["trainerId"]
        encoded: Encoded = {}  # members with the same maxima share every snapshot's bytes
        each = [
            Member(
                member,
                trainer_id,
                start,
                planned,
                _snapshots(workouts, planned, maxima[member], round_to, encoded),
            )
            for member in members
        ]
        for one in each:
            check_assignment_size(planned, _snapshot_bytes(one.snapshots))
        if sum(len(raw.raw) for one in each for raw in one.snapshots.values()) > (
            MAX_GROUP_ASSIGNMENT_BYTES
        ):
            raise ValidationFailed(
                [FieldError("groupId", "the group is too large for this routine; split it")]
            )
        group_assignment_id = PydanticObjectId()
        terms = Terms(
            end_date(start, weeks),
            days,
            scheduled_time,
            notes,
            round_to,
            group["_id"],
            group_assignment_id,
        )
        made = await _assign_all(version, workouts, each, terms, user)
        record = {
            "groupAssignmentId": group_assignment_id,
            "routineVersionId": version["_id"],
            "parentRoutineId": version["parentRoutineId"],
            "startDate": start.isoformat(),
            "endDate": terms.end.isoformat(),
            "trainingDays": days,
            "scheduledTime": scheduled_time,
            "notesForUser": notes,
            "roundTo": round_to,
            "assignedBy": user.id,
            "assignedAt": utc_now(),
        }
        try:
            # Only onto the members and assignments as read: a member who joined meanwhile was
            # not assigned, and a group assignment made meanwhile raced this one. A rename may
            # happen in between. (On MongoDB an array equals a filter's array element by
            # element, in order: the group as it was read.)
            recorded = await groups.change(
                group["_id"],
                {"trainerId": trainer_id},
                {"$push": {"assignments": record}},
                None,
                also={
                    "memberIds": group["memberIds"],
                    "assignments": group.get("assignments", []),
                },
            )
        except PyMongoError:
            await _roll_back(made)
            with suppress(PyMongoError):  # a lost answer may hide a push that ran
                await groups.change(
                    group["_id"],
                    {"trainerId": trainer_id},
                    {"$pull": {"assignments": {"groupAssignmentId": group_assignment_id}}},
                    None,
                )
            raise
        if recorded is None:
            await _roll_back(made)
            raise Conflict("the group changed meanwhile; try again")
        return group_assignment_id, made


async def assign_joiner(
    group: dict[str, Any], member: str, *, today: date, user: CurrentUser
) -> None:
    """A member who joins is assigned every group assignment not over yet, from `today`: the
    group's own days and workouts from then on (the class's calendar), ending with the group's.
    Repeatable: a group assignment the member already has is skipped."""
    current = [entry for entry in group.get("assignments", []) if entry["endDate"] >= str(today)]
    if not current:
        return
    have = {
        row["groupAssignmentId"]
        for row in await assignments.group_assignments_of(
            member, [entry["groupAssignmentId"] for entry in current]
        )
    }
    for entry in current:
        if entry["groupAssignmentId"] in have:
            continue
        async with heads.chain_lease(entry["parentRoutineId"], kind="template routine"):
            # The version the group has (pinned by its members' assignments: never purged; an
            # archived one still serves the class it was assigned to).
            version = await versions.find(TemplateRoutineDocument, entry["routineVersionId"])
            if version is None or not policy.READ_VERSION.allows(user, version):
                raise Conflict("a routine of this group is not one you may assign; reassign it")
            workouts = _workouts(version)
            maxima = await _maxima(workouts, [member])
            start = date.fromisoformat(entry["startDate"])
            calendar = plan_calendar(version, start, entry["trainingDays"])
            planned = [day for day in calendar.sessions if day.scheduledDate >= today]
            round_to = entry.get("roundTo", progression.DEFAULT_ROUND_TO)
            terms = Terms(
                date.fromisoformat(entry["endDate"]),
                entry["trainingDays"],
                entry.get("scheduledTime"),
                entry.get("notesForUser"),
                round_to,
                group["_id"],
                entry["groupAssignmentId"],
            )
            snapshots = _snapshots(workouts, planned, maxima[member], round_to, {})
            joined = Member(member, group["trainerId"], max(start, today), planned, snapshots)
            await _assign_all(version, workouts, [joined], terms, user)


async def cancel_leaver(group: dict[str, Any], member: str) -> None:
    """A member who leaves has their live group assignments cancelled (the section 7 clean-up:
    scheduled sessions go, every other stays). Repeatable."""
    ids = [entry["groupAssignmentId"] for entry in group.get("assignments", [])]
    if not ids:
        return
    for row in await assignments.group_assignments_of(member, ids):
        if row["status"] in LIVE:
            await _end_live(row["_id"], member, "cancelled")
