"""Double progression's targets: hand-computed cases (DOMAIN.md section 13)."""

from typing import Any

import pytest
from bson import ObjectId

from peakhealth.sessions.targets import decide_targets, logged_working_sets

ENTRY, WARMUP, FIRST, SECOND = ObjectId(), ObjectId(), ObjectId(), ObjectId()
SNAPSHOT = {
    "sections": [
        {
            "exercises": [
                {
                    "_id": ENTRY,
                    "progression": {"type": "double", "weightStep": 2.5},
                    "sets": [
                        {"_id": WARMUP, "setType": "warmup", "repType": "fixed", "reps": 10},
                        {
                            "_id": FIRST,
                            "repType": "range",
                            "repsMin": 6,
                            "repsMax": 10,
                            "weight": 50,
                        },
                        {
                            "_id": SECOND,
                            "repType": "range",
                            "repsMin": 6,
                            "repsMax": 10,
                            "weight": 50,
                        },
                    ],
                },
                {"_id": ObjectId(), "sets": [{"_id": ObjectId(), "repType": "fixed", "reps": 5}]},
            ]
        }
    ]
}


def done(*sets: tuple[float, int]) -> list[dict[str, Any]]:
    ids = [FIRST, SECOND]
    return [
        {
            "setId": ids[index],
            "setType": "working",
            "performance": {"weight": weight, "reps": reps},
        }
        for index, (weight, reps) in enumerate(sets)
    ]


@pytest.mark.parametrize(
    ("logged", "round_to", "expected"),
    [
        (None, 2.5, [(50, 6), (50, 6)]),  # never logged: planned weight x repsMin
        (done((50, 10), (50, 10)), 2.5, [(52.5, 6), (52.5, 6)]),  # every set at the top
        (done((50, 10), (50, 10)), 5, [(55, 6), (55, 6)]),  # 52.5 to 5 kg: halves up
        (done((50, 10), (50, 8)), 2.5, [(50, 9), (50, 9)]),  # fewest 8, + 1
        (done((52.5, 10), (50, 10)), 2.5, [(52.5, 6), (52.5, 6)]),  # W is the smallest
        (done((50, 10)), 2.5, [(50, 10), (50, 10)]),  # fewer sets than planned: not reached
        (done((50, 12), (50, 11)), 2.5, [(52.5, 6), (52.5, 6)]),
        (done((50, 9), (50, 9)), 2.5, [(50, 10), (50, 10)]),  # fewest + 1, at most repsMax
    ],
)
def test_targets(
    logged: list[dict[str, Any]] | None, round_to: float, expected: list[tuple[float, int]]
) -> None:
    last = {} if logged is None else {str(ENTRY): logged}
    targets = decide_targets(SNAPSHOT, last, round_to)
    assert [(item["weight"], item["reps"]) for item in targets] == expected
    assert [item["setId"] for item in targets] == [FIRST, SECOND]
    assert {item["exerciseEntryId"] for item in targets} == {ENTRY}


def test_only_working_sets_with_reps_count() -> None:
    log = {
        "sections": [
            {
                "exercises": [
                    {
                        "exerciseEntryId": ENTRY,
                        "sets": [
                            {"setId": WARMUP, "setType": "warmup", "performance": {"reps": 10}},
                            {"setId": FIRST, "setType": "working", "performance": {"reps": 9}},
                            {
                                "setId": SECOND,
                                "setType": "working",
                                "performance": {"duration": 30},
                            },
                        ],
                    }
                ]
            }
        ]
    }
    assert [item["setId"] for item in logged_working_sets(log, str(ENTRY))] == [FIRST]
    assert logged_working_sets(log, str(ObjectId())) == []
    assert logged_working_sets(None, str(ENTRY)) == []
