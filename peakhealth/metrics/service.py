"""Client metrics and personal records: who may record and read them (`policy.may_coach`, the
directory asked only when a trainer's link decides), recording and reading metrics, reading
records, and the records a completed or corrected session sets (called by the session PUT)."""

from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from typing import Any

from beanie import PydanticObjectId
from bson import ObjectId

from peakhealth import policy
from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.errors import FieldError, NotFound, ValidationFailed
from peakhealth.identity.directory import UserDirectory
from peakhealth.identity.users import CurrentUser
from peakhealth.metrics.models import MetricCreate, MetricKind
from peakhealth.metrics.records import (
    Key,
    NewRecord,
    PersonalRecord,
    best_of_history,
    improvements,
    kept,
    lowered,
    session_records,
)
from peakhealth.revisions import FIRST
from peakhealth.storage import metrics, records
from peakhealth.storage.metrics import ClientMetric
from peakhealth.timestamps import utc_now

ME = "me"
# The completed sessions that logged one exercise (`_id`, `completedAt`, `performanceLog`):
# given by the sessions capability, which owns them.
History = Callable[[str], Awaitable[list[dict[str, Any]]]]


async def client_of(user: CurrentUser, user_id: str, directory: UserDirectory) -> str:
    """The client `user_id` names (`me`: the caller) when the caller may coach them; NotFound
    otherwise, worded as for a user that does not exist."""
    client_id = user.id if user_id == ME else user_id.lower()
    linked = policy.coaching_needs_link(user, client_id) and await directory.is_client_of(
        user.id, client_id
    )
    if not policy.may_coach(user, client_id, linked=linked):
        raise NotFound(f"no user with id {client_id}")
    return client_id


async def record(
    user: CurrentUser,
    user_id: str,
    body: MetricCreate,
    catalog: ExerciseCatalog,
    directory: UserDirectory,
    today: date,
) -> dict[str, Any]:
    """Store one measurement of the client (measured `today` unless it says); the stored
    document."""
    client_id = await client_of(user, user_id, directory)
    exercise_id = body.exerciseId.lower() if body.exerciseId else None
    if exercise_id is not None and await catalog.get(exercise_id) is None:
        raise ValidationFailed([FieldError("exerciseId", "the catalog has no such exercise")])
    now = utc_now()
    metric = ClientMetric(
        id=PydanticObjectId(),
        userId=client_id,
        kind=body.kind,
        exerciseId=exercise_id,
        value=kept(body.value),
        measuredOn=body.measuredOn or today.isoformat(),
        recordedBy=user.id,
        revision=FIRST,
        createdAt=now,
    )
    stored = metric.model_dump(by_alias=True, exclude={"revision_id"})
    await metrics.add(stored)
    return stored


async def read(
    user: CurrentUser, user_id: str, metric_id: str, directory: UserDirectory
) -> dict[str, Any]:
    client_id = await client_of(user, user_id, directory)
    found = await metrics.find({"_id": PydanticObjectId(metric_id), "userId": client_id})
    if found is None:
        raise NotFound(f"no metric with id {metric_id}")
    return found


async def history(
    user: CurrentUser,
    user_id: str,
    directory: UserDirectory,
    *,
    kind: MetricKind | None,
    exercise_id: str | None,
    current: bool,
    skip: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the client's measurements, newest first; with `current`, the current one of
    each kind and exercise (a handful: worked out whole, then paged)."""
    client_id = await client_of(user, user_id, directory)
    query: dict[str, Any] = {"userId": client_id}
    if kind is not None:
        query["kind"] = kind
    if exercise_id is not None:
        query["exerciseId"] = exercise_id.lower()
    if current:
        rows = await metrics.current(query)
        return rows[skip : skip + limit], len(rows)
    return await metrics.page(query, skip=skip, limit=limit)


async def personal_records(
    user: CurrentUser, user_id: str, directory: UserDirectory, exercise_id: str | None
) -> list[PersonalRecord]:
    client_id = await client_of(user, user_id, directory)
    return await records.of_user(client_id, exercise_id.lower() if exercise_id else None)


def _logged_exercises(log: Mapping[str, Any] | None) -> set[str]:
    return {
        exercise["exerciseId"]
        for section in (log or {}).get("sections") or []
        for exercise in section.get("exercises") or []
        if exercise.get("exerciseId")
    }


async def after_log(
    user_id: str,
    session_id: ObjectId,
    completed_at: datetime,
    log: Mapping[str, Any] | None,
    *,
    corrected: Mapping[str, Any] | None = None,
    read_history: History,
) -> list[NewRecord]:
    """The records a completed session's log sets: its candidates against the stored records
    of its exercises (one read), the better ones written (one bulk write), each answered with
    the value it beat. For a correction (`corrected`: the log before), records the session held
    and no longer reaches are worked out again from the history of their exercise alone."""
    candidates = session_records(log, session_id, completed_at)
    exercises = {key[0] for key in candidates}
    if corrected is not None:
        exercises |= _logged_exercises(corrected)
    if not exercises:
        return []
    stored = await records.of_exercises(user_id, exercises)
    better = improvements(candidates, {record.key: record for record in stored})
    beaten = await records.raise_to(user_id, list(better))
    if corrected is not None and (stale := lowered(stored, candidates, session_id)):
        best: dict[Key, PersonalRecord] = {}
        for exercise_id in sorted({key[0] for key in stale}):
            best |= best_of_history(await read_history(exercise_id), exercise_id)
        await records.replace_from_session(user_id, session_id, stale, best)
    return [record for index, record in enumerate(better) if index not in beaten]
