"""Plan tree rules (DOMAIN.md section 3), checked through pydantic validation alone."""

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from peakhealth.errors import field_errors
from peakhealth.plan.routines import TemplateRoutine
from peakhealth.plan.sections import Section
from peakhealth.plan.workouts import Workout

EXERCISE_ID = "11111111-1111-1111-1111-111111111111"
VARIANT_ID = "22222222-2222-2222-2222-222222222222"

SECTION: TypeAdapter[Any] = TypeAdapter(Section)
WORKOUT: TypeAdapter[Any] = TypeAdapter(Workout)
ROUTINE: TypeAdapter[Any] = TypeAdapter(TemplateRoutine)


def a_set(**fields: Any) -> dict[str, Any]:
    return {"repType": "fixed", "reps": 5, **fields}


def an_exercise(kind: str = "strength", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": kind,
        "exerciseId": EXERCISE_ID,
        "exerciseVariantId": VARIANT_ID,
    }
    if kind != "tabata":
        body["sets"] = [a_set()]
    return {**body, **fields}


def a_section(kind: str = "basic", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind, "name": "Main"}
    if kind in ("basic", "warmup", "cooldown", "emom", "circuit"):
        body["exercises"] = [an_exercise()]
    if kind == "tabata":
        body["exercises"] = [an_exercise("tabata")]
    if kind in ("warmup", "cooldown"):
        body["duration"] = 10
    if kind == "warmup":
        body["intensity"] = "light"
    if kind == "emom":
        body.update(emomDuration=10, rounds=3)
    if kind == "circuit":
        body.update(rounds=3, restBetweenRounds="1m")
    if kind == "intervals":
        body.update(rounds=6, workDistance=400, restDuration="90s", intensity="vo2max")
    if kind == "tempo":
        body.update(duration="20m", targetPace="4:45/km")
    return {**body, **fields}


def a_workout(kind: str = "strength", **fields: Any) -> dict[str, Any]:
    section = a_section("basic" if kind == "strength" else "tempo")
    return {"name": "Day", "type": kind, "sections": [section], **fields}


def a_routine(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Block",
        "difficulty": "beginner",
        "goal": "strength",
        "duration": 4,
        "workouts": [a_workout()],
        **fields,
    }


def with_sets(*sets: dict[str, Any], **exercise: Any) -> dict[str, Any]:
    return a_section(exercises=[an_exercise(sets=list(sets), **exercise)])


