"""Plan tree helpers: fresh ids for copies, duplicate ids, server-managed fields in bodies."""

from typing import Any

import pytest
from beanie.odm.utils.encoder import Encoder
from bson import ObjectId
from pydantic import TypeAdapter, ValidationError

from peakhealth.errors import field_errors, format_path
from peakhealth.plan.base import SERVER_MANAGED, drop_server_managed, is_object_id
from peakhealth.plan.drafts import LibraryWorkoutBody, SectionDraft, TemplateRoutineBody
from peakhealth.plan.reading import read_model
from peakhealth.plan.routines import TemplateRoutine
from peakhealth.plan.tree import duplicate_ids, elements, with_fresh_ids
from peakhealth.plan.workouts import Workout, WorkoutDraft

EXERCISE_ID = "11111111-1111-1111-1111-111111111111"
SET_ID = "bbbbbbbbbbbbbbbbbbbbbbbb"
EXERCISE_ELEMENT_ID = "dddddddddddddddddddddddd"

WORKOUT: TypeAdapter[Any] = TypeAdapter(Workout)
SECTION_DRAFT: TypeAdapter[Any] = TypeAdapter(SectionDraft)


def an_exercise(*sets: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "type": "strength",
        "exerciseId": EXERCISE_ID,
        "exerciseVariantId": EXERCISE_ID,
        "sets": list(sets) or [{"repType": "max"}],
        **fields,
    }


def a_workout(*sections: dict[str, Any]) -> Workout:
    default = {"type": "basic", "name": "Main", "exercises": [an_exercise()]}
    body = {"name": "Day", "type": "strength", "sections": list(sections) or [default]}
    workout: Workout = WORKOUT.validate_python(body)
    return workout


def ids_by_path(workout: Workout) -> dict[str, str]:
    return {format_path(path): str(element.id) for path, element in elements(workout)}


def test_elements_cover_every_level() -> None:
    assert set(ids_by_path(a_workout())) == {
        "",
        "sections[0]",
        "sections[0].exercises[0]",
        "sections[0].exercises[0].sets[0]",
    }


def test_with_fresh_ids_renews_every_element_id() -> None:
    original = a_workout(
        {
            "type": "basic",
            "name": "Main",
            "exercises": [an_exercise({"repType": "max"}, {"repType": "fixed", "reps": 5})],
        },
        {
            "type": "warmup",
            "name": "Warm",
            "duration": 5,
            "intensity": "light",
            "exercises": [an_exercise()],
        },
    )
    before = ids_by_path(original)
    copy = with_fresh_ids(original)
    after = ids_by_path(copy)

    assert set(after) == set(before)
    assert len(after) == 8  # workout, 2 sections, 2 exercises, 3 sets
    assert all(after[path] != before[path] for path in before)
    assert len(set(after.values())) == len(after)
    assert ids_by_path(original) == before  # the original is untouched


def test_with_fresh_ids_keeps_content() -> None:
    original = a_workout()
    copy = with_fresh_ids(original)
    strip = {
        "id": True,
        "sections": {0: {"id": True, "exercises": {0: {"id": True, "sets": {0: {"id"}}}}}},
    }
    assert copy.model_dump(exclude=strip) == original.model_dump(exclude=strip)
    assert copy.sections[0] is not original.sections[0]


def test_submitted_ids_are_kept_and_missing_ones_generated() -> None:
    workout = a_workout(
        {
            "type": "basic",
            "name": "Main",
            "exercises": [an_exercise({"id": SET_ID, "repType": "max"}, id=EXERCISE_ELEMENT_ID)],
        }
    )
    ids = ids_by_path(workout)
    assert ids["sections[0].exercises[0]"] == EXERCISE_ELEMENT_ID
    assert ids["sections[0].exercises[0].sets[0]"] == SET_ID
    assert len(ids["sections[0]"]) == 24


