"""Progression rules and loads from a maximum, computed into a session's snapshot when it is
scheduled (DOMAIN.md section 13). Pure: stored plan content (dicts, as MongoDB holds it) in,
the week's numbers out.

Loads are computed in `Decimal` from the decimal text of each stored number, so the halves of
rounding ("nearest multiple, halves up") are exact: 102.5 to a 5 kg step is 105, never 100 by
a float's error."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peakhealth.errors import FieldError, ValidationFailed
from peakhealth.plan.progression import (
    DEFAULT_ROUND_TO,
    GRAM,
    ROUND_TO_CHOICES,
    decimal,
    round_load,
    rounding_step,
)

__all__ = ["DEFAULT_ROUND_TO", "ROUND_TO_CHOICES", "materialize", "round_load"]

HUNDRED = Decimal(100)
MAX_REPS = 1000  # the plan's and the log's bound: a long linear rule stops there


def _kg(value: Decimal) -> float:
    return float(value.quantize(GRAM, rounding=ROUND_HALF_UP))


def _exercises(sections: Iterable[Mapping[str, Any]]) -> Iterable[dict[str, Any]]:
    for section in sections:
        yield from section.get("exercises") or []


def needs_maximum(exercise: Mapping[str, Any]) -> bool:
    """True when the exercise's loads are taken of the client's one-rep maximum."""
    if (exercise.get("progression") or {}).get("type") == "wave":
        return True
    return any(
        planned.get("percentOfOneRepMax") is not None for planned in exercise.get("sets") or []
    )


def maxima_needed(workouts: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The exercises (id: a name to show) whose one-rep maximum the workouts' loads need."""
    needed: dict[str, str] = {}
    for workout in workouts:
        for exercise in _exercises(workout.get("sections") or []):
            if needs_maximum(exercise):
                needed.setdefault(
                    str(exercise["exerciseId"]), str(exercise.get("exerciseName") or "")
                )
    return needed


def check_maxima(needed: Mapping[str, str], maxima: Mapping[str, float]) -> None:
    """422 naming every exercise whose maximum the client does not have."""
    missing = [
        FieldError(
            "routineVersionId",
            f"the client has no oneRepMax of exercise {exercise_id}"
            + (f" ({name})" if name else "")
            + "; record one first",
        )
        for exercise_id, name in needed.items()
        if exercise_id not in maxima
    ]
    if missing:
        raise ValidationFailed(missing)


def is_computed(workout: Mapping[str, Any]) -> bool:
    """True when scheduling computes any number of the workout (a rule or a percentage)."""
    return any(_computes(exercise) for exercise in _exercises(workout.get("sections") or []))


def _prescribed(rule: str, week: int, maximum: Decimal | None) -> dict[str, Any]:
    prescribed: dict[str, Any] = {"rule": rule, "week": week}
    if maximum is not None:
        prescribed["maximum"] = _kg(maximum)
    return prescribed


def _wave(
    exercise: dict[str, Any],
    rule: Mapping[str, Any],
    week: int,
    one_rep_max: Decimal,
    step: Decimal,
) -> None:
    weeks = rule["weeks"]
    entries = weeks[(week - 1) % len(weeks)]
    cycle = (week - 1) // len(weeks)
    maximum = one_rep_max * decimal(
        rule.get("trainingMaxPercent", 100)
    ) / HUNDRED + cycle * decimal(rule.get("cycleIncrement") or 0)
    for planned, entry in zip(exercise["sets"], entries, strict=True):
        planned["weight"] = float(
            round_load(maximum * decimal(entry["percentOfOneRepMax"]) / HUNDRED, step)
        )
        if entry.get("reps") is not None:
            planned["repType"] = "fixed"
            planned["reps"] = entry["reps"]
            planned.pop("repsMin", None)
            planned.pop("repsMax", None)
        planned["prescribedBy"] = _prescribed("wave", week, maximum)


