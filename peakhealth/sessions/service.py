"""Workout sessions: the calendar, scheduling from a user routine, status changes and logs, and
exercise history. Loads, calls the pure rules (transitions, performance, history), saves.

Every query carries the reader's filter (`policy.READ_SESSION`: a client their own sessions, a
trainer the ones of the assignments made for them and their own, an admin all). A change is one
read and one write conditional on the status that was read, so a concurrent change is noticed and
the change is worked out again from the new state."""

from datetime import date, datetime
from typing import Any

import bson
from beanie import PydanticObjectId
from pymongo import ASCENDING

from peakhealth import answers, policy
from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from peakhealth.identity.users import CurrentUser
from peakhealth.metrics import service as coaching
from peakhealth.plan.progression import DEFAULT_ROUND_TO
from peakhealth.revisions import FIRST, Expected, revision_of
from peakhealth.sessions.documents import RESOLVED, WorkoutSession, workout_snapshot
from peakhealth.sessions.history import HistoryEntry, history_entry
from peakhealth.sessions.limits import MAX_FULL_SESSIONS, check_log_size, check_snapshot_size
from peakhealth.sessions.models import (
    SessionCreate,
    SessionUpdate,
    render_session,
    render_summary,
    with_provisional_targets,
)
from peakhealth.sessions.performance import substituted_variants, validate_log
from peakhealth.sessions.progress import refresh_progress
from peakhealth.sessions.targets import (
    decide_targets,
    double_entries,
    logged_working_sets,
    progression_source,
)
from peakhealth.sessions.transitions import (
    apply_transition,
    check_loggable,
    check_reschedule,
)
from peakhealth.storage import sessions, user_routines
from peakhealth.storage.assignments import is_live
from peakhealth.timestamps import utc_now

MAX_RANGE_DAYS = 366
STARTED = frozenset({"in-progress", "completed"})  # double progression decides on entering them
MAX_UPDATE_ATTEMPTS = 5
CALENDAR_ORDER = [
    ("scheduledDate", ASCENDING),
    ("scheduledTime", ASCENDING),
    ("sequence", ASCENDING),
    ("_id", ASCENDING),
]
# A calendar summary shows the planned workout's name and type, not its tree nor the log.
SUMMARY_PROJECTION = {"workoutSnapshot.sections": 0, "performanceLog": 0}
SESSION_ANSWERS = answers.Kind("session", "workoutSnapshot", render_session)  # snapshot: fixed


def check_range(date_from: str | None, date_to: str | None) -> None:
    """`from` <= `to`, and at most MAX_RANGE_DAYS days from one to the other, both included."""
    if date_from is None or date_to is None:
        return
    days = (date.fromisoformat(date_to) - date.fromisoformat(date_from)).days + 1
    if days < 1:
        raise ValidationFailed([FieldError("to", "must not be before from")])
    if days > MAX_RANGE_DAYS:
        raise ValidationFailed([FieldError("to", f"a range spans at most {MAX_RANGE_DAYS} days")])


async def list_calendar(
    user: CurrentUser,
    *,
    date_from: str | None,
    date_to: str | None,
    status: str | None,
    assignment_id: str | None,
    user_id: str | None,
    skip: int,
    limit: int,
    full: bool = True,
    scope: dict[str, Any] | None = None,
) -> tuple[list[bytes], int]:
    """One page of the sessions the caller may read, by date, time and sequence, as the JSON
    answers of each, and how many match in all; whole, or without sections and log. A `userId`
    outside what the caller may read simply matches nothing. Whole sessions are read without
    their snapshot first: kept answers skip it (see `answers`)."""
    check_range(date_from, date_to)
    if full and limit > MAX_FULL_SESSIONS:
        raise ValidationFailed(
            [FieldError("limit", f"at most {MAX_FULL_SESSIONS} whole sessions a page")]
        )
    conditions: list[dict[str, Any]] = [policy.READ_SESSION.filter(user)]
    if user_id is not None:
        conditions.append({"userId": user_id})
    days: dict[str, str] = {}
    if date_from is not None:
        days["$gte"] = date_from
    if date_to is not None:
        days["$lte"] = date_to
    if days:
        conditions.append({"scheduledDate": days})
    if status is not None:
        conditions.append({"status": status})
    if assignment_id is not None:
        conditions.append({"routineAssignmentId": PydanticObjectId(assignment_id)})
    if scope is not None:  # a narrower calendar (a group's)
        conditions.append(scope)
    query = {"$and": conditions}
    rows, total = await sessions.page(
        query,
        sort=CALENDAR_ORDER,
        skip=skip,
        limit=limit,
        projection={"workoutSnapshot": 0} if full else SUMMARY_PROJECTION,
    )
    if not full:
        return [render_summary(row) for row in rows], total
    return await sessions.read_answers(query, rows, SESSION_ANSWERS), total


