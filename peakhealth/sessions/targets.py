"""Double progression (DOMAIN.md section 13): the weight and reps each working set of a session
aims at, decided from the last time the exercise was done when the session starts. Pure: the
session's snapshot and earlier logs in, the targets out."""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from peakhealth.plan.progression import decimal, round_load, rounding_step


def double_entries(snapshot: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The snapshot's exercises under a double progression, by their entry id (text)."""
    return {
        str(exercise["_id"]): exercise
        for section in snapshot.get("sections") or []
        for exercise in section.get("exercises") or []
        if (exercise.get("progression") or {}).get("type") == "double"
    }


def progression_source(session: Mapping[str, Any]) -> dict[str, Any]:
    """Where a session's double progression looks back: the sessions of its assignment, or of
    its user routine."""
    if session.get("routineAssignmentId") is not None:
        return {"routineAssignmentId": session["routineAssignmentId"]}
    return {"routineId": session.get("routineId")}


def _working(sets: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [item for item in sets if item.get("setType", "working") != "warmup"]


def logged_working_sets(log: Mapping[str, Any] | None, entry_id: str) -> list[Mapping[str, Any]]:
    """The working sets a log has of the exercise entry, with the reps done."""
    for section in (log or {}).get("sections") or []:
        for exercise in section.get("exercises") or []:
            if str(exercise.get("exerciseEntryId")) == entry_id:
                return [
                    item
                    for item in _working(exercise.get("sets") or [])
                    if (item.get("performance") or {}).get("reps") is not None
                ]
    return []


def decide_targets(
    snapshot: Mapping[str, Any],
    last_logged: Mapping[str, list[Mapping[str, Any]]],
    round_to: float,
) -> list[dict[str, Any]]:
    """The targets of every working set of the snapshot's double-progression exercises.
    `last_logged`: by entry id, the working sets logged in the latest completed session that
    has some. With W the smallest weight logged: every planned set done and each at its
    repsMax gives W + weightStep (rounded) x repsMin; otherwise W x one rep more than the fewest
    done (at most repsMax). Never logged: the planned weight x repsMin."""
    targets: list[dict[str, Any]] = []
    step = rounding_step(round_to)
    for entry_id, exercise in double_entries(snapshot).items():
        planned = _working(exercise.get("sets") or [])
        top = {str(item["_id"]): int(item["repsMax"]) for item in planned}
        highest_top = max(top.values(), default=0)
        logged = last_logged.get(entry_id) or []
        weights = [
            decimal(item["performance"]["weight"])
            for item in logged
            if item["performance"].get("weight") is not None
        ]
        reps = [int(item["performance"]["reps"]) for item in logged]
        reached = len(logged) >= len(planned) and all(
            int(item["performance"]["reps"]) >= top.get(str(item.get("setId")), highest_top)
            for item in logged
        )
        least: Decimal | None = min(weights) if weights else None
        for item in planned:
            weight: Decimal | None
            if not logged:
                weight = None if item.get("weight") is None else decimal(item["weight"])
                aim = int(item["repsMin"])
            elif reached:
                step_kg = decimal(exercise["progression"]["weightStep"])
                weight = None if least is None else round_load(least + step_kg, step)
                aim = int(item["repsMin"])
            else:
                weight = least
                aim = min(int(item["repsMax"]), min(reps) + 1)
            targets.append(
                {
                    "exerciseEntryId": exercise["_id"],
                    "setId": item["_id"],
                    "weight": None if weight is None else float(weight),
                    "reps": aim,
                }
            )
    return targets