def test_duplicate_ids_reports_the_repeat_with_its_path() -> None:
    workout = a_workout(
        {
            "type": "basic",
            "name": "Main",
            "exercises": [an_exercise({"id": SET_ID, "repType": "max"})],
        },
        {
            "type": "basic",
            "name": "Second",
            "exercises": [an_exercise({"repType": "max"}, {"_id": SET_ID, "repType": "max"})],
        },
    )
    errors = [(format_path(path), message) for path, message in duplicate_ids(workout)]
    assert len(errors) == 1
    path, message = errors[0]
    assert path == "sections[1].exercises[0].sets[1].id"
    assert SET_ID in message
    assert "sections[0].exercises[0].sets[0]" in message


def test_duplicate_ids_across_levels_are_reported() -> None:
    workout = a_workout(
        {
            "type": "basic",
            "name": "Main",
            "id": EXERCISE_ELEMENT_ID,
            "exercises": [an_exercise(id=EXERCISE_ELEMENT_ID)],
        }
    )
    paths = [format_path(path) for path, _ in duplicate_ids(workout)]
    assert paths == ["sections[0].exercises[0].id"]


def test_duplicate_ids_with_prefix() -> None:
    workout = a_workout(
        {
            "type": "basic",
            "name": "Main",
            "exercises": [
                an_exercise({"id": SET_ID, "repType": "max"}, {"id": SET_ID, "repType": "max"})
            ],
        }
    )
    paths = [format_path(path) for path, _ in duplicate_ids(workout, ("workouts", 3))]
    assert paths == ["workouts[3].sections[0].exercises[0].sets[1].id"]


def test_no_duplicates_in_a_fresh_tree() -> None:
    workout = a_workout()
    assert duplicate_ids(workout) == []
    assert duplicate_ids(with_fresh_ids(workout)) == []


def test_two_fresh_copies_share_no_ids() -> None:
    workout = a_workout()
    first = set(ids_by_path(with_fresh_ids(workout)).values())
    second = set(ids_by_path(with_fresh_ids(workout)).values())
    assert first.isdisjoint(second)


# Server-managed fields

SERVER_FIELDS: dict[str, Any] = {
    "id": "cccccccccccccccccccccccc",
    "_id": "cccccccccccccccccccccccc",
    "version": 3,
    "isLatest": True,
    "parentSectionId": "eeeeeeeeeeeeeeeeeeeeeeee",
    "createdBy": EXERCISE_ID,
    "createdAt": "2024-05-01T10:00:00Z",
    "updatedAt": "2024-05-02T10:00:00Z",
    "isArchived": False,
    "archivedAt": None,
    "purgeAt": None,
    "schemaVersion": 1,
    "orderIndex": 4,
}


def test_drop_server_managed_removes_server_fields_only() -> None:
    body = {**SERVER_FIELDS, "routineType": "template", "name": "Main", "isPublic": True}
    assert drop_server_managed(body) == {"name": "Main", "isPublic": True}
    assert "version" in body  # the input is not modified


@pytest.mark.parametrize(
    "field",
    [
        "version",
        "isLatest",
        "createdBy",
        "createdAt",
        "updatedAt",
        "purgeAt",
        "schemaVersion",
        "parentWorkoutId",
        "parentRoutineId",
        "copiedFrom",
        "isArchived",
    ],
)
def test_each_documented_server_field_is_managed(field: str) -> None:
    assert field in SERVER_MANAGED
    assert drop_server_managed({field: 1, "name": "x"}) == {"name": "x"}


def test_drop_server_managed_passes_non_dicts_through() -> None:
    assert drop_server_managed("aaaaaaaaaaaaaaaaaaaaaaaa") == "aaaaaaaaaaaaaaaaaaaaaaaa"
    assert drop_server_managed(None) is None


def a_section_body(**fields: Any) -> dict[str, Any]:
    return {"type": "basic", "name": "Main", "exercises": [an_exercise()], **fields}


def test_section_draft_ignores_server_managed_fields() -> None:
    draft = SECTION_DRAFT.validate_python(
        a_section_body(**SERVER_FIELDS, isPublic=True, tags=[" Legs", "legs", "PUSH "])
    )
    assert draft.name == "Main"
    assert draft.isPublic is True
    assert draft.tags == ["legs", "push"]
    assert str(draft.id) != SERVER_FIELDS["id"]
    assert draft.orderIndex == 0