async def load(session_id: str, user: CurrentUser) -> dict[str, Any]:
    """The stored session, or NotFound when it does not exist or the caller may not read it."""
    stored = await sessions.find(
        {"_id": PydanticObjectId(session_id), **policy.READ_SESSION.filter(user)}
    )
    if stored is None:
        raise NotFound(f"no workout session with id {session_id}")
    return stored


async def read_answer(session_id: str, user: CurrentUser) -> tuple[bytes, int]:
    """One session as the JSON bytes the API answers, and its revision; NotFound when it does
    not exist or the caller may not read it. Its snapshot never changes: a kept answer skips
    reading it."""
    found = await sessions.read_answer(
        {"_id": PydanticObjectId(session_id), **policy.READ_SESSION.filter(user)},
        SESSION_ANSWERS,
    )
    if found is None:
        raise NotFound(f"no workout session with id {session_id}")
    answer, fields = found
    if fields.get("decidesTargets") and fields.get("status") == "scheduled":
        # Provisional: what it would get if it started now. A completion that changes them
        # bumps this session's revision (`sessions.targets_moved`), so its tag stays true.
        # `fields` is the whole session unless its answer was kept without the snapshot.
        stored = (
            fields
            if "workoutSnapshot" in fields
            else await sessions.find({"_id": fields["_id"], "userId": fields["userId"]})
        )
        targets = None if stored is None else await _double_targets(stored)
        if targets:
            answer = with_provisional_targets(answer, targets)
    return answer, revision_of(fields)


async def revision(session_id: str, user: CurrentUser) -> int:
    """The revision alone of a session the caller may read (the policy is in the query): what
    a 304 costs. NotFound as `read_answer`."""
    found = await sessions.revision(
        {"_id": PydanticObjectId(session_id), **policy.READ_SESSION.filter(user)}
    )
    if found is None:
        raise NotFound(f"no workout session with id {session_id}")
    return found


async def create(user: CurrentUser, request: SessionCreate) -> dict[str, Any]:
    """A session of a workout of one of the caller's own user routines, its snapshot copied
    from the routine as it is now."""
    routine = await user_routines.find(
        policy.own_user_routines(user, _id=request.routineId), {"workouts": 1}
    )
    if routine is None:
        raise ValidationFailed([FieldError("routineId", "no routine of yours with this id")])
    workout = next(
        (item for item in routine.get("workouts") or [] if item.get("_id") == request.workoutId),
        None,
    )
    if workout is None:
        raise ValidationFailed([FieldError("workoutId", "no workout with this id in the routine")])
    snapshot = workout_snapshot(workout)
    check_snapshot_size(
        len(bson.encode(snapshot)), field="workoutId", workout=str(workout.get("name", ""))
    )
    session = WorkoutSession(
        userId=user.id,
        parentRoutineId=routine["_id"],
        routineId=routine["_id"],
        workoutId=workout["_id"],
        scheduledDate=request.scheduledDate,
        scheduledTime=request.scheduledTime,
        workoutSnapshot=snapshot,
        decidesTargets=True if double_entries(snapshot) else None,
        revision=FIRST,
    )
    await sessions.add(session)
    return session.model_dump(exclude={"revision_id"})