def errors_of(adapter: TypeAdapter[Any], body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        adapter.validate_python(body)
    return {error.field: error.message for error in field_errors(caught.value)}


def fields_of(adapter: TypeAdapter[Any], body: dict[str, Any]) -> set[str]:
    return set(errors_of(adapter, body))


# repType rules


def test_fixed_needs_reps() -> None:
    body = with_sets(a_set(), {"repType": "fixed"})
    assert fields_of(SECTION, body) == {"exercises[0].sets[1].reps"}
    SECTION.validate_python(with_sets(a_set(), a_set(reps=8)))


def test_range_needs_both_bounds() -> None:
    body = with_sets({"repType": "range"})
    assert fields_of(SECTION, body) == {
        "exercises[0].sets[0].repsMin",
        "exercises[0].sets[0].repsMax",
    }


def test_range_needs_min_not_above_max() -> None:
    body = with_sets({"repType": "range", "repsMin": 12, "repsMax": 8})
    errors = errors_of(SECTION, body)
    assert list(errors) == ["exercises[0].sets[0].repsMin"]
    assert "repsMax" in errors["exercises[0].sets[0].repsMin"]
    SECTION.validate_python(with_sets({"repType": "range", "repsMin": 8, "repsMax": 8}))
    SECTION.validate_python(with_sets({"repType": "range", "repsMin": 8, "repsMax": 12}))


def test_time_needs_duration() -> None:
    assert fields_of(SECTION, with_sets({"repType": "time"})) == {"exercises[0].sets[0].duration"}
    SECTION.validate_python(with_sets({"repType": "time", "duration": 30}))


def test_max_needs_nothing() -> None:
    section = SECTION.validate_python(with_sets({"repType": "max"}))
    assert section.exercises[0].sets[0].repType == "max"


def test_mobility_sets_cannot_use_range() -> None:
    exercise = an_exercise("mobility", sets=[{"repType": "range"}])
    errors = errors_of(SECTION, a_section(exercises=[exercise]))
    assert list(errors) == ["exercises[0].sets[0].repType"]
    assert "mobility" in errors["exercises[0].sets[0].repType"]
    # mobility sets have no repsMin / repsMax fields at all
    exercise = an_exercise("mobility", sets=[{"repType": "range", "repsMin": 5, "repsMax": 8}])
    assert fields_of(SECTION, a_section(exercises=[exercise])) == {
        "exercises[0].sets[0].repsMin",
        "exercises[0].sets[0].repsMax",
    }


def test_mobility_sets_take_time_and_hold() -> None:
    exercise = an_exercise("mobility", sets=[{"repType": "time", "duration": 60, "holdTime": 30}])
    section = SECTION.validate_python(a_section(exercises=[exercise]))
    assert section.exercises[0].sets[0].holdTime == 30


def test_bodyweight_sets_follow_the_same_rules() -> None:
    exercise = an_exercise("bodyweight", sets=[{"repType": "fixed"}])
    assert fields_of(SECTION, a_section(exercises=[exercise])) == {"exercises[0].sets[0].reps"}


def test_unknown_rep_type_is_rejected() -> None:
    assert fields_of(SECTION, with_sets({"repType": "lots"})) == {"exercises[0].sets[0].repType"}


# Values of a set


@pytest.mark.parametrize("rpe", [1, 5.5, 7.5, 10])
def test_rpe_accepts_half_steps_from_1_to_10(rpe: float) -> None:
    section = SECTION.validate_python(with_sets(a_set(rpe=rpe)))
    assert section.exercises[0].sets[0].rpe == rpe


@pytest.mark.parametrize("rpe", [7.3, 8.25, 9.9])
def test_rpe_rejects_other_fractions(rpe: float) -> None:
    assert fields_of(SECTION, with_sets(a_set(rpe=rpe))) == {"exercises[0].sets[0].rpe"}


@pytest.mark.parametrize("rpe", [0, 0.5, 10.5, 11])
def test_rpe_is_between_1_and_10(rpe: float) -> None:
    assert fields_of(SECTION, with_sets(a_set(rpe=rpe))) == {"exercises[0].sets[0].rpe"}


def test_weight_is_not_negative() -> None:
    assert fields_of(SECTION, with_sets(a_set(weight=-2.5))) == {"exercises[0].sets[0].weight"}
    section = SECTION.validate_python(with_sets(a_set(weight=0)))
    assert section.exercises[0].sets[0].weight == 0


def test_unilateral_side_needs_sequential_mode() -> None:
    left = a_set(unilateralSide="left")
    expected = {"exercises[0].sets[1].unilateralSide"}
    assert fields_of(SECTION, with_sets(a_set(), left)) == expected
    assert fields_of(SECTION, with_sets(a_set(), left, unilateralMode="alternating")) == expected
    section = SECTION.validate_python(with_sets(a_set(), left, unilateralMode="sequential"))
    assert section.exercises[0].sets[1].unilateralSide == "left"


def test_set_durations_are_normalized() -> None:
    section = SECTION.validate_python(
        with_sets(a_set(restAfter="1:30"), restBetweenSets="2m", restAfter="90s")
    )
    exercise = section.exercises[0]
    assert exercise.sets[0].restAfter == "PT1M30S"
    assert exercise.restBetweenSets == "PT2M"
    assert exercise.restAfter == "PT1M30S"


def test_bad_duration_names_the_field() -> None:
    errors = errors_of(SECTION, with_sets(a_set(restAfter="soon")))
    assert list(errors) == ["exercises[0].sets[0].restAfter"]


@pytest.mark.parametrize("spelling", ["pt1m", "90S", " 90s", "90s ", "1:30\n"])
def test_durations_are_case_and_space_sensitive(spelling: str) -> None:
    errors = errors_of(SECTION, with_sets(a_set(restAfter=spelling), restBetweenSets=spelling))
    assert set(errors) == {"exercises[0].sets[0].restAfter", "exercises[0].restBetweenSets"}


# Rest may be zero; work may not (DOMAIN.md section 2)

ZERO = ["0s", "PT0S", "0:00"]
REST_FIELDS: list[tuple[str, str, str]] = [
    # (section kind, where the duration goes, field path in errors)
    ("basic", "section.restAfter", "restAfter"),
    ("basic", "exercise.restAfter", "exercises[0].restAfter"),
    ("basic", "exercise.restBetweenSets", "exercises[0].restBetweenSets"),
    ("basic", "set.restAfter", "exercises[0].sets[0].restAfter"),
    ("emom", "section.restBetweenRounds", "restBetweenRounds"),
    ("circuit", "section.restBetweenRounds", "restBetweenRounds"),
    ("circuit", "section.restBetweenExercises", "restBetweenExercises"),
    ("intervals", "section.restDuration", "restDuration"),
    ("tabata", "section.restInterval", "restInterval"),
]
WORK_FIELDS: list[tuple[str, str]] = [
    ("tabata", "workInterval"),
    ("intervals", "workDuration"),
    ("tempo", "duration"),
    ("fartlek", "duration"),
]


def section_with(kind: str, where: str, value: str) -> dict[str, Any]:
    level, field = where.split(".")
    body = a_section(kind)
    if kind == "fartlek":
        body.update(duration="20m", description="surges")
    if level == "section":
        body[field] = value
    elif level == "exercise":
        body["exercises"][0][field] = value
    else:
        body["exercises"][0]["sets"][0][field] = value
    return body


def value_at(section: Any, where: str) -> Any:
    level, field = where.split(".")
    if level == "section":
        return getattr(section, field)
    if level == "exercise":
        return getattr(section.exercises[0], field)
    return getattr(section.exercises[0].sets[0], field)


@pytest.mark.parametrize("zero", ZERO)
@pytest.mark.parametrize(("kind", "where", "path"), REST_FIELDS)
def test_rest_durations_may_be_zero(kind: str, where: str, path: str, zero: str) -> None:
    section = SECTION.validate_python(section_with(kind, where, zero))
    assert value_at(section, where) == "PT0S"


@pytest.mark.parametrize(("kind", "where", "path"), REST_FIELDS)
def test_rest_durations_still_reject_garbage(kind: str, where: str, path: str) -> None:
    assert fields_of(SECTION, section_with(kind, where, "-5s")) == {path}


@pytest.mark.parametrize("zero", ZERO)
@pytest.mark.parametrize(("kind", "field"), WORK_FIELDS)
def test_work_durations_must_be_positive(kind: str, field: str, zero: str) -> None:
    body = section_with(kind, f"section.{field}", zero)
    errors = errors_of(SECTION, body)
    assert list(errors) == [field]
    assert "longer than zero" in errors[field]
    body = section_with(kind, f"section.{field}", "1s")
    assert getattr(SECTION.validate_python(body), field) == "PT1S"


def test_exercise_ids_must_be_uuids() -> None:
    body = a_section(exercises=[an_exercise(exerciseId="bench-press")])
    assert fields_of(SECTION, body) == {"exercises[0].exerciseId"}


# Tabata


def test_tabata_defaults() -> None:
    section = SECTION.validate_python(a_section("tabata"))
    assert (section.workInterval, section.restInterval, section.rounds) == ("PT20S", "PT10S", 8)


def test_tabata_intervals_are_normalized() -> None:
    section = SECTION.validate_python(a_section("tabata", workInterval="0:30", restInterval="15s"))
    assert (section.workInterval, section.restInterval) == ("PT30S", "PT15S")


def test_tabata_section_takes_only_tabata_exercises() -> None:
    body = a_section("tabata", exercises=[an_exercise("tabata"), an_exercise("strength")])
    assert fields_of(SECTION, body) == {"exercises[1].type"}


@pytest.mark.parametrize("kind", ["basic", "warmup", "emom", "circuit"])
def test_other_sections_reject_tabata_exercises(kind: str) -> None:
    SECTION.validate_python(a_section(kind))
    body = a_section(kind, exercises=[an_exercise("tabata")])
    assert fields_of(SECTION, body) == {"exercises[0].type"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("sets", [a_set()]), ("notes", "go hard"), ("restAfter", "30s"), ("restBetweenSets", "1m")],
)
def test_tabata_exercise_rejects_sets_rest_and_notes(field: str, value: Any) -> None:
    body = a_section("tabata", exercises=[an_exercise("tabata", **{field: value})])
    assert fields_of(SECTION, body) == {f"exercises[0].{field}"}


