"""Personal records (peakhealth.metrics.records) against hand-computed tables: Epley, the best of
each type in one session's log (warm-ups excluded, extra sets without setId), what beats the
stored records, what a correction lowers, and the best of a history."""

from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId

from peakhealth.metrics.records import (
    PersonalRecord,
    best_of_history,
    epley,
    improvements,
    lowered,
    session_records,
)

SQUAT, BACK, FRONT = "squat", "back-squat", "front-squat"
PUSH_UP, PUSH_UP_VARIANT = "push-up", "push-up-standard"
SESSION = ObjectId("6b153d571208ac42e8918059")
EARLIER = ObjectId("6b153d571208ac42e8918050")
DONE = datetime(2026, 11, 23, 8, 20, tzinfo=UTC)
BEFORE = datetime(2026, 11, 16, 8, 20, tzinfo=UTC)
SET_IDS = [ObjectId() for _ in range(4)]


@pytest.mark.parametrize(
    ("weight", "reps", "expected"),
    [
        (100, 1, 100),
        (100, 2, 106.667),
        (100, 3, 110),
        (60, 5, 70),
        (100, 10, 133.333),
        (100, 12, 140),
        (100, 13, None),
        (100, 0, None),
    ],
)
def test_epley(weight: float, reps: int, expected: float | None) -> None:
    found = epley(weight, reps)
    assert (None if found is None else round(found, 3)) == expected


def logged(
    set_type: str, reps: int | None, weight: float | None, set_id: ObjectId | None
) -> dict[str, Any]:
    performance = {key: value for key, value in (("reps", reps), ("weight", weight)) if value}
    item: dict[str, Any] = {"setType": set_type, "performance": performance}
    return {**item, "setId": set_id} if set_id else {**item, "extra": True}


