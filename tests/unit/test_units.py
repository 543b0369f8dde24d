"""Unit conversion (DOMAIN.md section 14), by hand-computed tables: which fields are weights or
distances, both directions, rounding, and the entity tags of the two representations."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peakhealth import units
from peakhealth.http.units import representation_tag, route_tags


@pytest.mark.parametrize(
    ("stored", "unit", "shown"),
    [
        (102.058, "kg", 225.0),  # 102.058 / 0.45359237 = 224.99966
        (100, "kg", 220.46),  # 220.462262
        (2.5, "kg", 5.51),  # 5.511557
        (0, "kg", 0.0),
        (5, "km", 3.11),  # 5 / 1.609344 = 3.106856
        (42.195, "km", 26.22),  # a marathon: 26.218757
        (400, "m", 437.45),  # 400 / 0.9144 = 437.445319
        (100, "m", 109.36),
    ],
)
def test_stored_numbers_shown_in_imperial(stored: float, unit: units.Unit, shown: float) -> None:
    assert units.to_imperial(stored, unit) == shown


@pytest.mark.parametrize(
    ("sent", "unit", "stored"),
    [
        (225, "kg", 102.058),  # 225 x 0.45359237 = 102.05828
        (220.46, "kg", 99.999),  # 99.998990
        (45, "kg", 20.412),  # 20.411657
        (3.11, "km", 5.005),  # 3.11 x 1.609344 = 5.004960
        (26.2, "km", 42.165),  # 42.164813
        (437.45, "m", 400.004),  # 437.45 x 0.9144 = 400.004280
    ],
)
def test_imperial_numbers_stored_in_metric(sent: float, unit: units.Unit, stored: float) -> None:
    assert units.to_metric(sent, unit) == stored


@given(st.integers(min_value=0, max_value=1_000_000), st.sampled_from(["kg", "km", "m"]))
def test_an_imperial_round_trip_shows_the_same_number(thousandths: int, unit: Any) -> None:
    """GET in pounds, PUT back, GET again: the same pounds, whatever was stored."""
    shown = units.to_imperial(thousandths / 1000, unit)
    assert units.to_imperial(units.to_metric(shown, unit), unit) == shown


def test_an_answer_converts_every_weight_and_distance_by_its_field() -> None:
    answer = {
        "id": "s1",
        "weekIndex": 3,
        "workoutSnapshot": {
            "sections": [
                {"type": "tempo", "distance": 5, "duration": "25m", "targetPace": "4:45/km"},
                {"type": "intervals", "workDistance": 400, "rounds": 6},
                {"type": "hill_repeats", "hillLength": 100, "repeats": 8},
                {
                    "type": "basic",
                    "exercises": [
                        {
                            "progression": {"type": "linear", "weightStep": 2.5, "everyWeeks": 1},
                            "sets": [
                                {"reps": 5, "weight": 100, "rpe": 8},
                                {"reps": 5, "weight": 102.058, "prescribedBy": {"maximum": 140}},
                            ],
                        }
                    ],
                },
            ]
        },
        "performanceLog": {
            "sections": [{"metrics": {"distance": 5000, "elevationGain": 100, "duration": 1500}}]
        },
        "roundTo": 2.5,
    }
    shown = units.answer_in("imperial", answer)
    snapshot = shown["workoutSnapshot"]["sections"]
    assert snapshot[0] == {
        "type": "tempo",
        "distance": 3.11,  # km -> mi
        "duration": "25m",
        "targetPace": "4:45/km",  # keeps its own unit
    }
    assert snapshot[1]["workDistance"] == 437.45 and snapshot[1]["rounds"] == 6
    assert snapshot[2]["hillLength"] == 109.36
    exercise = snapshot[3]["exercises"][0]
    assert exercise["progression"] == {"type": "linear", "weightStep": 5.51, "everyWeeks": 1}
    assert exercise["sets"][0] == {"reps": 5, "weight": 220.46, "rpe": 8}
    assert exercise["sets"][1] == {"reps": 5, "weight": 225.0, "prescribedBy": {"maximum": 308.65}}
    # A logged running section's distance is metres (yd), where a tempo section's is km (mi).
    assert shown["performanceLog"]["sections"][0]["metrics"] == {
        "distance": 5468.07,
        "elevationGain": 109.36,
        "duration": 1500,
    }
    assert shown["roundTo"] == 5.51 and shown["weekIndex"] == 3
    assert units.answer_in("metric", answer) is answer  # metric: untouched, not even copied


def test_values_convert_only_where_they_are_weights() -> None:
    answer = {
        "data": [
            {"kind": "oneRepMax", "value": 140},
            {"kind": "bodyweight", "value": 80},
            {"type": "heaviestWeight", "value": 100, "previous": 95},
            {"type": "sessionVolume", "value": 1000, "previous": None},
            {"type": "mostReps", "value": 12, "previous": 10},
            {"type": "strength", "value": 3},
        ]
    }
    assert [
        (item.get("value"), item.get("previous"))
        for item in units.answer_in("imperial", answer)["data"]
    ] == [(308.65, None), (176.37, None), (220.46, 209.44), (2204.62, None), (12, 10), (3, None)]


def test_a_body_is_read_back_to_kilograms_and_leaves_what_validation_must_name() -> None:
    body = {
        "status": "completed",
        "performanceLog": {
            "sections": [
                {
                    "exercises": [
                        {
                            "sets": [
                                {"performance": {"reps": 3, "weight": 225}},
                                {"performance": {"reps": 3, "weight": "225"}},  # a string
                                {"performance": {"reps": 3, "weight": True}},  # a boolean
                                {"performance": {"reps": 3, "weight": None}},
                            ]
                        }
                    ]
                }
            ]
        },
    }
    read = units.read_in("imperial", body)
    sets = read["performanceLog"]["sections"][0]["exercises"][0]["sets"]
    assert [item["performance"]["weight"] for item in sets] == [102.058, "225", True, None]
    assert body["performanceLog"]["sections"][0]["exercises"][0]["sets"][0]["performance"] == {
        "reps": 3,
        "weight": 225,
    }  # the body given is not changed in place


@pytest.mark.parametrize(
    ("etag", "system", "tag"),
    [('"7"', "metric", '"7"'), ('"7"', "imperial", '"7-imperial"'), ("junk", "imperial", "junk")],
)
def test_each_representation_has_its_own_tag(etag: str, system: Any, tag: str) -> None:
    assert representation_tag(etag, system) == tag


@pytest.mark.parametrize(
    ("header", "system", "compared"),
    [
        ('"7-imperial"', "imperial", '"7"'),
        ('"7"', "imperial", '"7-metric"'),  # the metric representation's tag names nothing here
        ('W/"7-imperial", "8"', "imperial", 'W/"7", "8-metric"'),
        ("*", "imperial", "*"),
        ('"7-imperial"', "metric", '"7-imperial"'),  # no revision: never matches
        ('"7"', "metric", '"7"'),
    ],
)
def test_conditional_headers_name_revisions_of_the_request_representation(
    header: str, system: Any, compared: str
) -> None:
    assert route_tags(header, system) == compared


def test_both_sides_of_a_changed_weight_convert() -> None:
    """A version diff names a field's two values: `fields: {weight: {from, to}}`."""
    diff = {
        "changes": [
            {
                "op": "changed",
                "kind": "set",
                "fields": {"weight": {"from": 100, "to": 102.5}, "reps": {"from": 5, "to": 3}},
            }
        ]
    }
    fields = units.answer_in("imperial", diff)["changes"][0]["fields"]
    assert fields == {"weight": {"from": 220.46, "to": 225.97}, "reps": {"from": 5, "to": 3}}
