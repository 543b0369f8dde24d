"""Scheduling and the assignment lifecycle as pure functions: which workout falls on which day,
and which status changes an assignment allows."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from peakhealth.errors import FieldError, InvalidTransition, ValidationFailed
from peakhealth.plan.base import WEEKDAYS, Weekday
from peakhealth.plan.routines import default_training_days


@dataclass(frozen=True)
class PlannedSession:
    """One day of an assignment's calendar: the routine's workout at `workoutIndex`."""

    scheduledDate: date
    weekIndex: int  # 1-based week of the assignment
    sequence: int  # 1-based position among the assignment's sessions
    workoutIndex: int


# Every session of one assignment together (its snapshots): a year of daily 90 KiB workouts.
MAX_ASSIGNMENT_BYTES = 32 * 1024 * 1024


def check_assignment_size(
    planned: Sequence[PlannedSession], session_bytes: Callable[[PlannedSession], int]
) -> None:
    """The sessions an assignment would write (`session_bytes`: the snapshot size of each),
    added up, stay under MAX_ASSIGNMENT_BYTES (422 naming the limit): fewer training days or a
    shorter routine fit."""
    total = sum(session_bytes(day) for day in planned)
    if total > MAX_ASSIGNMENT_BYTES:
        mib = 1024 * 1024
        raise ValidationFailed(
            [
                FieldError(
                    "routineVersionId",
                    f"its {len(planned)} sessions would store {total // mib} MiB of snapshots;"
                    f" an assignment writes at most {MAX_ASSIGNMENT_BYTES // mib} MiB:"
                    " assign fewer training days or a shorter routine",
                )
            ]
        )


def end_date(start: date, weeks: int) -> date:
    """The last day of an assignment that runs `weeks` weeks from `start`. A start so late that
    the end falls past the last day Python dates hold is a validation error naming `startDate`
    (the API's date window keeps requests far from it; this keeps the rule whole on its own)."""
    try:
        return start + timedelta(days=7 * weeks - 1)
    except OverflowError as error:
        raise ValidationFailed(
            [FieldError("startDate", f"{weeks} weeks from {start} would end after {date.max}")]
        ) from error


def schedule_sessions(
    start: date, weeks: int, training_days: Sequence[Weekday], workout_count: int
) -> list[PlannedSession]:
    """Every training day from `start` to the end date gets the routine's next workout, in
    order and cycling: two workouts on mon/wed/fri give A B A, B A B, ..."""
    end_date(start, weeks)  # refuses a start whose schedule would run off the calendar
    if workout_count < 1:
        return []
    days = {WEEKDAYS.index(day) for day in training_days}
    planned: list[PlannedSession] = []
    for offset in range(7 * weeks):
        day = start + timedelta(days=offset)
        if day.weekday() in days:
            planned.append(
                PlannedSession(
                    scheduledDate=day,
                    weekIndex=offset // 7 + 1,
                    sequence=len(planned) + 1,
                    workoutIndex=len(planned) % workout_count,
                )
            )
    return planned


@dataclass(frozen=True)
class Calendar:
    """What assigning a version from a day schedules: its training days in week order, the
    weeks it runs and every session."""

    trainingDays: list[Weekday]
    weeks: int
    sessions: list[PlannedSession]


def plan_calendar(
    version: Mapping[str, Any], start: date, training_days: Sequence[str] | None
) -> Calendar:
    """The calendar of a template version (as stored) assigned from `start`: on
    `training_days`, else the routine's, else its default spread. Assigning, upgrading and the
    upgrade's preview all decide with this."""
    workout_count = len(version.get("workouts") or [])
    weeks = int(version.get("duration", 1))
    days = (
        training_days
        or (version.get("schedule") or {}).get("trainingDays")
        or default_training_days(workout_count)
    )
    # Days stored or sent passed the Weekday rules already.
    ordered = cast("list[Weekday]", sorted(set(days), key=WEEKDAYS.index))
    return Calendar(ordered, weeks, schedule_sessions(start, weeks, ordered, workout_count))


# PATCH targets and the statuses they may come from (DOMAIN.md section 7).
_MOVES: dict[str, frozenset[str]] = {
    "paused": frozenset({"active"}),
    "active": frozenset({"paused"}),
    "completed": frozenset({"active", "paused"}),
    "cancelled": frozenset({"active", "paused"}),
}


def check_assignment_move(current: str, target: str) -> bool:
    """True when `target` changes the assignment, False when it already has that status (a
    repeated request changes nothing); InvalidTransition for any other move."""
    if current == target:
        return False
    if current not in _MOVES.get(target, frozenset()):
        raise InvalidTransition(f"an assignment cannot go from {current} to {target}")
    return True