def session_changes(
    stored: dict[str, Any],
    change: SessionUpdate,
    now: datetime,
    catalog_variants: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The stored fields a PUT changes (None clears one); empty when it changes nothing. The
    status rules come first (409), then the log is checked against the snapshot (422)."""
    given = change.model_fields_set
    current = stored["status"]
    target = change.status if change.status is not None else current
    changes = apply_transition(current, target, now)
    for name in ("scheduledDate", "scheduledTime"):
        value = getattr(change, name)
        if name in given and value != stored.get(name):
            check_reschedule(target)
            changes[name] = value
    if "durationMinutes" in given and change.durationMinutes != stored.get("durationMinutes"):
        if change.durationMinutes is not None:
            check_loggable(target, "a duration")
        changes["durationMinutes"] = change.durationMinutes
    if "notes" in given and change.notes != stored.get("notes"):
        changes["notes"] = change.notes
    if "performanceLog" in given:
        log = None
        if change.performanceLog is not None:
            check_loggable(target)
            log = validate_log(change.performanceLog, stored["workoutSnapshot"], catalog_variants)
            check_log_size(len(bson.encode(log)))
        if log != stored.get("performanceLog"):
            changes["performanceLog"] = log
    return changes


async def _catalog_variants(
    change: SessionUpdate, snapshot: dict[str, Any], catalog: ExerciseCatalog
) -> dict[str, str] | None:
    """Substituted variants that exist, by id, with their exercise id: one catalog call."""
    if change.performanceLog is None:
        return None
    wanted = substituted_variants(change.performanceLog, snapshot)
    if not wanted:
        return {}
    return {key: variant.exerciseId for key, variant in (await catalog.variants(wanted)).items()}


async def update(
    session_id: str,
    change: SessionUpdate,
    user: CurrentUser,
    catalog: ExerciseCatalog,
    expected: Expected | None = None,
) -> dict[str, Any]:
    """Apply a PUT: status, log, duration, notes, date. Repeating it changes nothing more.
    With `expected` (If-Match) the session must be at that revision: checked on each read, and
    the write's filter holds the revision read (the first write; the recount after it writes
    the assignment), so the answer's revision is exactly the one written. Without it the
    write is conditional on the status only (a concurrent change of another field may land in
    between): the answer's revision is then the one read plus one, never newer than the stored
    one, so a later If-Match with it fails rather than overwrite a change it did not show."""
    variants: dict[str, str] | None = None
    for attempt in range(MAX_UPDATE_ATTEMPTS):
        stored = await load(session_id, user)
        if not policy.CHANGE_SESSION.allows(user, stored):
            raise Forbidden("only the session's client logs it and changes it")
        current = revision_of(stored)
        if expected is not None and not expected.allows(current):
            raise PreconditionFailed(f"the session is at revision {current}; read it again")
        if attempt == 0:  # the snapshot never changes: one catalog call is enough
            variants = await _catalog_variants(change, stored["workoutSnapshot"], catalog)
        now = utc_now()
        changes = session_changes(stored, change, now, variants)
        started = changes.get("status", stored["status"]) in STARTED
        if changes and started and "targets" not in stored:
            targets = await _double_targets(stored)
            if targets is not None:  # decided as it starts, then frozen: written with the move
                changes["targets"], changes["targetsFinal"] = targets, True
        if not changes:
            if stored["status"] in RESOLVED:
                # A repeat of a request whose recount a failure cut short: recount now.
                await _after_status_change(stored)
            if stored["status"] == "completed" and change.performanceLog is not None:
                # ... and its records: better ones are written (nothing when they were), and
                # records of this session its log no longer holds are lowered (a correction's
                # whose write a failure cut short). Its answer is the session alone.
                await _with_records(stored, stored, corrects=True)
            return stored
        reopens = changes.get("status") == "scheduled"
        await _check_reopenable(stored, reopens)
        changes["updatedAt"] = now
        exact = None if expected is None else Expected(frozenset({current}))
        if await sessions.change_if_status(
            stored["_id"], stored["userId"], stored["status"], changes, exact
        ):
            if reopens:
                await _undo_reopen_if_ended(stored)
            updated = {**stored, **changes, "revision": current + 1}
            if updated["status"] != stored["status"]:
                await _after_status_change(updated)
            if updated["status"] == "completed" and stored.get("decidesTargets"):
                # Later scheduled sessions of the workout show targets taken from this one.
                await sessions.targets_moved(
                    updated["userId"], progression_source(updated), updated["workoutId"]
                )
            if updated["status"] == "completed":
                corrects = stored["status"] == "completed"
                if not corrects or "performanceLog" in changes:
                    return await _with_records(stored, updated, corrects=corrects)
            return updated
    raise Conflict("the session kept changing while this request updated it; try again")


async def _with_records(
    stored: dict[str, Any], updated: dict[str, Any], *, corrects: bool
) -> dict[str, Any]:
    """The completed session with the personal records its log set (`newRecords`); a
    correction (`corrects`) may also lower records the session held, recomputed from history."""

    async def read_history(exercise_id: str) -> list[dict[str, Any]]:
        return list(
            await sessions.logged_with(updated["userId"], exercise_id, batch=100).to_list(None)
        )

    new_records = await coaching.after_log(
        updated["userId"],
        updated["_id"],
        updated["completedAt"],
        updated.get("performanceLog"),
        corrected=(stored.get("performanceLog") or {}) if corrects else None,
        read_history=read_history,
    )
    return {**updated, "newRecords": [record.answer() for record in new_records]}


async def _double_targets(stored: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The targets of the session's double-progression exercises (None when it has none), from
    the latest completed session of the same assignment (or user routine) and workout in which
    each exercise has logged working sets: one query, read only as far as needed."""
    entries = double_entries(stored["workoutSnapshot"])
    if not entries:
        return None
    found: dict[str, list[Any]] = {}
    async for earlier in sessions.completed_logs(
        stored["userId"], progression_source(stored), stored["workoutId"], stored["_id"]
    ):
        for entry_id in entries.keys() - found.keys():
            logged = logged_working_sets(earlier.get("performanceLog"), entry_id)
            if logged:
                found[entry_id] = logged
        if len(found) == len(entries):
            break
    return decide_targets(stored["workoutSnapshot"], found, stored.get("roundTo", DEFAULT_ROUND_TO))


