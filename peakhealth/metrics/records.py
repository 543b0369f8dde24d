"""Personal records (DOMAIN.md section 13): what one completed session's log sets, and what a
client's history of one exercise sets, per exercise variant and record type. Pure: no I/O.

Warm-up sets count nowhere. Weights are kg; values are kept to 0.001, as stored weights are."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal, get_args

from bson import ObjectId
from pydantic import BaseModel, Field

from peakhealth.plan.reading import READ_CONFIG, IdText
from peakhealth.timestamps import UtcDatetime

RecordType = Literal[
    "estimatedOneRepMax", "heaviestWeight", "bestSetVolume", "sessionVolume", "mostReps"
]
RECORD_TYPES: tuple[RecordType, ...] = get_args(RecordType)
# Records a set's weight is needed for; `mostReps` counts any set with reps (bodyweight too).
_WEIGHTED = frozenset({"estimatedOneRepMax", "heaviestWeight", "bestSetVolume", "sessionVolume"})
EPLEY_MAX_REPS = 12
WARMUP = "warmup"

# (exerciseId, exerciseVariantId, type): one record each, per user.
Key = tuple[str, str, str]


class PersonalRecord(BaseModel):
    """One record as stored (besides its user) and answered."""

    model_config = READ_CONFIG

    type: RecordType
    exerciseId: str
    exerciseVariantId: str
    value: float = Field(description="kg; kg x reps for volumes; reps for mostReps")
    sessionId: IdText
    setId: IdText | None = Field(
        default=None, description="Absent for sessionVolume and for extra sets"
    )
    achievedAt: UtcDatetime = Field(description="The session's completedAt")

    @property
    def key(self) -> Key:
        return (self.exerciseId, self.exerciseVariantId, self.type)


class NewRecord(PersonalRecord):
    """A record a session PUT set, with the value it replaced."""

    previous: float | None = Field(description="The record's value before, or null")

    def answer(self) -> dict[str, Any]:
        """As answered: absent fields left out, but `previous` always there (null for a first
        record)."""
        return {**self.model_dump(mode="json", exclude_none=True), "previous": self.previous}


class RecordList(BaseModel):
    data: list[PersonalRecord]


def kept(value: float) -> float:
    """A value as stored: to 0.001."""
    return round(value, 3)


def epley(weight: float, reps: int) -> float | None:
    """Estimated one-rep maximum: the weight itself for one rep, `w x (1 + r/30)` for 2-12 reps,
    none for 0 reps or more than 12 (the formula is not trusted beyond)."""
    if reps == 1:
        return weight
    if 2 <= reps <= EPLEY_MAX_REPS:
        return weight * (1 + reps / 30)
    return None


def _set_values(weight: float | None, reps: int | None) -> dict[str, float]:
    """The per-set record values of one performed set (absent where it sets none)."""
    values: dict[str, float] = {}
    if reps is not None and reps > 0:
        values["mostReps"] = reps
    if weight is None or weight <= 0:
        return values
    values["heaviestWeight"] = weight
    if reps is not None and reps > 0:
        values["bestSetVolume"] = weight * reps
        estimate = epley(weight, reps)
        if estimate is not None:
            values["estimatedOneRepMax"] = estimate
    return values


def session_records(
    log: Mapping[str, Any] | None,
    session_id: ObjectId,
    completed_at: datetime,
    exercise_ids: Iterable[str] | None = None,
) -> dict[Key, PersonalRecord]:
    """The best of each record type per exercise variant in one session's log (of the given
    exercises only, when named). Among equal values the earlier set keeps it."""
    wanted = None if exercise_ids is None else set(exercise_ids)
    best: dict[Key, tuple[float, Any]] = {}  # value and setId; models made once, at the end
    volumes: dict[tuple[str, str], float] = {}
    for section in (log or {}).get("sections") or []:
        for exercise in section.get("exercises") or []:
            exercise_id = exercise.get("exerciseId")
            variant_id = exercise.get("exerciseVariantId")
            if (
                not exercise_id
                or not variant_id
                or (wanted is not None and exercise_id not in wanted)
            ):
                continue
            for logged in exercise.get("sets") or []:
                if logged.get("setType") == WARMUP:
                    continue
                performance = logged.get("performance") or {}
                weight, reps = performance.get("weight"), performance.get("reps")
                if weight and reps and weight > 0 and reps > 0:
                    pair = (exercise_id, variant_id)
                    volumes[pair] = volumes.get(pair, 0.0) + weight * reps
                set_id = None if logged.get("extra") else logged.get("setId")
                for kind, value in _set_values(weight, reps).items():
                    key = (exercise_id, variant_id, kind)
                    value = kept(value)
                    if key not in best or value > best[key][0]:
                        best[key] = (value, set_id)
    for (exercise_id, variant_id), total in volumes.items():
        best[(exercise_id, variant_id, "sessionVolume")] = (kept(total), None)
    return {
        key: PersonalRecord(
            type=key[2],
            exerciseId=key[0],
            exerciseVariantId=key[1],
            value=value,
            sessionId=session_id,
            setId=set_id,
            achievedAt=completed_at,
        )
        for key, (value, set_id) in best.items()
    }


def improvements(
    candidates: Mapping[Key, PersonalRecord], stored: Mapping[Key, PersonalRecord]
) -> list[NewRecord]:
    """The candidates that beat the stored record of their key (or have none), with the value
    they beat. An equal value leaves the record with whoever reached it first."""
    better: list[NewRecord] = []
    for key, candidate in candidates.items():
        before = stored.get(key)
        if before is None or candidate.value > before.value:
            previous = None if before is None else before.value
            better.append(NewRecord(**candidate.model_dump(), previous=previous))
    return better


def lowered(
    stored: Iterable[PersonalRecord],
    candidates: Mapping[Key, PersonalRecord],
    session_id: ObjectId,
) -> set[Key]:
    """The stored records this session set that its corrected log no longer reaches (lower, or
    gone): they must be worked out again from their exercise's history."""
    return {
        record.key
        for record in stored
        if record.sessionId == session_id
        and (record.key not in candidates or candidates[record.key].value < record.value)
    }


def best_of_history(
    sessions: Iterable[Mapping[str, Any]], exercise_id: str
) -> dict[Key, PersonalRecord]:
    """The records of one exercise over completed sessions (each with `_id`, `completedAt` and
    `performanceLog`), whatever their order: the best value of each key, the earliest session
    among equal ones."""
    best: dict[Key, PersonalRecord] = {}
    for session in sorted(sessions, key=lambda item: (item["completedAt"], item["_id"])):
        found = session_records(
            session.get("performanceLog"), session["_id"], session["completedAt"], [exercise_id]
        )
        for key, record in found.items():
            if key not in best or record.value > best[key].value:
                best[key] = record
    return best