# Sections within workouts


@pytest.mark.parametrize("kind", ["intervals", "tempo"])
def test_strength_workout_rejects_running_sections(kind: str) -> None:
    body = a_workout("strength", sections=[a_section("basic"), a_section(kind)])
    assert fields_of(WORKOUT, body) == {"sections[1].type"}


@pytest.mark.parametrize("workout", ["running", "trail-running"])
@pytest.mark.parametrize("kind", ["basic", "tabata"])
def test_running_workouts_reject_strength_sections(workout: str, kind: str) -> None:
    body = a_workout(workout, sections=[a_section(kind)])
    assert fields_of(WORKOUT, body) == {"sections[0].type"}


def test_warmup_fits_both_kinds_of_workout() -> None:
    WORKOUT.validate_python(a_workout("strength", sections=[a_section("warmup")]))
    WORKOUT.validate_python(a_workout("running", sections=[a_section("warmup")]))


def test_intervals_need_work_distance_or_duration() -> None:
    body = a_section("intervals")
    del body["workDistance"]
    assert fields_of(SECTION, body) == {"workDistance"}
    assert SECTION.validate_python({**body, "workDuration": "3m"}).workDuration == "PT3M"
    assert SECTION.validate_python({**body, "workDistance": 800}).workDistance == 800


