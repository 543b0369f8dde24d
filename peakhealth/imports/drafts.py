"""From parsed and matched lines to the body of a user routine and a report of every line
(pure). Each day heading starts a strength workout with one `basic` section; every exercise is a
`strength` exercise (its sets hold everything a line can say: reps, ranges, kg, RPE, seconds,
AMRAP); `A1`/`A2` lines share a `supersetGroupId`, which the plan tree scopes to a section."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from peakhealth.errors import FieldError, ValidationFailed
from peakhealth.imports.matching import CatalogNames, Confidence
from peakhealth.imports.parse import Heading, ParsedExercise, ParsedLine, Unparsed
from peakhealth.plan.routines import MAX_WORKOUTS
from peakhealth.plan.sections import MAX_EXERCISES

DEFAULT_NAME = "Imported routine"
SECTION_NAME = "Main"
# The design is silent on these routine fields; a trainer edits them after importing.
DEFAULTS: dict[str, Any] = {"difficulty": "intermediate", "goal": "general-fitness", "duration": 4}

LineStatus = Literal["heading", "matched", "unmatched", "unparsed", "skipped"]


class ImportedLine(BaseModel):
    """What became of one non-blank line of the text."""

    lineNumber: int = Field(ge=1)
    line: str
    status: LineStatus = Field(
        description="heading: starts a workout; matched: an exercise of the routine; unmatched:"
        " no catalog name scored 70; unparsed: not read as a heading or an exercise; skipped:"
        " read and matched but over a size limit of the routine"
    )
    name: str | None = Field(default=None, description="the exercise name as written")
    confidence: Confidence | None = None
    score: float | None = Field(default=None, description="fuzzy score 0-100 (100 when high)")
    matchedName: str | None = Field(default=None, description="the catalog name matched")
    exerciseId: str | None = None
    variantId: str | None = None
    reason: str | None = None


def _set(item: ParsedExercise) -> dict[str, Any]:
    fields = {
        "repType": item.repType,
        "reps": item.reps,
        "repsMin": item.repsMin,
        "repsMax": item.repsMax,
        "duration": item.duration,
        "weight": item.weight,
        "rpe": item.rpe,
    }
    return {name: value for name, value in fields.items() if value is not None}


def build_draft(
    parsed: list[ParsedLine], names: CatalogNames, name: str | None
) -> tuple[dict[str, Any], list[ImportedLine]]:
    """The user routine body (as `POST /api/routines` takes it) and the report of each line.
    Nothing matched is a 422 naming `text`."""
    workouts: list[dict[str, Any]] = []
    weekdays: list[str | None] = []
    lines: list[ImportedLine] = []
    current: dict[str, Any] | None = None
    for item in parsed:
        if isinstance(item, Heading):
            lines.append(ImportedLine(lineNumber=item.lineNumber, line=item.line, status="heading"))
            current = {"name": item.name, "weekday": item.weekday, "exercises": []}
            workouts.append(current)
            continue
        if isinstance(item, Unparsed):
            lines.append(
                ImportedLine(
                    lineNumber=item.lineNumber,
                    line=item.line,
                    status="unparsed",
                    reason=item.reason,
                )
            )
            continue
        match = names.match(item.name)
        if match is None:
            lines.append(
                ImportedLine(
                    lineNumber=item.lineNumber,
                    line=item.line,
                    status="unmatched",
                    name=item.name,
                    reason="no catalog exercise scored 70 or more",
                )
            )
            continue
        report = ImportedLine(
            lineNumber=item.lineNumber,
            line=item.line,
            status="matched",
            name=item.name,
            confidence=match.confidence,
            score=match.score,
            matchedName=match.matchedName,
            exerciseId=match.exerciseId,
            variantId=match.variantId,
        )
        if current is None:  # exercises before any heading: a first workout of their own
            current = {"name": "Workout 1", "weekday": None, "exercises": []}
            workouts.append(current)
        if len(current["exercises"]) >= MAX_EXERCISES:
            report.status, report.reason = "skipped", f"a workout holds {MAX_EXERCISES} exercises"
        else:
            exercise: dict[str, Any] = {
                "type": "strength",
                "exerciseId": match.exerciseId,
                "exerciseVariantId": match.variantId,
                "sets": [_set(item) for _ in range(item.sets)],
            }
            if item.supersetGroup is not None:
                exercise["supersetGroupId"] = item.supersetGroup
            current["exercises"].append(exercise)
        lines.append(report)
    kept = [workout for workout in workouts if workout["exercises"]]
    if len(kept) > MAX_WORKOUTS:
        raise ValidationFailed(
            [FieldError("text", f"a routine holds at most {MAX_WORKOUTS} workouts (days)")]
        )
    if not kept:
        raise ValidationFailed(
            [FieldError("text", "no line could be read as an exercise of the catalog")]
        )
    for workout in kept:
        _lone_supersets(workout["exercises"])
        weekdays.append(workout["weekday"])
    draft: dict[str, Any] = {
        "name": (name or DEFAULT_NAME),
        **DEFAULTS,
        "workouts": [
            {
                "name": workout["name"],
                "type": "strength",
                "sections": [
                    {"name": SECTION_NAME, "type": "basic", "exercises": workout["exercises"]}
                ],
            }
            for workout in kept
        ],
    }
    if all(weekdays) and len(set(weekdays)) == len(weekdays):
        draft["schedule"] = {"trainingDays": weekdays}  # headings named the days
    return draft, lines


def _lone_supersets(exercises: list[dict[str, Any]]) -> None:
    """A superset needs two members: a group label written once is dropped."""
    counts: dict[str, int] = {}
    for exercise in exercises:
        group = exercise.get("supersetGroupId")
        if group is not None:
            counts[group] = counts.get(group, 0) + 1
    for exercise in exercises:
        if counts.get(exercise.get("supersetGroupId") or "", 0) == 1:
            del exercise["supersetGroupId"]