def test_section_draft_get_then_put_round_trip() -> None:
    first = SECTION_DRAFT.validate_python(
        a_section_body(exercises=[an_exercise(id=EXERCISE_ELEMENT_ID)], notes="slow")
    )
    served = {**first.model_dump(by_alias=True, mode="json"), **SERVER_FIELDS}
    served["name"] = "Renamed"
    second = SECTION_DRAFT.validate_python(served)
    assert second.name == "Renamed"
    assert second.notes == "slow"
    assert str(second.exercises[0].id) == EXERCISE_ELEMENT_ID
    assert second.exercises[0].sets[0].id == first.exercises[0].sets[0].id


def test_section_draft_rejects_unknown_field() -> None:
    with pytest.raises(ValidationError) as caught:
        SECTION_DRAFT.validate_python(a_section_body(**SERVER_FIELDS, colour="red"))
    assert [error.field for error in field_errors(caught.value)] == ["colour"]


def test_section_draft_rejects_unknown_nested_field() -> None:
    body = a_section_body(exercises=[an_exercise(version=2)])
    with pytest.raises(ValidationError) as caught:
        SECTION_DRAFT.validate_python(body)
    assert [error.field for error in field_errors(caught.value)] == ["exercises[0].version"]


def test_section_draft_still_checks_the_type() -> None:
    with pytest.raises(ValidationError) as caught:
        SECTION_DRAFT.validate_python(a_section_body(type="yoga", version=2))
    assert [error.field for error in field_errors(caught.value)] == ["type"]


# Element ids and provenance ids (DOMAIN.md sections 2 and 5)

WORKOUT_DRAFT: TypeAdapter[Any] = TypeAdapter(WorkoutDraft)
ROUTINE_DRAFT: TypeAdapter[Any] = TypeAdapter(TemplateRoutineBody)
SOURCE = {"kind": "section", "id": "a" * 24, "parentId": "b" * 24, "version": 1}