def test_running_sections_may_have_no_exercises() -> None:
    assert SECTION.validate_python(a_section("tempo")).exercises == []


def test_strength_sections_need_an_exercise() -> None:
    assert fields_of(SECTION, a_section("basic", exercises=[])) == {"exercises"}


# Supersets


def test_superset_group_needs_two_members() -> None:
    lonely = a_section(exercises=[an_exercise(supersetGroupId="A"), an_exercise()])
    assert fields_of(SECTION, lonely) == {"exercises[0].supersetGroupId"}
    paired = a_section(
        exercises=[an_exercise(supersetGroupId="A"), an_exercise(supersetGroupId="A")]
    )
    assert [e.supersetGroupId for e in SECTION.validate_python(paired).exercises] == ["A", "A"]


def test_superset_group_id_is_scoped_to_its_section() -> None:
    # the same library section used twice: each copy has its own group "A" (DOMAIN.md section 3)
    pair = [an_exercise(supersetGroupId="A"), an_exercise(supersetGroupId="A")]
    body = a_workout(
        sections=[a_section(exercises=pair), a_section(exercises=[an_exercise(), *pair])]
    )
    workout = WORKOUT.validate_python(body)
    assert [e.supersetGroupId for e in workout.sections[1].exercises] == [None, "A", "A"]


def test_superset_members_in_another_section_do_not_count() -> None:
    pair = [an_exercise(supersetGroupId="A"), an_exercise(supersetGroupId="A")]
    body = a_workout(
        sections=[
            a_section(exercises=pair),
            a_section(exercises=[an_exercise(), an_exercise(supersetGroupId="A")]),
        ]
    )
    assert fields_of(WORKOUT, body) == {"sections[1].exercises[1].supersetGroupId"}


def test_distinct_superset_groups_in_two_sections_are_fine() -> None:
    first = [an_exercise(supersetGroupId="A"), an_exercise(supersetGroupId="A")]
    second = [an_exercise(supersetGroupId="B"), an_exercise(supersetGroupId="B")]
    WORKOUT.validate_python(
        a_workout(sections=[a_section(exercises=first), a_section(exercises=second)])
    )


# Size limits


def test_fifty_sets_fit_and_fifty_one_do_not() -> None:
    SECTION.validate_python(with_sets(*[a_set() for _ in range(50)]))
    assert fields_of(SECTION, with_sets(*[a_set() for _ in range(51)])) == {"exercises[0].sets"}


def test_forty_exercises_fit_and_forty_one_do_not() -> None:
    SECTION.validate_python(a_section(exercises=[an_exercise() for _ in range(40)]))
    body = a_section(exercises=[an_exercise() for _ in range(41)])
    assert fields_of(SECTION, body) == {"exercises"}


