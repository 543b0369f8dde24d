"""Progression rules and loads from a maximum, computed into a week's snapshot: hand-computed
tables (DOMAIN.md section 13)."""

from decimal import Decimal
from typing import Any

import pytest

from peakhealth.assignments.progression import (
    ROUND_TO_CHOICES,
    check_maxima,
    materialize,
    maxima_needed,
    round_load,
)
from peakhealth.errors import ValidationFailed
from peakhealth.plan.progression import rounding_step

SQUAT = "00000000-0000-0000-0000-00000000000a"


def workout(exercise: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "Day",
        "type": "strength",
        "sections": [{"type": "basic", "name": "Main", "exercises": [exercise]}],
    }


def sets_of(computed: dict[str, Any]) -> list[dict[str, Any]]:
    sets: list[dict[str, Any]] = computed["sections"][0]["exercises"][0]["sets"]
    return sets


@pytest.mark.parametrize(
    ("kg", "step", "expected"),
    [
        ("96.75", "2.5", "97.5"),  # 38.7 steps
        ("1.25", "2.5", "2.5"),  # a half goes up
        ("102.5", "5", "105"),
        ("107.5", "5", "110"),
        ("81.9", "2.5", "82.5"),
        ("100", "2.268", "99.792"),  # 5 lb steps, in kg
        ("0.25", "0.5", "0.5"),
    ],
)
def test_round_load_to_nearest_multiple_halves_up(kg: str, step: str, expected: str) -> None:
    assert round_load(Decimal(kg), Decimal(step)) == Decimal(expected)


def test_round_to_takes_kg_steps_and_the_kg_of_pound_steps() -> None:
    assert ROUND_TO_CHOICES == (0.5, 1.0, 1.25, 2.5, 5.0, 0.454, 1.134, 2.268, 4.536)


def test_a_half_is_exact_where_a_float_would_miss_it() -> None:
    # 162.5 x 0.7 is 113.74999999999999 in floats: rounded down to 112.5 there, 115 here.
    assert 162.5 * (70 / 100) < 113.75
    squat = {
        "type": "strength",
        "exerciseId": SQUAT,
        "sets": [{"repType": "fixed", "reps": 3, "percentOfOneRepMax": 70}],
    }
    assert sets_of(materialize(workout(squat), 1, {SQUAT: 162.5}, 2.5))[0]["weight"] == 115


LINEAR = {
    "type": "strength",
    "exerciseId": SQUAT,
    "progression": {
        "type": "linear",
        "weightStep": 2.5,
        "everyWeeks": 1,
        "deload": {"everyWeeks": 4, "percent": 10},
    },
    "sets": [
        {"setType": "warmup", "repType": "fixed", "reps": 8, "weight": 60},
        {"repType": "fixed", "reps": 5, "weight": 100},
        {"repType": "range", "repsMin": 6, "repsMax": 8, "weight": 90},
    ],
}


@pytest.mark.parametrize(
    ("week", "top", "back_off"),
    [
        (1, 100, 90),
        (2, 102.5, 92.5),
        (3, 105, 95),
        (4, 97.5, 87.5),  # 107.5 x 0.9 = 96.75; 97.5 x 0.9 = 87.75
        (5, 110, 100),
        (8, 105, 97.5),  # 117.5 x 0.9 = 105.75; 107.5 x 0.9 = 96.75
        (12, 115, 105),  # 127.5 x 0.9 = 114.75; 117.5 x 0.9 = 105.75
    ],
)
def test_linear_weight_steps_and_deloads(week: int, top: float, back_off: float) -> None:
    computed = sets_of(materialize(workout(LINEAR), week, {}, 2.5))
    assert [item["weight"] for item in computed] == [60, top, back_off]
    assert computed[0] == LINEAR["sets"][0]  # warm-up left as planned
    assert computed[1]["prescribedBy"] == {"rule": "linear", "week": week}
    assert computed[1]["reps"] == 5


def test_linear_reps_step_every_two_weeks_moves_both_bounds() -> None:
    exercise = {
        **LINEAR,
        "progression": {"type": "linear", "repsStep": 1, "everyWeeks": 2},
    }
    week_five = sets_of(materialize(workout(exercise), 5, {}, 2.5))  # k = 2
    assert (week_five[1]["reps"], week_five[1]["weight"]) == (7, 100)
    assert (week_five[2]["repsMin"], week_five[2]["repsMax"]) == (8, 10)
    assert week_five[0]["reps"] == 8


