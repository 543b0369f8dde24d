"""User routine rules without a database (who may copy a template: test_policy.py): what a PATCH
changes, the request bodies, the stored content and how a stored routine is shown."""

import json
from typing import Any

import pytest
from beanie import PydanticObjectId
from pydantic import TypeAdapter, ValidationError

from peakhealth.http.responses import json_bytes
from peakhealth.plan.base import SERVER_MANAGED
from peakhealth.routines.user_documents import (
    UserRoutineBody,
    UserRoutineContent,
    UserRoutinePatchBody,
    present_user_routine,
)
from peakhealth.routines.user_service import patch_update
from tests.support.plans import strength_section
from tests.support.stored import user_routine_row

OWNER = "00000000-0000-4000-8000-000000000001"
OTHER = "00000000-0000-4000-8000-000000000002"

BODY = TypeAdapter(UserRoutineBody)
PATCH = TypeAdapter(UserRoutinePatchBody)


def routine(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Plan",
        "difficulty": "beginner",
        "goal": "strength",
        "duration": 4,
        "workouts": [{"name": "Day", "type": "strength", "sections": [strength_section()]}],
        **extra,
    }


def test_patch_sets_given_fields_and_removes_a_null_description() -> None:
    changes = PATCH.validate_python(
        {"name": " Lighter ", "description": None, "schedule": {"trainingDays": ["sun", "mon"]}}
    )
    to_set, to_unset = patch_update(changes, workout_count=3)
    assert to_set == {"name": "Lighter", "schedule": {"trainingDays": ["mon", "sun"]}}
    assert to_unset == {"description": ""}


@pytest.mark.parametrize("empty", [None, {}])
def test_patch_with_no_schedule_restores_the_default_week(empty: Any) -> None:
    changes = PATCH.validate_python({"schedule": empty})
    assert patch_update(changes, workout_count=3) == (
        {"schedule": {"trainingDays": ["mon", "wed", "fri"]}},
        {},
    )


def test_empty_patch_changes_nothing() -> None:
    assert patch_update(PATCH.validate_python({}), workout_count=2) == ({}, {})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"workouts": []}, "workouts"),
        ({"name": None}, "name"),
        ({"objectives": None}, "objectives"),
        ({"duration": "4"}, "duration"),
        ({"duration": 4.0}, "duration"),
        ({"duration": True}, "duration"),
        ({"duration": 53}, "duration"),
        ({"difficulty": "easy"}, "difficulty"),
        ({"allowCopy": True}, "allowCopy"),
    ],
)
def test_patch_is_strict_and_knows_only_top_level_fields(body: Any, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        PATCH.validate_python(body)
    assert error.value.errors()[0]["loc"][0] == field


def test_patch_ignores_server_managed_fields() -> None:
    changes = PATCH.validate_python({"isActive": True, "userId": OTHER, "name": "Mine"})
    assert patch_update(changes, workout_count=1) == ({"name": "Mine"}, {})


@pytest.mark.parametrize(
    "field",
    ["userId", "isActive", "isFavorite", "completedWorkouts", "totalWorkouts", "lastUsed"],
)
def test_user_routine_state_is_server_managed(field: str) -> None:
    assert field in SERVER_MANAGED
    draft = BODY.validate_python(routine(**{field: "anything"}))
    assert draft.name == "Plan"


@pytest.mark.parametrize("field", ["templateType", "allowCopy", "isPublic", "tags"])
def test_a_user_routine_has_no_publishing_fields(field: str) -> None:
    with pytest.raises(ValidationError) as error:
        BODY.validate_python(routine(**{field: "trainer"}))
    assert error.value.errors()[0]["loc"] == (field,)


def test_body_takes_workout_references() -> None:
    draft = BODY.validate_python(routine(workouts=["a" * 24]))
    assert draft.workouts == ["a" * 24]


def test_content_orders_workouts_and_fills_the_schedule() -> None:
    body = routine()
    body["workouts"] = body["workouts"] * 2
    body["workouts"] = [{**w, "orderIndex": 5} for w in body["workouts"]]
    content = UserRoutineContent.model_validate(body)
    assert [w.orderIndex for w in content.workouts] == [0, 1]
    assert content.schedule is not None
    assert content.schedule.trainingDays == ["mon", "thu"]


def stored_routine() -> dict[str, Any]:
    return user_routine_row(
        OWNER,
        isActive=True,
        activeKey=OWNER,
        lastUsed=None,
        copiedFrom={"id": PydanticObjectId(), "version": 3},
        workouts=[
            {
                "_id": PydanticObjectId(),
                "name": "Day",
                "type": "strength",
                "orderIndex": 0,
                "sections": [],
            }
        ],
    )


def as_json(view: Any) -> Any:
    """What the API answers for a view."""
    return json.loads(json_bytes(view))


def test_a_stored_routine_is_shown_with_hex_ids_and_no_storage_fields() -> None:
    stored = stored_routine()
    shown = as_json(present_user_routine(stored))
    assert shown["id"] == str(stored["_id"])
    assert shown["workouts"][0]["id"] == str(stored["workouts"][0]["_id"])
    assert shown["copiedFrom"] == {"id": str(stored["copiedFrom"]["id"]), "version": 3}
    assert shown["createdAt"].endswith("Z")
    assert "activeKey" not in shown and "counts" not in shown and "lastUsed" not in shown


def test_a_summary_leaves_the_workouts_out_and_counts_them() -> None:
    shown = as_json(present_user_routine(stored_routine(), full=False))
    assert "workouts" not in shown
    assert shown["counts"] == {"workouts": 1, "sections": 0, "exercises": 0, "sets": 0}
    assert shown["routineType"] == "user-created"