def test_twenty_sections_fit_and_twenty_one_do_not() -> None:
    WORKOUT.validate_python(a_workout(sections=[a_section() for _ in range(20)]))
    assert fields_of(WORKOUT, a_workout(sections=[a_section() for _ in range(21)])) == {"sections"}


def test_fourteen_workouts_fit_and_fifteen_do_not() -> None:
    ROUTINE.validate_python(a_routine(workouts=[a_workout() for _ in range(14)]))
    assert fields_of(ROUTINE, a_routine(workouts=[a_workout() for _ in range(15)])) == {"workouts"}


def test_empty_workout_and_routine_are_rejected() -> None:
    assert fields_of(WORKOUT, a_workout(sections=[])) == {"sections"}
    assert fields_of(ROUTINE, a_routine(workouts=[])) == {"workouts"}


def test_name_is_at_most_200_characters() -> None:
    assert SECTION.validate_python(a_section(name="x" * 200)).name == "x" * 200
    assert fields_of(SECTION, a_section(name="x" * 201)) == {"name"}
    assert fields_of(WORKOUT, a_workout(name="x" * 201)) == {"name"}
    assert fields_of(ROUTINE, a_routine(name="x" * 201)) == {"name"}


def test_name_must_not_be_blank() -> None:
    assert fields_of(SECTION, a_section(name="   ")) == {"name"}


def test_notes_are_at_most_5000_characters() -> None:
    SECTION.validate_python(a_section(notes="x" * 5000))
    assert fields_of(SECTION, a_section(notes="x" * 5001)) == {"notes"}
    assert fields_of(SECTION, with_sets(a_set(notes="x" * 5001))) == {"exercises[0].sets[0].notes"}
    assert fields_of(WORKOUT, a_workout(notes="x" * 5001)) == {"notes"}


def test_routine_duration_is_1_to_52_weeks() -> None:
    assert fields_of(ROUTINE, a_routine(duration=0)) == {"duration"}
    assert fields_of(ROUTINE, a_routine(duration=53)) == {"duration"}
    assert ROUTINE.validate_python(a_routine(duration=52)).duration == 52


# Order rewritten from array position


def test_set_numbers_follow_array_order() -> None:
    body = with_sets(a_set(setNumber=7), a_set(setNumber=7), a_set(setNumber=1))
    sets = SECTION.validate_python(body).exercises[0].sets
    assert [s.setNumber for s in sets] == [1, 2, 3]


def test_exercise_order_follows_array_order() -> None:
    body = a_section(exercises=[an_exercise(orderIndex=5), an_exercise(orderIndex=5)])
    assert [e.orderIndex for e in SECTION.validate_python(body).exercises] == [0, 1]


def test_section_order_follows_array_order() -> None:
    body = a_workout(sections=[a_section(orderIndex=3), a_section(orderIndex=0)])
    assert [s.orderIndex for s in WORKOUT.validate_python(body).sections] == [0, 1]


def test_workout_order_follows_array_order() -> None:
    body = a_routine(workouts=[a_workout(orderIndex=9), a_workout(orderIndex=9)])
    assert [w.orderIndex for w in ROUTINE.validate_python(body).workouts] == [0, 1]


# Schedule


@pytest.mark.parametrize(
    ("count", "days"),
    [(1, ["mon"]), (2, ["mon", "thu"]), (3, ["mon", "wed", "fri"])],
)
def test_default_training_days_follow_workout_count(count: int, days: list[str]) -> None:
    routine = ROUTINE.validate_python(a_routine(workouts=[a_workout() for _ in range(count)]))
    assert routine.schedule.trainingDays == days


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_empty_schedule_gets_the_default_like_an_absent_one(count: int) -> None:
    workouts = [a_workout() for _ in range(count)]
    absent = ROUTINE.validate_python(a_routine(workouts=workouts))
    empty = ROUTINE.validate_python(a_routine(workouts=workouts, schedule={}))
    null = ROUTINE.validate_python(a_routine(workouts=workouts, schedule=None))
    assert empty.schedule.trainingDays == absent.schedule.trainingDays
    assert null.schedule.trainingDays == absent.schedule.trainingDays
    assert len(empty.schedule.trainingDays) == count