def log_of(*exercises: tuple[str, str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "sections": [
            {
                "sectionId": str(ObjectId()),
                "exercises": [
                    {"exerciseId": e, "exerciseVariantId": v, "sets": sets}
                    for e, v, sets in exercises
                ],
            }
        ]
    }


SQUAT_SETS = [
    logged("warmup", 10, 60, SET_IDS[0]),  # counts nowhere, though it has the most reps
    logged("working", 5, 100, SET_IDS[1]),  # e1RM 116.667, volume 500
    logged("working", 3, 110, SET_IDS[2]),  # e1RM 121, volume 330
    logged("working", 8, 90, None),  # extra: e1RM 114, volume 720, 8 reps
]
LOG = log_of(
    (SQUAT, BACK, SQUAT_SETS),
    (SQUAT, FRONT, [logged("working", 20, 50, SET_IDS[3])]),  # no e1RM beyond 12 reps
    (PUSH_UP, PUSH_UP_VARIANT, [logged("working", 12, None, SET_IDS[0])]),  # no weight
)


def test_the_best_of_each_type_in_one_session() -> None:
    found = session_records(LOG, SESSION, DONE)
    table = {key: (record.value, record.setId) for key, record in found.items()}
    assert table == {
        (SQUAT, BACK, "estimatedOneRepMax"): (121.0, SET_IDS[2]),
        (SQUAT, BACK, "heaviestWeight"): (110, SET_IDS[2]),
        (SQUAT, BACK, "bestSetVolume"): (720, None),  # the extra set: no setId
        (SQUAT, BACK, "sessionVolume"): (1550, None),  # 500 + 330 + 720, the warm-up left out
        (SQUAT, BACK, "mostReps"): (8, None),
        (SQUAT, FRONT, "heaviestWeight"): (50, SET_IDS[3]),
        (SQUAT, FRONT, "bestSetVolume"): (1000, SET_IDS[3]),
        (SQUAT, FRONT, "sessionVolume"): (1000, None),
        (SQUAT, FRONT, "mostReps"): (20, SET_IDS[3]),
        (PUSH_UP, PUSH_UP_VARIANT, "mostReps"): (12, SET_IDS[0]),
    }
    assert all(r.sessionId == SESSION and r.achievedAt == DONE for r in found.values())


def test_equal_sets_leave_the_record_with_the_first() -> None:
    sets = [logged("working", 5, 100, SET_IDS[1]), logged("working", 5, 100, SET_IDS[2])]
    found = session_records(log_of((SQUAT, BACK, sets)), SESSION, DONE)
    assert found[(SQUAT, BACK, "heaviestWeight")].setId == SET_IDS[1]


def test_only_warm_ups_or_no_log_set_nothing() -> None:
    assert session_records(log_of((SQUAT, BACK, [SQUAT_SETS[0]])), SESSION, DONE) == {}
    assert session_records(None, SESSION, DONE) == {}


def record(kind: str, value: float, session: ObjectId = EARLIER, variant: str = BACK) -> Any:
    return PersonalRecord(
        type=kind,  # type: ignore[arg-type]
        exerciseId=SQUAT,
        exerciseVariantId=variant,
        value=value,
        sessionId=session,
        achievedAt=BEFORE,
    )


def test_only_better_candidates_improve_with_the_value_they_beat() -> None:
    candidates = session_records(log_of((SQUAT, BACK, SQUAT_SETS)), SESSION, DONE)
    stored = [
        record("estimatedOneRepMax", 125),  # better than 121: stays
        record("heaviestWeight", 110),  # equal: the first to reach it keeps it
        record("bestSetVolume", 700),  # 720 beats it
        record("mostReps", 12, variant=FRONT),  # another variant: no bearing
    ]
    better = improvements(candidates, {item.key: item for item in stored})
    assert {(item.type, item.value, item.previous) for item in better} == {
        ("bestSetVolume", 720, 700),
        ("sessionVolume", 1550, None),
        ("mostReps", 8, None),
    }


def test_a_correction_lowers_the_records_the_session_held_and_no_longer_reaches() -> None:
    corrected = session_records(log_of((SQUAT, BACK, SQUAT_SETS[1:2])), SESSION, DONE)  # 100x5
    stored = [
        record("heaviestWeight", 110, SESSION),  # now 100: lowered
        record("bestSetVolume", 720, SESSION),  # now 500: lowered
        record("mostReps", 5, SESSION),  # still 5: kept
        record("estimatedOneRepMax", 130),  # another session's: not this correction's
        record("mostReps", 20, SESSION, variant=FRONT),  # the variant is gone: lowered
    ]
    assert lowered(stored, corrected, SESSION) == {
        (SQUAT, BACK, "heaviestWeight"),
        (SQUAT, BACK, "bestSetVolume"),
        (SQUAT, FRONT, "mostReps"),
    }


def test_the_best_of_a_history_takes_the_earliest_of_equal_values() -> None:
    sessions = [  # newest first, as the history index reads them
        {"_id": SESSION, "completedAt": DONE, "performanceLog": LOG},
        {
            "_id": EARLIER,
            "completedAt": BEFORE,
            "performanceLog": log_of(
                (SQUAT, BACK, [logged("working", 1, 120, SET_IDS[1])]),
                (SQUAT, FRONT, [logged("working", 20, 50, SET_IDS[3])]),
            ),
        },
    ]
    best = best_of_history(sessions, SQUAT)
    table = {key: (item.value, item.sessionId) for key, item in best.items()}
    assert table[(SQUAT, BACK, "heaviestWeight")] == (120, EARLIER)
    assert table[(SQUAT, BACK, "estimatedOneRepMax")] == (121.0, SESSION)
    assert table[(SQUAT, FRONT, "mostReps")] == (20, EARLIER)  # equal: the earlier
    assert table[(SQUAT, BACK, "sessionVolume")] == (1550, SESSION)
    assert all(key[0] == SQUAT for key in best)  # push-ups are another exercise
