"""Adherence (DOMAIN.md section 15): how a completed session's log compares with its plan, and
how an assignment's sessions went week by week. Computed whenever it is read, from the stored
snapshot and log (never stored counters, so a corrected log is reflected at once). Pure: no I/O.

Rules where the design is silent (README, "Adherence"):
- Warm-up sets count nowhere (not planned, logged, extra, volume nor rest), as in exercise
  history's volume. A planned set is a warm-up by its planned `setType` (a client relabelling it
  in the log changes nothing here); an extra set by its logged one.
- `loggedSets` counts the planned sets the log names (any performance, even empty: the client
  says it was done); `extraSets` the logged `extra: true` sets. So `setCompletion` =
  loggedSets / plannedSets is at most 1, and absent when nothing was planned.
- Volume is reps x weight (kg): planned reps are `reps`, else `repsMin` for ranges; a set
  without weight (or without reps: time and max sets) counts 0. `loggedVolume` includes extra
  sets. `volumeRatio` = loggedVolume / plannedVolume, absent when plannedVolume is 0.
- Rest is compared over the logged planned sets that say `restTaken` and have a planned rest
  after them: the set's `restAfter`, else the exercise's `restBetweenSets` (any set but the
  last) or its `restAfter` (the last). Both sums are absent when no set qualifies.
- Ratios are rounded to 4 decimals, volumes and seconds to 3."""

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, Field

from peakhealth.plan.durations import parse_seconds
from peakhealth.plan.reading import IdText

WARMUP = "warmup"
RATIO_DIGITS = 4
AMOUNT_DIGITS = 3

# The fields of a stored session the assignment report reads: the status and day of every
# session, and of its snapshot and log only what counts sets (see `set_counts`).
REPORT_PROJECTION: dict[str, int] = {
    "_id": 0,
    "status": 1,
    "weekIndex": 1,
    "scheduledDate": 1,
    "workoutSnapshot.sections.exercises.sets._id": 1,
    "workoutSnapshot.sections.exercises.sets.setType": 1,
    "performanceLog.sections.exercises.sets.setId": 1,
    "performanceLog.sections.exercises.sets.extra": 1,
    "performanceLog.sections.exercises.sets.setType": 1,
}


class SessionAdherence(BaseModel):
    """How a completed session's log compares with its plan (warm-up sets left out)."""

    plannedSets: int = Field(description="Sets of the plan, warm-ups excluded")
    loggedSets: int = Field(description="Planned sets (warm-ups excluded) the log records")
    extraSets: int = Field(description="Logged sets the plan did not have, warm-ups excluded")
    setCompletion: float | None = Field(
        default=None, description="loggedSets / plannedSets (0-1); absent when none planned"
    )
    plannedVolume: float = Field(description="Sum of planned reps x weight (kg x reps)")
    loggedVolume: float = Field(description="Sum of logged reps x weight (kg x reps)")
    volumeRatio: float | None = Field(
        default=None, description="loggedVolume / plannedVolume; absent when plannedVolume is 0"
    )
    plannedRestSeconds: float | None = Field(
        default=None,
        description="Planned rest after the logged sets that record restTaken (seconds)",
    )
    restTakenSeconds: float | None = Field(
        default=None, description="The rest those sets record (seconds)"
    )


def _each(value: Any) -> Iterator[Mapping[str, Any]]:
    """The documents of a stored array (a projection may leave parts out)."""
    for item in value or []:
        if isinstance(item, Mapping):
            yield item


def _exercises(tree: Mapping[str, Any] | None) -> Iterator[Mapping[str, Any]]:
    for section in _each((tree or {}).get("sections")):
        yield from _each(section.get("exercises"))


def _is_warmup(logged_or_planned: Mapping[str, Any]) -> bool:
    return logged_or_planned.get("setType") == WARMUP


def _logged_sets(log: Mapping[str, Any] | None) -> Iterator[Mapping[str, Any]]:
    for exercise in _exercises(log):
        yield from _each(exercise.get("sets"))


def set_counts(snapshot: Mapping[str, Any], log: Mapping[str, Any] | None) -> tuple[int, int, int]:
    """Planned, logged (planned ones) and extra sets, warm-ups excluded. Reads only the sets'
    ids, `setType` and `extra`, so it works on a projection (REPORT_PROJECTION)."""
    working = {
        planned.get("_id")
        for exercise in _exercises(snapshot)
        for planned in _each(exercise.get("sets"))
        if not _is_warmup(planned)
    }
    logged = extra = 0
    for item in _logged_sets(log):
        if item.get("extra"):
            extra += 0 if _is_warmup(item) else 1
        elif item.get("setId") in working:
            logged += 1
    return len(working), logged, extra


def _ratio(part: float, whole: float) -> float | None:
    return None if whole == 0 else round(part / whole, RATIO_DIGITS)


def _planned_reps(planned: Mapping[str, Any]) -> int:
    reps = planned.get("reps")
    if reps is None:
        reps = planned.get("repsMin")
    return int(reps or 0)


def _seconds(duration: Any) -> int | None:
    """A stored rest duration (canonical ISO 8601) in seconds; None when absent or unreadable."""
    if not isinstance(duration, str):
        return None
    try:
        return parse_seconds(duration, allow_zero=True)
    except ValueError:
        return None


def _planned_rests(exercise: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], int | None]]:
    """Each planned set of the exercise and the rest planned after it."""
    sets = list(_each(exercise.get("sets")))
    for index, planned in enumerate(sets):
        rest = planned.get("restAfter")
        if rest is None:
            last = index == len(sets) - 1
            rest = exercise.get("restAfter") if last else exercise.get("restBetweenSets")
        yield planned, _seconds(rest)


