"""Performance logs checked against the session's snapshot (DOMAIN.md section 8): ids at their
place, fields per exercise type, bounds, extra sets, substitutions, partial logs, duplicates."""

from typing import Any

import pytest
from bson import ObjectId
from pydantic import ValidationError

from peakhealth.errors import ValidationFailed, field_errors
from peakhealth.sessions.performance import (
    PerformanceLog,
    substituted_variants,
    validate_log,
)

SQUAT = {"exerciseId": "f2a91df2-4c31-5add-9e8a-15c61a54dbbb"}
SQUAT_HIGH_BAR = "b6657115-eeb4-5a08-b08c-00f64e093774"
SQUAT_GOBLET = "d01d92b9-cc16-5a29-b095-1bff099188fe"
PUSH_UP = "758ca0f8-c43d-53c2-8a52-4190cd030b86"
PUSH_UP_VARIANT = "ada22b09-c48c-52f2-b3d6-2338237e2ff8"
STRETCH = "a263b88a-76f2-5b86-9619-9b1729983f10"
STRETCH_VARIANT = "36069c48-3dba-5cc5-8766-f6ca0242bd73"


def ids(count: int) -> list[ObjectId]:
    return [ObjectId() for _ in range(count)]


WARMUP, MAIN = ids(2)
STRETCH_ENTRY, SQUAT_ENTRY, PUSH_ENTRY = ids(3)
STRETCH_SET, SQUAT_WARMUP_SET, SQUAT_SET_1, SQUAT_SET_2, PUSH_SET = ids(5)

SNAPSHOT: dict[str, Any] = {
    "name": "Day A",
    "type": "strength",
    "sections": [
        {
            "_id": WARMUP,
            "type": "warmup",
            "name": "Warm-up",
            "exercises": [
                {
                    "_id": STRETCH_ENTRY,
                    "type": "mobility",
                    "exerciseId": STRETCH,
                    "exerciseVariantId": STRETCH_VARIANT,
                    "sets": [{"_id": STRETCH_SET, "setType": "working", "repType": "time"}],
                }
            ],
        },
        {
            "_id": MAIN,
            "type": "basic",
            "name": "Main",
            "exercises": [
                {
                    "_id": SQUAT_ENTRY,
                    "type": "strength",
                    **SQUAT,
                    "exerciseVariantId": SQUAT_HIGH_BAR,
                    "sets": [
                        {"_id": SQUAT_WARMUP_SET, "setType": "warmup", "repType": "fixed"},
                        {"_id": SQUAT_SET_1, "setType": "working", "repType": "fixed"},
                        {"_id": SQUAT_SET_2, "setType": "working", "repType": "fixed"},
                    ],
                },
                {
                    "_id": PUSH_ENTRY,
                    "type": "bodyweight",
                    "exerciseId": PUSH_UP,
                    "exerciseVariantId": PUSH_UP_VARIANT,
                    "sets": [{"_id": PUSH_SET, "setType": "working", "repType": "max"}],
                },
            ],
        },
    ],
}


def squat_log(*sets: dict[str, Any], **entry: Any) -> dict[str, Any]:
    return {
        "sections": [
            {
                "sectionId": str(MAIN),
                "exercises": [{"exerciseEntryId": str(SQUAT_ENTRY), **entry, "sets": list(sets)}],
            }
        ]
    }


def logged(set_id: ObjectId | None = None, **performance: Any) -> dict[str, Any]:
    return {"setId": str(set_id), "performance": performance} if set_id else {}


def check(log: dict[str, Any], variants: dict[str, str] | None = None) -> dict[str, Any]:
    return validate_log(PerformanceLog.model_validate(log), SNAPSHOT, variants)


def fields_of(log: dict[str, Any], variants: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ValidationFailed) as raised:
        check(log, variants)
    return [error.field for error in raised.value.errors]


