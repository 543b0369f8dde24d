"""Plan tree helpers: fresh ids for copies, duplicate ids, server-managed fields in bodies."""

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from peakhealth.errors import field_errors, format_path
from peakhealth.plan.base import SERVER_MANAGED, drop_server_managed
from peakhealth.plan.drafts import SectionDraft
from peakhealth.plan.tree import duplicate_ids, elements, with_fresh_ids
from peakhealth.plan.workouts import Workout

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