def session_adherence(
    snapshot: Mapping[str, Any], log: Mapping[str, Any] | None
) -> SessionAdherence:
    """The adherence of a session from its stored snapshot and log (rules: module docstring)."""
    planned_sets, logged_sets, extra_sets = set_counts(snapshot, log)
    planned_by_id: dict[Any, tuple[Mapping[str, Any], int | None]] = {}
    planned_volume = 0.0
    for exercise in _exercises(snapshot):
        for planned, rest in _planned_rests(exercise):
            planned_by_id[planned.get("_id")] = (planned, rest)
            if not _is_warmup(planned):
                planned_volume += _planned_reps(planned) * float(planned.get("weight") or 0)
    logged_volume = 0.0
    rest_planned = rest_taken = 0.0
    compared = False
    for item in _logged_sets(log):
        planned, rest = planned_by_id.get(item.get("setId"), ({}, None))
        warmup = _is_warmup(item) if item.get("extra") else _is_warmup(planned)
        if warmup or (not item.get("extra") and not planned):
            continue
        performance: Mapping[str, Any] = item.get("performance") or {}
        logged_volume += int(performance.get("reps") or 0) * float(performance.get("weight") or 0)
        taken = performance.get("restTaken")
        if not item.get("extra") and taken is not None and rest is not None:
            rest_planned += rest
            rest_taken += float(taken)
            compared = True
    return SessionAdherence(
        plannedSets=planned_sets,
        loggedSets=logged_sets,
        extraSets=extra_sets,
        setCompletion=_ratio(logged_sets, planned_sets),
        plannedVolume=round(planned_volume, AMOUNT_DIGITS),
        loggedVolume=round(logged_volume, AMOUNT_DIGITS),
        volumeRatio=_ratio(logged_volume, planned_volume),
        plannedRestSeconds=round(rest_planned, AMOUNT_DIGITS) if compared else None,
        restTakenSeconds=round(rest_taken, AMOUNT_DIGITS) if compared else None,
    )


# ----- an assignment's report ------------------------------------------------------------------


class AdherenceCounts(BaseModel):
    """Sessions by what became of them. `scheduled` counts every session of the period; the
    others split it (`missed`: still scheduled on a day before today, never started;
    `upcoming`: scheduled for today or later)."""

    scheduled: int = 0
    completed: int = 0
    skipped: int = 0
    cancelled: int = 0
    missed: int = 0
    inProgress: int = 0
    upcoming: int = 0
    meanSetCompletion: float | None = Field(
        default=None,
        description="Mean setCompletion of the completed sessions (0-1); absent when none"
        " completed a planned set count",
    )


class WeekAdherence(AdherenceCounts):
    week: int = Field(description="1-based week of the assignment (the sessions' weekIndex)")
    startDate: str = Field(description="The week's first day (YYYY-MM-DD)")


class AssignmentAdherence(BaseModel):
    """An assignment's adherence by week and in total."""

    assignmentId: IdText
    today: str = Field(description="The day `missed` is judged against (the service's UTC date)")
    weeks: list[WeekAdherence]
    total: AdherenceCounts


_STATUS_COUNTS = {
    "completed": "completed",
    "skipped": "skipped",
    "cancelled": "cancelled",
    "in-progress": "inProgress",
}


class _Tally:
    def __init__(self) -> None:
        self.counts: dict[str, int] = dict.fromkeys(AdherenceCounts.model_fields, 0)
        del self.counts["meanSetCompletion"]
        self.completions: list[float] = []

    def add(self, row: Mapping[str, Any], today: str) -> None:
        status = row.get("status")
        self.counts["scheduled"] += 1
        if status == "scheduled":
            missed = str(row.get("scheduledDate", "")) < today
            self.counts["missed" if missed else "upcoming"] += 1
        elif status in _STATUS_COUNTS:
            self.counts[_STATUS_COUNTS[status]] += 1
        if status == "completed":
            planned, logged, _ = set_counts(
                row.get("workoutSnapshot") or {}, row.get("performanceLog")
            )
            if planned:  # unrounded: the mean is rounded once
                self.completions.append(logged / planned)

    def mean(self) -> float | None:
        if not self.completions:
            return None
        return round(sum(self.completions) / len(self.completions), RATIO_DIGITS)


def _week_of(row: Mapping[str, Any], start: date) -> int:
    """The session's `weekIndex`; for a session stored without one, the week its day falls in."""
    week = row.get("weekIndex")
    if isinstance(week, int) and week >= 1:
        return week
    try:
        return max(1, (date.fromisoformat(str(row.get("scheduledDate"))) - start).days // 7 + 1)
    except ValueError:
        return 1


def assignment_adherence(
    assignment_id: Any,
    start: date,
    end: date,
    rows: Iterable[Mapping[str, Any]],
    today: date,
) -> AssignmentAdherence:
    """The report of an assignment running from `start` to `end` (every week listed, sessions
    or not) from its sessions as REPORT_PROJECTION reads them, `today` deciding what is
    missed."""
    day = today.isoformat()
    days = (end - start).days + 1
    weeks: dict[int, _Tally] = {week: _Tally() for week in range(1, -(-days // 7) + 1)}
    total = _Tally()
    for row in rows:
        weeks.setdefault(_week_of(row, start), _Tally()).add(row, day)
        total.add(row, day)
    return AssignmentAdherence(
        assignmentId=assignment_id,
        today=day,
        weeks=[
            WeekAdherence(
                week=week,
                startDate=(start + timedelta(weeks=week - 1)).isoformat(),
                **tally.counts,
                meanSetCompletion=tally.mean(),
            )
            for week, tally in sorted(weeks.items())
        ],
        total=AdherenceCounts(**total.counts, meanSetCompletion=total.mean()),
    )