ENDED_ASSIGNMENT = "this session's assignment has ended; its sessions cannot be scheduled again"


async def _check_reopenable(stored: dict[str, Any], reopens: bool) -> None:
    """A skipped session goes back to `scheduled` only while its assignment is live: a
    cancelled or completed assignment's calendar does not grow again (409)."""
    assignment_id = stored.get("routineAssignmentId")
    if reopens and assignment_id is not None and not await is_live(assignment_id, stored["userId"]):
        raise Conflict(ENDED_ASSIGNMENT)


async def _undo_reopen_if_ended(stored: dict[str, Any]) -> None:
    """The assignment may have been cancelled between the check and the write, after its
    clean-up ran: put the session back as it was and refuse."""
    assignment_id = stored.get("routineAssignmentId")
    if assignment_id is None or await is_live(assignment_id, stored["userId"]):
        return
    await sessions.restore_if_scheduled(
        stored["_id"],
        stored["userId"],
        {key: stored.get(key) for key in ("status", "startedAt", "completedAt")},
    )
    raise Conflict(ENDED_ASSIGNMENT)


async def _after_status_change(session: dict[str, Any]) -> None:
    """Keep what is derived from sessions in step: the assignment's progress, or the user
    routine's count of completed workouts."""
    if session.get("routineAssignmentId") is not None:
        await refresh_progress(session["routineAssignmentId"], session["userId"])
    elif session.get("routineId") is not None and session["status"] == "completed":
        await _refresh_user_routine(session["routineId"], session["userId"])


async def _refresh_user_routine(routine_id: PydanticObjectId, user_id: str) -> None:
    """Recount the routine's completed sessions and its latest completion (never incremented).
    Completion is final, so the count only grows: a slower concurrent request holding an older
    count does not write it."""
    completed, latest = await sessions.completions(user_id, routine_id)
    if latest is None:
        return
    await user_routines.record_completions(
        routine_id, user_id, completed=completed, last_used=latest["completedAt"]
    )


async def exercise_history(
    user: CurrentUser, exercise_id: str, variant_id: str | None, limit: int
) -> list[HistoryEntry]:
    """The caller's latest completed sessions that logged sets of the exercise (or of one of
    its variants), newest first, read from the history index."""
    entries: list[HistoryEntry] = []
    async for session in sessions.logged_with(user.id, exercise_id, batch=limit):
        entry = history_entry(session, exercise_id, variant_id)
        if entry is not None:
            entries.append(entry)
            if len(entries) >= limit:
                break
    return entries