WAVE_531 = {
    "type": "wave",
    "trainingMaxPercent": 90,
    "cycleIncrement": 5,
    "weeks": [
        [{"percentOfOneRepMax": p, "reps": 5} for p in (65, 75, 85)],
        [{"percentOfOneRepMax": p, "reps": 3} for p in (70, 80, 90)],
        [
            {"percentOfOneRepMax": 75, "reps": 5},
            {"percentOfOneRepMax": 85, "reps": 3},
            {"percentOfOneRepMax": 95, "reps": 1},
        ],
        [{"percentOfOneRepMax": p, "reps": 5} for p in (40, 50, 60)],
    ],
}
# 1RM 140: training max 126 in cycle 1, 131 in cycle 2; loads rounded to 2.5 kg.
WAVE_TABLE = {
    1: ([82.5, 95, 107.5], [5, 5, 5], 126),
    2: ([87.5, 100, 112.5], [3, 3, 3], 126),
    3: ([95, 107.5, 120], [5, 3, 1], 126),
    4: ([50, 62.5, 75], [5, 5, 5], 126),
    5: ([85, 97.5, 112.5], [5, 5, 5], 131),
    6: ([92.5, 105, 117.5], [3, 3, 3], 131),
    7: ([97.5, 112.5, 125], [5, 3, 1], 131),
    8: ([52.5, 65, 77.5], [5, 5, 5], 131),
}


@pytest.mark.parametrize("week", sorted(WAVE_TABLE))
def test_five_three_one_wave_over_two_cycles(week: int) -> None:
    squat = {
        "type": "strength",
        "exerciseId": SQUAT,
        "progression": WAVE_531,
        "sets": [
            {"setType": "warmup", "repType": "range", "repsMin": 3, "repsMax": 5},
            {"repType": "max"},
            {"repType": "fixed", "reps": 1, "weight": 20},
        ],
    }
    weights, reps, maximum = WAVE_TABLE[week]
    computed = sets_of(materialize(workout(squat), week, {SQUAT: 140}, 2.5))
    assert [item["weight"] for item in computed] == weights
    assert [item["reps"] for item in computed] == reps
    assert {item["repType"] for item in computed} == {"fixed"}
    assert "repsMin" not in computed[0]
    assert all(
        item["prescribedBy"] == {"rule": "wave", "week": week, "maximum": maximum}
        for item in computed
    )


def test_percentage_replaces_the_planned_weight_and_names_the_maximum() -> None:
    squat = {
        "type": "strength",
        "exerciseId": SQUAT,
        "sets": [
            {"repType": "fixed", "reps": 5, "weight": 50, "percentOfOneRepMax": 70},
            {"repType": "fixed", "reps": 5, "weight": 50},
        ],
    }
    computed = sets_of(materialize(workout(squat), 3, {SQUAT: 150}, 2.5))
    assert computed[0]["weight"] == 105
    assert computed[0]["prescribedBy"] == {"rule": "percentage", "week": 3, "maximum": 150}
    assert computed[1] == squat["sets"][1]  # type: ignore[index]


@pytest.mark.parametrize("rule", [LINEAR["progression"], WAVE_531])
def test_materialize_leaves_the_stored_workout_as_it_was(rule: dict[str, Any]) -> None:
    stored = workout({**LINEAR, "progression": rule})
    before = repr(stored)
    materialize(stored, 6, {SQUAT: 140}, 2.5)
    assert repr(stored) == before


def test_missing_maxima_are_all_named() -> None:
    bench = "00000000-0000-0000-0000-00000000000b"
    needed = maxima_needed(
        [
            workout({**LINEAR, "progression": WAVE_531}),
            workout(
                {
                    "type": "strength",
                    "exerciseId": bench,
                    "sets": [{"repType": "fixed", "reps": 5, "percentOfOneRepMax": 70}],
                }
            ),
            workout(LINEAR),
        ]
    )
    assert set(needed) == {SQUAT, bench}
    with pytest.raises(ValidationFailed) as failed:
        check_maxima(needed, {})
    assert len(failed.value.errors) == 2
    assert all(SQUAT in error.message or bench in error.message for error in failed.value.errors)
    check_maxima(needed, {SQUAT: 100, bench: 80})


def test_stored_numbers_are_taken_as_written_not_as_their_binary_value() -> None:
    # 100.1 + 0.15 = 100.25, half a 0.5 kg step: up to 100.5. Their binary values are a hair
    # below 100.1 and 0.15, and would round down to 100.
    planned, step = 100.1, 0.15
    assert Decimal(planned) + Decimal(step) < Decimal("100.25")
    squat = {
        "type": "strength",
        "exerciseId": SQUAT,
        "progression": {"type": "linear", "weightStep": step},
        "sets": [{"repType": "fixed", "reps": 5, "weight": planned}],
    }
    assert sets_of(materialize(workout(squat), 2, {}, 0.5))[0]["weight"] == 100.5


@pytest.mark.parametrize(
    ("pounds", "round_to", "shown"),
    [(300, 0.454, 300.0), (135, 4.536, 140.0), (405, 4.536, 410.0), (132.4, 1.134, 132.5)],
)
def test_a_pound_step_rounds_to_whole_pounds(pounds: float, round_to: float, shown: float) -> None:
    """A pound `roundTo` arrives as its kg to the gram; loads still come out in whole steps of
    the exact pound (halves up), so an imperial client reads 300 lb, not 300.27."""
    kg = round_load(Decimal(repr(pounds)) * Decimal("0.45359237"), rounding_step(round_to))
    assert round(float(kg) / 0.45359237, 2) == shown
