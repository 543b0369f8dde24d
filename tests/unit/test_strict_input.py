"""Strict JSON types (DOMAIN.md section 3): numbers are numbers, booleans are booleans, strings are
strings; an integer where a float is expected is fine. Stored content (bson ObjectIds, ints where
floats are declared, what Beanie's encoder writes) still validates."""

import copy
from typing import Any

import pytest
from beanie.odm.utils.encoder import Encoder
from bson import ObjectId
from bson.int64 import Int64
from pydantic import TypeAdapter, ValidationError

from peakhealth.errors import field_errors
from peakhealth.plan.drafts import LibraryWorkoutBody, SectionDraft, TemplateRoutineBody
from peakhealth.plan.routines import TemplateRoutine
from peakhealth.plan.sections import Section

EXERCISE_ID = "11111111-1111-1111-1111-111111111111"
VARIANT_ID = "22222222-2222-2222-2222-222222222222"

SECTION: TypeAdapter[Any] = TypeAdapter(Section)
SECTION_DRAFT: TypeAdapter[Any] = TypeAdapter(SectionDraft)
WORKOUT_DRAFT: TypeAdapter[Any] = TypeAdapter(LibraryWorkoutBody)
TEMPLATE_DRAFT: TypeAdapter[Any] = TypeAdapter(TemplateRoutineBody)
ROUTINE: TypeAdapter[Any] = TypeAdapter(TemplateRoutine)


def a_section() -> dict[str, Any]:
    return {
        "type": "basic",
        "name": "Main",
        "exercises": [
            {
                "type": "strength",
                "exerciseId": EXERCISE_ID,
                "exerciseVariantId": VARIANT_ID,
                "sets": [{"repType": "fixed", "reps": 5, "weight": 100.5}],
            }
        ],
    }


def a_routine() -> dict[str, Any]:
    return {
        "name": "Block",
        "difficulty": "beginner",
        "goal": "strength",
        "duration": 6,
        "workouts": [{"name": "Day", "type": "strength", "sections": [a_section()]}],
    }