def input_fields(log: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        PerformanceLog.model_validate(log)
    return [error.field for error in field_errors(raised.value, ("performanceLog",))]


# ----- a valid log, as stored ------------------------------------------------------------------


def test_a_valid_log_is_stored_with_object_ids_and_library_ids_filled_in() -> None:
    stored = check(
        squat_log(
            logged(SQUAT_WARMUP_SET, reps=5, weight=60),
            logged(SQUAT_SET_1, reps=5, weight=100, rpe=8.5),
        )
    )
    (section,) = stored["sections"]
    assert section["sectionId"] == MAIN and isinstance(section["sectionId"], ObjectId)
    (entry,) = section["exercises"]
    assert entry["exerciseEntryId"] == SQUAT_ENTRY
    assert entry["exerciseId"] == SQUAT["exerciseId"]
    assert entry["exerciseVariantId"] == SQUAT_HIGH_BAR
    first, second = entry["sets"]
    assert first["setId"] == SQUAT_WARMUP_SET and isinstance(first["setId"], ObjectId)
    assert first["setType"] == "warmup"  # defaulted to the planned set's
    assert second["setType"] == "working"
    assert second["performance"] == {"reps": 5, "weight": 100, "rpe": 8.5}


def test_set_type_given_overrides_the_planned_one() -> None:
    stored = check(squat_log({**logged(SQUAT_SET_1, reps=3, weight=120), "setType": "failure"}))
    assert stored["sections"][0]["exercises"][0]["sets"][0]["setType"] == "failure"


def test_a_partial_log_is_accepted() -> None:
    stored = check(squat_log(logged(SQUAT_SET_2, reps=5, weight=100)))
    (entry,) = stored["sections"][0]["exercises"]
    assert [item["setId"] for item in entry["sets"]] == [SQUAT_SET_2]
    assert check({"sections": []}) == {"sections": []}
    empty = check({"sections": [{"sectionId": str(WARMUP)}]})
    assert empty["sections"] == [{"sectionId": WARMUP, "exercises": []}]


# ----- ids at their place ----------------------------------------------------------------------


def test_unknown_section_id_is_rejected() -> None:
    log = {"sections": [{"sectionId": str(ObjectId())}]}
    assert fields_of(log) == ["performanceLog.sections[0].sectionId"]


def test_exercise_of_another_section_is_rejected() -> None:
    log = {
        "sections": [
            {"sectionId": str(WARMUP), "exercises": [{"exerciseEntryId": str(SQUAT_ENTRY)}]}
        ]
    }
    assert fields_of(log) == ["performanceLog.sections[0].exercises[0].exerciseEntryId"]


def test_set_of_another_exercise_is_rejected_with_its_path() -> None:
    log = squat_log(logged(SQUAT_SET_1, reps=5), logged(PUSH_SET, reps=5), logged(ObjectId()))
    assert fields_of(log) == [
        "performanceLog.sections[0].exercises[0].sets[1].setId",
        "performanceLog.sections[0].exercises[0].sets[2].setId",
    ]


def test_a_section_id_where_a_set_id_belongs_is_rejected() -> None:
    assert fields_of(squat_log(logged(MAIN, reps=1))) == [
        "performanceLog.sections[0].exercises[0].sets[0].setId"
    ]


# ----- duplicates ------------------------------------------------------------------------------


def test_duplicate_ids_are_rejected() -> None:
    twice = squat_log(logged(SQUAT_SET_1, reps=5), logged(SQUAT_SET_1, reps=6))
    assert fields_of(twice) == ["performanceLog.sections[0].exercises[0].sets[1].setId"]
    section = {"sectionId": str(WARMUP)}
    assert fields_of({"sections": [section, section]}) == ["performanceLog.sections[1].sectionId"]
    entry = {"exerciseEntryId": str(PUSH_ENTRY)}
    log = {"sections": [{"sectionId": str(MAIN), "exercises": [entry, entry]}]}
    assert fields_of(log) == ["performanceLog.sections[0].exercises[1].exerciseEntryId"]


# ----- fields per exercise type ------------------------------------------------------------------


def test_fields_must_fit_the_exercise_type() -> None:
    push = {
        "sectionId": str(MAIN),
        "exercises": [
            {
                "exerciseEntryId": str(PUSH_ENTRY),
                "sets": [logged(PUSH_SET, reps=20, weight=10, holdTime=5)],
            }
        ],
    }
    stretch = {
        "sectionId": str(WARMUP),
        "exercises": [
            {
                "exerciseEntryId": str(STRETCH_ENTRY),
                "sets": [logged(STRETCH_SET, duration=60, holdTime=30, rpe=5)],
            }
        ],
    }
    assert fields_of({"sections": [push, stretch]}) == [
        "performanceLog.sections[0].exercises[0].sets[0].performance.weight",
        "performanceLog.sections[0].exercises[0].sets[0].performance.holdTime",
        "performanceLog.sections[1].exercises[0].sets[0].performance.rpe",
    ]
    assert fields_of(squat_log(logged(SQUAT_SET_1, holdTime=3))) == [
        "performanceLog.sections[0].exercises[0].sets[0].performance.holdTime"
    ]


def test_each_type_takes_its_own_fields() -> None:
    check(squat_log(logged(SQUAT_SET_1, reps=5, weight=100, rpe=9, duration=40)))
    stretch = {
        "exerciseEntryId": str(STRETCH_ENTRY),
        "sets": [logged(STRETCH_SET, duration=60, reps=2, holdTime=30)],
    }
    check({"sections": [{"sectionId": str(WARMUP), "exercises": [stretch]}]})


def test_metrics_belong_to_running_workouts() -> None:
    log = {"sections": [{"sectionId": str(MAIN), "metrics": {"distance": 5000}}]}
    assert fields_of(log) == ["performanceLog.sections[0].metrics"]
    running = {**SNAPSHOT, "type": "running"}
    stored = validate_log(PerformanceLog.model_validate(log), running)
    assert stored["sections"][0]["metrics"] == {"distance": 5000}


# ----- bounds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reps", -1),
        ("reps", 1001),
        ("weight", -0.5),
        ("weight", 1000.5),
        ("rpe", 0.5),
        ("rpe", 10.5),
        ("rpe", 7.3),
        ("duration", -1),
        ("duration", 86_401),
        ("holdTime", 86_401),
    ],
)
def test_values_out_of_bounds_are_rejected(field: str, value: float) -> None:
    log = squat_log(logged(SQUAT_SET_1, **{field: value}))
    assert input_fields(log) == [
        f"performanceLog.sections[0].exercises[0].sets[0].performance.{field}"
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [("reps", 0), ("reps", 1000), ("weight", 0), ("weight", 1000), ("rpe", 1), ("rpe", 9.5)],
)
def test_values_at_the_bounds_are_accepted(field: str, value: float) -> None:
    check(squat_log(logged(SQUAT_SET_1, **{field: value})))


