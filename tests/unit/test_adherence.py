"""Adherence (DOMAIN.md section 15) from stored snapshots and logs, checked against numbers worked
out by hand: a session's sets, volume and rest, and an assignment's weeks."""

from datetime import date
from typing import Any

import pytest
from bson import ObjectId

from peakhealth.sessions.adherence import (
    AdherenceCounts,
    assignment_adherence,
    session_adherence,
    set_counts,
)


def planned(set_type: str = "working", **fields: Any) -> dict[str, Any]:
    return {"_id": ObjectId(), "setType": set_type, **fields}


def exercise(*sets: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"_id": ObjectId(), "type": "strength", "sets": list(sets), **fields}


def snapshot(*exercises: dict[str, Any]) -> dict[str, Any]:
    return {"sections": [{"_id": ObjectId(), "exercises": list(exercises)}]}


def done(of: dict[str, Any], **performance: Any) -> dict[str, Any]:
    """The log entry of a planned set, its type as planned (what validation stores)."""
    return {
        "setId": of["_id"],
        "extra": False,
        "setType": of["setType"],
        "performance": performance,
    }


def extra(set_type: str = "working", **performance: Any) -> dict[str, Any]:
    return {"extra": True, "setType": set_type, "performance": performance}


def log(*entries: tuple[dict[str, Any], list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "sections": [
            {
                "exercises": [
                    {"exerciseEntryId": entry["_id"], "sets": sets} for entry, sets in entries
                ]
            }
        ]
    }


# A squat with a warm-up and three working sets (3 min between sets, 4 min after the second,
# 2 min after the exercise), push-ups (a range, no weight, 1 min between sets), curls (a range of
# 10-12 at 20 kg, no rest planned).
WARMUP = planned("warmup", reps=5, weight=60)
S1, S2, S3 = (planned(reps=5, weight=100) for _ in range(3))
S2["restAfter"] = "PT4M"
SQUAT = exercise(WARMUP, S1, S2, S3, restBetweenSets="PT3M", restAfter="PT2M")
P1, P2 = planned(repsMin=8, repsMax=12), planned(repsMin=8, repsMax=12)
PUSH_UPS = exercise(P1, P2, type="bodyweight", restBetweenSets="PT1M")
C1 = planned(repsMin=10, repsMax=12, weight=20)
CURLS = exercise(C1)
PLAN = snapshot(SQUAT, PUSH_UPS, CURLS)


def test_a_session_with_skipped_sets_extras_warmups_and_rests() -> None:
    """Planned: 3 + 2 + 1 sets (the warm-up left out); volume 3 x 5 x 100 + 0 + 10 x 20 = 1700.
    Logged: S1, S2, P1, C1 (4 of 6), one working extra set and one warm-up extra; volume
    500 + 400 + 300 (extra) + 0 + 12 x 20 = 1440. Rest compared on S1 (180 planned, 200 taken),
    S2 (240, 250) and P1 (60, 45); C1 has no planned rest, the warm-up and the extra set do not
    count: 480 planned, 495 taken."""
    performed = log(
        (
            SQUAT,
            [
                done(WARMUP, reps=5, weight=60, restTaken=90),
                done(S1, reps=5, weight=100, restTaken=200),
                done(S2, reps=4, weight=100, restTaken=250),
                extra(reps=3, weight=100, restTaken=60),
                extra("warmup", reps=10, weight=40),
            ],
        ),
        (PUSH_UPS, [done(P1, reps=10, restTaken=45)]),
        (CURLS, [done(C1, reps=12, weight=20, restTaken=30)]),
    )
    assert session_adherence(PLAN, performed).model_dump() == {
        "plannedSets": 6,
        "loggedSets": 4,
        "extraSets": 1,
        "setCompletion": 0.6667,
        "plannedVolume": 1700.0,
        "loggedVolume": 1440.0,
        "volumeRatio": 0.8471,
        "plannedRestSeconds": 480.0,
        "restTakenSeconds": 495.0,
    }


@pytest.mark.parametrize(
    ("plan", "performed", "expected"),
    [
        pytest.param(
            PLAN,
            None,
            {"loggedSets": 0, "setCompletion": 0.0, "loggedVolume": 0.0, "volumeRatio": 0.0},
            id="nothing logged",
        ),
        pytest.param(
            snapshot(exercise(planned("warmup", reps=5, weight=40))),
            None,
            {"plannedSets": 0, "setCompletion": None, "plannedVolume": 0.0, "volumeRatio": None},
            id="only warm-ups planned: no completion, no ratio",
        ),
        pytest.param(
            snapshot(),
            log(),
            {"plannedSets": 0, "setCompletion": None, "volumeRatio": None},
            id="a workout with no sets",
        ),
        pytest.param(
            snapshot(PUSH_UPS),
            log((PUSH_UPS, [done(P1, reps=12), done(P2, reps=9)])),
            {"setCompletion": 1.0, "plannedVolume": 0.0, "volumeRatio": None},
            id="no weight planned: no volume ratio",
        ),
        pytest.param(
            PLAN,
            log((SQUAT, [done(S3, reps=5, weight=100, restTaken=100)])),
            {"plannedRestSeconds": 120.0, "restTakenSeconds": 100.0, "volumeRatio": 0.2941},
            id="the last set rests as the exercise's restAfter",
        ),
        pytest.param(
            PLAN,
            log((SQUAT, [done(S1, reps=5, weight=100)])),
            {"plannedRestSeconds": None, "restTakenSeconds": None, "loggedVolume": 500.0},
            id="no restTaken: no rest compared",
        ),
        pytest.param(
            snapshot(CURLS),
            log((CURLS, [done(C1, reps=11, weight=20, restTaken=75)])),
            {"plannedRestSeconds": None, "plannedVolume": 200.0, "volumeRatio": 1.1},
            id="ranges plan repsMin; no planned rest: not compared",
        ),
        pytest.param(
            snapshot(SQUAT),
            log((SQUAT, [done(S1, reps=5, weight=100), {**done(S2), "setType": "warmup"}])),
            {"loggedSets": 2},
            id="a planned set relabelled warmup in the log still counts as done",
        ),
    ],
)
def test_edge_cases(
    plan: dict[str, Any], performed: dict[str, Any] | None, expected: dict[str, Any]
) -> None:
    found = session_adherence(plan, performed).model_dump()
    assert {name: found[name] for name in expected} == expected


def test_set_counts_read_a_projection() -> None:
    """The report projects only set ids, types and `extra`: the same counts follow."""
    projected = {
        "sections": [
            {"exercises": [{"sets": [{"_id": s["_id"], "setType": s["setType"]} for s in ex]}]}
            for ex in (SQUAT["sets"], PUSH_UPS["sets"])
        ]
    }
    performed = log((SQUAT, [{"setId": S1["_id"]}, {"extra": True, "setType": "working"}]))
    assert set_counts(projected, performed) == (5, 1, 1)


START, END = date(2026, 11, 23), date(2026, 12, 13)  # three weeks from a Monday
TODAY = date(2026, 12, 2)  # the Wednesday of week 2
FULL = log((SQUAT, [done(S) for S in (S1, S2, S3)]))
HALF = log((PUSH_UPS, [done(P1)]))


def row(week: int | None, status: str, day: str, performed: Any = None) -> dict[str, Any]:
    found = {"status": status, "scheduledDate": day, "workoutSnapshot": snapshot(SQUAT)}
    if week is not None:
        found["weekIndex"] = week
    if performed is not None:
        found["performanceLog"] = performed
        found["workoutSnapshot"] = PLAN if performed is HALF else snapshot(SQUAT)
    return found


def test_an_assignment_report_by_week_and_in_total() -> None:
    """Week 1: two completed (3/3 and 1/6) and a skipped one. Week 2: one completed with an
    empty log (0), one scheduled on Monday (missed), one cancelled, one in progress and one
    scheduled today (upcoming, not missed). Week 3: two upcoming, one stored without weekIndex
    (its day tells the week)."""
    rows = [
        row(1, "completed", "2026-11-23", FULL),
        row(1, "completed", "2026-11-25", HALF),
        row(1, "skipped", "2026-11-27"),
        row(2, "completed", "2026-11-30", log()),
        row(2, "scheduled", "2026-12-01"),
        row(2, "cancelled", "2026-12-01"),
        row(2, "in-progress", "2026-12-02"),
        row(2, "scheduled", "2026-12-02"),
        row(3, "scheduled", "2026-12-07"),
        row(None, "scheduled", "2026-12-09"),
    ]
    report = assignment_adherence(ObjectId(), START, END, rows, TODAY)
    zero = {name: 0 for name in AdherenceCounts.model_fields if name != "meanSetCompletion"}
    weeks = [
        (week.week, week.startDate, week.model_dump(exclude={"week", "startDate"}))
        for week in report.weeks
    ]
    assert weeks == [
        (
            1,
            "2026-11-23",
            {**zero, "scheduled": 3, "completed": 2, "skipped": 1, "meanSetCompletion": 0.5833},
        ),
        (
            2,
            "2026-11-30",
            {
                **zero,
                "scheduled": 5,
                "completed": 1,
                "missed": 1,
                "cancelled": 1,
                "inProgress": 1,
                "upcoming": 1,
                "meanSetCompletion": 0.0,
            },
        ),
        (3, "2026-12-07", {**zero, "scheduled": 2, "upcoming": 2, "meanSetCompletion": None}),
    ]
    assert report.total.model_dump() == {
        "scheduled": 10,
        "completed": 3,
        "skipped": 1,
        "cancelled": 1,
        "missed": 1,
        "inProgress": 1,
        "upcoming": 3,
        "meanSetCompletion": 0.3889,  # (1 + 1/6 + 0) / 3, not the mean of the weeks' means
    }
    assert report.today == "2026-12-02"


def test_every_week_of_the_assignment_is_listed_even_without_sessions() -> None:
    report = assignment_adherence(ObjectId(), START, END, [], TODAY)
    assert [week.week for week in report.weeks] == [1, 2, 3]
    assert report.total.scheduled == 0 and report.total.meanSetCompletion is None