def errors_of(adapter: TypeAdapter[Any], body: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(body)
    return {error.field: error.message for error in field_errors(caught.value)}


def test_null_or_absent_element_ids_get_fresh_ids() -> None:
    body = a_section_body(
        id=None,
        exercises=[an_exercise({"id": None, "repType": "max"}, {"repType": "max"}, id=None)],
    )
    ids = ids_by_path(
        WORKOUT.validate_python({"name": "D", "type": "strength", "sections": [body]})
    )
    assert all(len(value) == 24 for value in ids.values())
    assert len(set(ids.values())) == len(ids)


@pytest.mark.parametrize(
    "bad",
    [f"{SET_ID}\n", f"\n{SET_ID}", f" {SET_ID}", SET_ID[:23], "g" * 24, "", 5, True, [SET_ID]],
)
def test_element_ids_are_24_hex_strings_only(bad: Any) -> None:
    body = a_section_body(exercises=[an_exercise({"id": bad, "repType": "max"})])
    errors = errors_of(SECTION_DRAFT, body)
    assert list(errors) == ["exercises[0].sets[0].id"]
    assert "24 hex" in errors["exercises[0].sets[0].id"]


def test_element_ids_from_storage_and_upper_case_ids_are_kept() -> None:
    stored = ObjectId()
    body = a_section_body(
        exercises=[an_exercise({"_id": stored, "repType": "max"}, id=EXERCISE_ELEMENT_ID.upper())]
    )
    section = SECTION_DRAFT.validate_python(body)
    assert section.exercises[0].sets[0].id == stored
    assert str(section.exercises[0].id) == EXERCISE_ELEMENT_ID


@pytest.mark.parametrize("field", ["id", "parentId"])
@pytest.mark.parametrize("bad", [None, "", "x" * 24, f"{'a' * 24}\n", 7, b"abcdefghijkl"])
def test_source_ids_must_be_ids(field: str, bad: Any) -> None:
    body = a_section_body(source={**SOURCE, field: bad})
    errors = errors_of(SECTION_DRAFT, body)
    assert list(errors) == [f"source.{field}"]
    nested = {"name": "D", "type": "strength", "sections": [body]}
    assert list(errors_of(WORKOUT_DRAFT, nested)) == [f"sections[0].source.{field}"]


def test_source_missing_id_is_rejected_and_a_good_one_kept() -> None:
    source = {key: value for key, value in SOURCE.items() if key != "id"}
    assert list(errors_of(SECTION_DRAFT, a_section_body(source=source))) == ["source.id"]
    assert list(errors_of(SECTION_DRAFT, a_section_body(source={**SOURCE, "version": "1"}))) == [
        "source.version"
    ]
    kept = SECTION_DRAFT.validate_python(a_section_body(source=SOURCE)).source
    assert (str(kept.id), str(kept.parentId), kept.version) == ("a" * 24, "b" * 24, 1)
    stored = {**SOURCE, "id": ObjectId("a" * 24), "parentId": ObjectId("b" * 24)}
    assert SECTION_DRAFT.validate_python(a_section_body(source=stored)).source == kept


@pytest.mark.parametrize("bad", [f"{'a' * 24}\n", "a" * 25, "A" * 23])
def test_references_are_24_hex_exactly(bad: str) -> None:
    body = {"name": "D", "type": "strength", "sections": [bad]}
    assert list(errors_of(WORKOUT_DRAFT, body)) == ["sections[0]"]
    routine = {
        "name": "R",
        "difficulty": "beginner",
        "goal": "strength",
        "duration": 4,
        "workouts": [bad, body],
    }
    assert set(errors_of(ROUTINE_DRAFT, routine)) == {"workouts[0]", "workouts[1].sections[0]"}


def test_is_object_id_matches_the_whole_text() -> None:
    assert is_object_id("a" * 24) and is_object_id("A" * 24)
    for bad in (f"{'a' * 24}\n", f"{'a' * 24}\r\n", "a" * 25, "a" * 23, None, 24, ObjectId()):
        assert not is_object_id(bad)


@pytest.mark.parametrize(
    "bad", [f"{EXERCISE_ID}\n", f" {EXERCISE_ID}", EXERCISE_ID.replace("-", "")]
)
def test_catalog_ids_are_whole_uuids(bad: str) -> None:
    body = a_section_body(exercises=[{**an_exercise(), "exerciseVariantId": bad}])
    assert list(errors_of(SECTION_DRAFT, body)) == ["exercises[0].exerciseVariantId"]


# `_id` in storage, `id` over HTTP (request schemas, read models in responses)


def all_keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*(all_keys(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(all_keys(value) for value in node))
    return set()


@pytest.mark.parametrize(
    ("shape", "mode"),
    [
        *[
            (shape, "validation")
            for shape in (
                SectionDraft,
                LibraryWorkoutBody,
                TemplateRoutineBody,
                Workout,
                TemplateRoutine,
            )
        ],
        (read_model(Workout), "serialization"),
        (read_model(TemplateRoutine), "serialization"),
    ],
)
def test_schemas_name_element_ids_id(shape: Any, mode: Any) -> None:
    schema = TypeAdapter(shape).json_schema(mode=mode)
    assert "_id" not in all_keys(schema)
    properties = [node["properties"] for node in schema["$defs"].values() if "properties" in node]
    assert any("id" in props and "sets" in props for props in properties)  # an exercise


def test_storage_keeps_underscore_id_and_responses_say_id() -> None:
    workout = a_workout()
    stored = workout.model_dump(by_alias=True, exclude_none=True)
    assert stored == Encoder(to_db=True, keep_nulls=False).encode(workout)
    exercise = stored["sections"][0]["exercises"][0]
    assert "id" not in exercise and isinstance(exercise["_id"], ObjectId)
    assert isinstance(exercise["sets"][0]["_id"], ObjectId)
    shown = TypeAdapter(read_model(Workout))
    served = shown.dump_python(shown.validate_python(stored), mode="json", by_alias=True)
    assert "_id" not in all_keys(served)
    assert served["sections"][0]["exercises"][0]["id"] == str(exercise["_id"])
    assert WORKOUT.validate_python(stored) == workout