def put(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `body` with `value` at a dotted path (`exercises.0.sets.0.reps`)."""
    out = copy.deepcopy(body)
    *parents, last = path.split(".")
    node: Any = out
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return out


def fields_of(adapter: TypeAdapter[Any], body: Any) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(body)
    return {error.field for error in field_errors(caught.value)}


SET = "exercises.0.sets.0"
AT_SET = "exercises[0].sets[0]"
SECTION_CASES: list[tuple[str, Any, str]] = [
    # (where in the body, the value, the field the error names)
    (f"{SET}.reps", "5", f"{AT_SET}.reps"),
    (f"{SET}.reps", True, f"{AT_SET}.reps"),
    (f"{SET}.reps", 5.0, f"{AT_SET}.reps"),
    (f"{SET}.reps", None, f"{AT_SET}.reps"),  # fixed reps need a number; null is not one
    (f"{SET}.weight", "100", f"{AT_SET}.weight"),
    (f"{SET}.weight", True, f"{AT_SET}.weight"),
    (f"{SET}.rpe", "7", f"{AT_SET}.rpe"),
    (f"{SET}.rpe", False, f"{AT_SET}.rpe"),
    (f"{SET}.duration", "60", f"{AT_SET}.duration"),
    (f"{SET}.setNumber", "1", f"{AT_SET}.setNumber"),
    (f"{SET}.repType", 1, f"{AT_SET}.repType"),
    (f"{SET}.notes", 5, f"{AT_SET}.notes"),
    (f"{SET}.restAfter", 90, f"{AT_SET}.restAfter"),
    (
        f"{SET}.tempo",
        {"eccentric": "3", "eccentricPause": 0, "concentric": 1, "concentricPause": 0},
        f"{AT_SET}.tempo.eccentric",
    ),
    ("exercises.0.exerciseId", 11111111, "exercises[0].exerciseId"),
    ("exercises.0.supersetGroupId", 1, "exercises[0].supersetGroupId"),
    ("exercises.0.orderIndex", "0", "exercises[0].orderIndex"),
    ("name", 5, "name"),
    ("name", True, "name"),
    ("notes", ["x"], "notes"),
    ("isPublic", "yes", "isPublic"),
    ("isPublic", 1, "isPublic"),
    ("isPublic", "true", "isPublic"),
    ("isPublic", None, "isPublic"),
    ("tags", [1], "tags[0]"),
    ("tags", "legs", "tags"),
]


@pytest.mark.parametrize(("path", "value", "field"), SECTION_CASES)
def test_section_fields_are_strict(path: str, value: Any, field: str) -> None:
    assert fields_of(SECTION_DRAFT, put(a_section(), path, value)) == {field}


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("emom", "rounds", "3"),
        ("emom", "emomDuration", "10"),
        ("emom", "emomDuration", 10.0),
        ("warmup", "duration", "10"),
        ("intervals", "workDistance", "400"),
        ("intervals", "rounds", True),
        ("hill_repeats", "hillLength", "200"),
        ("tempo", "distance", "5"),
        ("tempo", "targetPace", 445),
    ],
)
def test_section_type_fields_are_strict(kind: str, field: str, value: Any) -> None:
    body: dict[str, Any] = {"type": kind, "name": "S", "exercises": a_section()["exercises"]}
    body.update(
        {
            "emom": {"emomDuration": 10, "rounds": 3},
            "warmup": {"duration": 10, "intensity": "light"},
            "intervals": {"rounds": 6, "workDistance": 400, "restDuration": "1m"},
            "hill_repeats": {"repeats": 6, "restType": "jog_down"},
            "tempo": {"duration": "20m", "targetPace": "4:45/km"},
        }[kind]
    )
    if kind == "intervals":
        body.update(intensity="vo2max", exercises=[])
    if kind in ("hill_repeats", "tempo"):
        body["exercises"] = []
    SECTION.validate_python(body)
    assert fields_of(SECTION, {**body, field: value}) == {field}


def test_integers_are_fine_where_floats_are_expected() -> None:
    body = put(put(a_section(), f"{SET}.weight", 100), f"{SET}.rpe", 7)
    planned = SECTION.validate_python(body).exercises[0].sets[0]
    assert (planned.weight, planned.rpe) == (100.0, 7.0)
    assert isinstance(planned.weight, float)
    intervals = {
        "type": "intervals",
        "name": "Track",
        "rounds": 6,
        "workDistance": 400,
        "restDuration": "1m",
        "intensity": "vo2max",
    }
    assert SECTION.validate_python(intervals).workDistance == 400.0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration", "6"),
        ("duration", 6.0),
        ("duration", True),
        ("isPublic", "yes"),
        ("isPublic", 1),
        ("allowCopy", "true"),
        ("allowCopy", 0),
        ("name", 1),
        ("difficulty", 1),
        ("objectives", "strength"),
    ],
)
def test_template_fields_are_strict(field: str, value: Any) -> None:
    TEMPLATE_DRAFT.validate_python(a_routine())
    assert fields_of(TEMPLATE_DRAFT, {**a_routine(), field: value}) == {field}


def test_nested_workout_fields_are_strict() -> None:
    body = put(a_routine(), "workouts.0.sections.0.exercises.0.sets.0.reps", "5")
    assert fields_of(TEMPLATE_DRAFT, body) == {"workouts[0].sections[0].exercises[0].sets[0].reps"}
    workout = {"name": "Day", "type": "strength", "sections": [a_section()], "isPublic": 1}
    assert fields_of(WORKOUT_DRAFT, workout) == {"isPublic"}


def test_booleans_are_accepted_as_booleans() -> None:
    draft = TEMPLATE_DRAFT.validate_python({**a_routine(), "isPublic": True, "allowCopy": False})
    assert (draft.isPublic, draft.allowCopy) == (True, False)


# Stored content validates: what the service writes, read back as MongoDB hands it over


def stored_form(model: Any) -> Any:
    """The content as `content_fields` writes it (Beanie's encoder, no nulls), with the ids as
    bson ObjectIds, as a database returns it."""
    return Encoder(to_db=True, keep_nulls=False).encode(model)


def test_stored_routine_validates_again() -> None:
    body = put(a_routine(), "workouts.0.sections.0.source", None)
    body["workouts"][0]["sections"][0]["source"] = {
        "kind": "section",
        "id": "a" * 24,
        "parentId": "b" * 24,
        "version": 2,
    }
    routine = ROUTINE.validate_python(body)
    stored = stored_form(routine)
    section = stored["workouts"][0]["sections"][0]
    assert isinstance(section["_id"], ObjectId)
    assert isinstance(section["source"]["id"], ObjectId)
    again = ROUTINE.validate_python(stored)
    assert again == routine
    assert again.model_dump(mode="json", by_alias=True) == routine.model_dump(
        mode="json", by_alias=True
    )


def test_stored_ints_for_floats_and_int64_validate() -> None:
    stored = stored_form(SECTION.validate_python(a_section()))
    stored["exercises"][0]["sets"][0]["weight"] = 100  # written as an int by another client
    stored["exercises"][0]["sets"][0]["reps"] = Int64(5)  # how BSON int64 comes back
    planned = SECTION.validate_python(stored).exercises[0].sets[0]
    assert (planned.weight, planned.reps) == (100.0, 5)