def test_metrics_bounds() -> None:
    for metrics in ({"avgHeartRate": 29}, {"avgHeartRate": 251}, {"distance": -1}):
        log = {"sections": [{"sectionId": str(MAIN), "metrics": metrics}]}
        (field,) = input_fields(log)
        assert field == f"performanceLog.sections[0].metrics.{next(iter(metrics))}"


def test_strict_json_types() -> None:
    assert input_fields(squat_log(logged(SQUAT_SET_1, reps="5"))) == [
        "performanceLog.sections[0].exercises[0].sets[0].performance.reps"
    ]


# ----- extra sets ------------------------------------------------------------------------------


def test_an_extra_set_has_no_set_id_and_names_its_set_type() -> None:
    extra = {"extra": True, "setType": "drop", "performance": {"reps": 8, "weight": 70}}
    stored = check(squat_log(logged(SQUAT_SET_1, reps=5, weight=100), extra))
    added = stored["sections"][0]["exercises"][0]["sets"][1]
    assert added == {"extra": True, "setType": "drop", "performance": {"reps": 8, "weight": 70}}


def test_a_set_without_set_id_must_say_extra() -> None:
    assert input_fields(squat_log({"setType": "working", "performance": {"reps": 5}})) == [
        "performanceLog.sections[0].exercises[0].sets[0].setId"
    ]


def test_an_extra_set_needs_its_set_type_and_no_set_id() -> None:
    assert input_fields(squat_log({"extra": True, "performance": {"reps": 5}})) == [
        "performanceLog.sections[0].exercises[0].sets[0].setType"
    ]
    both = {"setId": str(SQUAT_SET_1), "extra": True, "setType": "working"}
    assert input_fields(squat_log(both)) == [
        "performanceLog.sections[0].exercises[0].sets[0].extra"
    ]


# ----- substitution ----------------------------------------------------------------------------