def test_schedule_with_no_days_or_unknown_fields_is_rejected() -> None:
    assert fields_of(ROUTINE, a_routine(schedule={"trainingDays": []})) == {"schedule.trainingDays"}
    assert fields_of(ROUTINE, a_routine(schedule={"days": ["mon"]})) == {
        "schedule.trainingDays",
        "schedule.days",
    }


def test_given_training_days_are_kept_not_defaulted() -> None:
    routine = ROUTINE.validate_python(a_routine(schedule={"trainingDays": ["sat"]}))
    assert routine.schedule.trainingDays == ["sat"]


def test_training_days_are_returned_in_week_order() -> None:
    routine = ROUTINE.validate_python(
        a_routine(schedule={"trainingDays": ["sun", "wed", "mon", "fri"]})
    )
    assert routine.schedule.trainingDays == ["mon", "wed", "fri", "sun"]


def test_duplicate_training_days_are_rejected() -> None:
    body = a_routine(schedule={"trainingDays": ["mon", "wed", "mon"]})
    assert fields_of(ROUTINE, body) == {"schedule.trainingDays"}


def test_unknown_weekday_is_rejected() -> None:
    body = a_routine(schedule={"trainingDays": ["monday"]})
    assert fields_of(ROUTINE, body) == {"schedule.trainingDays[0]"}


# Unknown fields and discriminators


def test_unknown_fields_are_rejected_at_every_level() -> None:
    assert fields_of(SECTION, a_section(colour="red")) == {"colour"}
    assert fields_of(SECTION, with_sets(a_set(reps=5, repz=6))) == {"exercises[0].sets[0].repz"}
    assert fields_of(WORKOUT, a_workout(colour="red")) == {"colour"}
    assert fields_of(ROUTINE, a_routine(colour="red")) == {"colour"}


def test_wrong_section_type_points_at_type() -> None:
    errors = errors_of(SECTION, a_section("yoga"))
    assert list(errors) == ["type"]
    assert "basic" in errors["type"]


def test_missing_section_type_points_at_type() -> None:
    body = a_section()
    del body["type"]
    assert fields_of(SECTION, body) == {"type"}


def test_wrong_exercise_type_points_at_type() -> None:
    body = a_section(exercises=[an_exercise(), an_exercise("cardio")])
    assert fields_of(SECTION, body) == {"exercises[1].type"}


def test_wrong_nested_section_type_points_at_type() -> None:
    body = a_workout(sections=[a_section(), a_section("yoga")])
    assert fields_of(WORKOUT, body) == {"sections[1].type"}


def test_wrong_workout_type_points_at_type() -> None:
    body = a_routine(workouts=[a_workout(), a_workout("swimming")])
    assert fields_of(ROUTINE, body) == {"workouts[1].type"}


def test_deep_error_path_through_a_routine() -> None:
    workout = a_workout(sections=[a_section(), with_sets(a_set(), {"repType": "fixed"})])
    body = a_routine(workouts=[a_workout(), workout])
    assert fields_of(ROUTINE, body) == {"workouts[1].sections[1].exercises[0].sets[1].reps"}


def test_field_errors_prefix_is_prepended() -> None:
    with pytest.raises(ValidationError) as caught:
        SECTION.validate_python(with_sets({"repType": "fixed"}))
    paths = [e.field for e in field_errors(caught.value, ("workouts", 2, "sections", 0))]
    assert paths == ["workouts[2].sections[0].exercises[0].sets[0].reps"]


# Target pace


@pytest.mark.parametrize("pace", ["4:45/km", "7:30/mi", "12:05/km"])
def test_target_pace_accepts_time_per_unit(pace: str) -> None:
    assert SECTION.validate_python(a_section("tempo", targetPace=pace)).targetPace == pace


@pytest.mark.parametrize(
    "pace",
    ["fast", "4:45", "4:45/KM", "4:75/km", "\uff14:45/km", "\u0664:45/km", "4:45/km\n", " 4:45/km"],
)
def test_target_pace_rejects_other_spellings(pace: str) -> None:
    assert fields_of(SECTION, a_section("tempo", targetPace=pace)) == {"targetPace"}