@dataclass(frozen=True)
class _Linear:
    """A linear rule's effect in one week, worked out once per exercise."""

    weight_added: Decimal | None  # kg added to every working set's weight
    reps_added: int
    deload: Decimal | None  # the factor of a deload week

    @classmethod
    def of(cls, rule: Mapping[str, Any], week: int) -> "_Linear":
        k = (week - 1) // int(rule.get("everyWeeks", 1))
        step, deload = rule.get("weightStep"), rule.get("deload")
        return cls(
            weight_added=None if step is None else k * decimal(step),
            reps_added=k * int(rule.get("repsStep") or 0),
            deload=(
                1 - decimal(deload["percent"]) / HUNDRED
                if deload is not None and week % int(deload["everyWeeks"]) == 0
                else None
            ),
        )


def _linear_or_percentage(
    exercise: dict[str, Any],
    rule: Mapping[str, Any],
    week: int,
    one_rep_max: Decimal | None,
    step: Decimal,
) -> None:
    linear = _Linear.of(rule, week) if rule.get("type") == "linear" else None
    for planned in exercise["sets"]:
        percent = planned.get("percentOfOneRepMax")
        progressed = linear is not None and planned.get("setType", "working") != "warmup"
        if percent is None and not progressed:
            continue
        maximum = None
        load: Decimal | None = None
        if percent is not None and one_rep_max is not None:
            maximum = one_rep_max
            load = one_rep_max * decimal(percent) / HUNDRED
        elif planned.get("weight") is not None:
            load = decimal(planned["weight"])
        computed = percent is not None
        if progressed:
            assert linear is not None
            if load is not None and linear.weight_added is not None:
                load += linear.weight_added
                computed = True
            if linear.reps_added:
                for name in ("reps", "repsMin", "repsMax"):
                    if planned.get(name) is not None:
                        planned[name] = min(int(planned[name]) + linear.reps_added, MAX_REPS)
            if load is not None and linear.deload is not None:
                load *= linear.deload
                computed = True
        if computed and load is not None:
            planned["weight"] = float(round_load(load, step))
        planned["prescribedBy"] = _prescribed(
            "linear" if progressed else "percentage", week, maximum
        )


def _computes(exercise: Mapping[str, Any]) -> bool:
    return needs_maximum(exercise) or (exercise.get("progression") or {}).get("type") == "linear"


def materialize(
    workout: Mapping[str, Any], week: int, maxima: Mapping[str, float], round_to: float
) -> dict[str, Any]:
    """The stored workout with the numbers of the session of `week` (its `weekIndex`, from 1):
    linear steps and deloads, wave weeks, loads from the maximum, each computed set marked
    `prescribedBy`. Every maximum a load needs is in `maxima` (kg by exerciseId; see
    `check_maxima`). Double progression is decided later, when the session starts.

    `workout` is left as it was: the exercises computed are copied (their sets one level deep,
    all that changes), the rest is shared with it, which costs far less than a deep copy when
    hundreds of sessions are scheduled."""
    step = rounding_step(round_to)
    sections = []
    for section in workout.get("sections") or []:
        exercises = section.get("exercises") or []
        if not any(_computes(exercise) for exercise in exercises):
            sections.append(section)
            continue
        copied = []
        for exercise in exercises:
            if not _computes(exercise):
                copied.append(exercise)
                continue
            exercise = {**exercise, "sets": [dict(planned) for planned in exercise["sets"]]}
            rule = exercise.get("progression") or {}
            known = maxima.get(str(exercise.get("exerciseId")))
            one_rep_max = None if known is None else decimal(known)
            if rule.get("type") == "wave":
                assert one_rep_max is not None, "check_maxima first"
                _wave(exercise, rule, week, one_rep_max, step)
            else:
                _linear_or_percentage(exercise, rule, week, one_rep_max, step)
            copied.append(exercise)
        sections.append({**section, "exercises": copied})
    return {**workout, "sections": sections}