def test_another_variant_is_a_substitution_kept_as_given() -> None:
    log = squat_log(logged(SQUAT_SET_1, reps=8, weight=32), exerciseVariantId=SQUAT_GOBLET.upper())
    model = PerformanceLog.model_validate(log)
    assert substituted_variants(model, SNAPSHOT) == {SQUAT_GOBLET}
    stored = validate_log(model, SNAPSHOT, {SQUAT_GOBLET: SQUAT["exerciseId"]})
    entry = stored["sections"][0]["exercises"][0]
    assert entry["exerciseVariantId"] == SQUAT_GOBLET
    assert entry["exerciseId"] == SQUAT["exerciseId"]


def test_substitution_by_another_exercise_takes_its_exercise_id_from_the_catalog() -> None:
    log = squat_log(logged(SQUAT_SET_1, reps=8), exerciseVariantId=PUSH_UP_VARIANT)
    stored = check(log, {PUSH_UP_VARIANT: PUSH_UP})
    assert stored["sections"][0]["exercises"][0]["exerciseId"] == PUSH_UP
    # without a catalog answer, the exercise id given is kept
    kept = check({**log}, None)
    assert kept["sections"][0]["exercises"][0]["exerciseVariantId"] == PUSH_UP_VARIANT


def test_substituted_variant_must_exist_and_match_the_exercise() -> None:
    unknown = squat_log(exerciseVariantId="00000000-0000-4000-8000-000000000000")
    assert fields_of(unknown, {}) == ["performanceLog.sections[0].exercises[0].exerciseVariantId"]
    mismatch = squat_log(exerciseId=STRETCH, exerciseVariantId=SQUAT_GOBLET)
    assert fields_of(mismatch, {SQUAT_GOBLET: SQUAT["exerciseId"]}) == [
        "performanceLog.sections[0].exercises[0].exerciseId"
    ]


def test_another_exercise_with_the_planned_variant_is_rejected() -> None:
    assert fields_of(squat_log(exerciseId=PUSH_UP)) == [
        "performanceLog.sections[0].exercises[0].exerciseId"
    ]


def test_variant_must_be_a_uuid() -> None:
    assert input_fields(squat_log(exerciseVariantId="goblet")) == [
        "performanceLog.sections[0].exercises[0].exerciseVariantId"
    ]


def test_the_planned_variant_is_no_substitution() -> None:
    model = PerformanceLog.model_validate(squat_log(exerciseVariantId=SQUAT_HIGH_BAR))
    assert substituted_variants(model, SNAPSHOT) == set()


def test_tabata_rounds_are_extra_sets_and_sides_only_for_strength_and_bodyweight() -> None:
    section, burpee, planned_set = ids(3)
    snapshot = {
        "type": "strength",
        "sections": [
            {
                "_id": section,
                "type": "tabata",
                "exercises": [
                    {
                        "_id": burpee,
                        "type": "tabata",
                        "exerciseId": PUSH_UP,
                        "exerciseVariantId": PUSH_UP_VARIANT,
                    }
                ],
            }
        ],
    }

    def tabata(*sets: dict[str, Any]) -> PerformanceLog:
        entry = {"exerciseEntryId": str(burpee), "sets": list(sets)}
        return PerformanceLog.model_validate(
            {"sections": [{"sectionId": str(section), "exercises": [entry]}]}
        )

    rounds = tabata(*({"extra": True, "setType": "working", "performance": {"reps": 9}},) * 2)
    stored = validate_log(rounds, snapshot)
    assert len(stored["sections"][0]["exercises"][0]["sets"]) == 2
    with pytest.raises(ValidationFailed) as raised:
        validate_log(
            tabata(
                {"setId": str(planned_set), "performance": {"reps": 9}},
                {"extra": True, "setType": "working", "performance": {"weight": 10}},
            ),
            snapshot,
        )
    prefix = "performanceLog.sections[0].exercises[0]"
    assert [error.field for error in raised.value.errors] == [
        f"{prefix}.sets[0].setId",
        f"{prefix}.sets[1].performance.weight",
    ]
    side = {"setId": str(STRETCH_SET), "unilateralSide": "left", "performance": {"duration": 30}}
    stretch = {"exerciseEntryId": str(STRETCH_ENTRY), "sets": [side]}
    sided = {"sectionId": str(WARMUP), "exercises": [stretch]}
    assert fields_of({"sections": [sided]}) == [
        "performanceLog.sections[0].exercises[0].sets[0].unilateralSide"
    ]
    check(squat_log({**logged(SQUAT_SET_1, reps=5), "unilateralSide": "right"}))
