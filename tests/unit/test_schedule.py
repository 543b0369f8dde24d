"""Scheduling and assignment moves, without a database."""

from datetime import date

import pytest

from peakhealth.assignments.schedule import (
    check_assignment_move,
    end_date,
    schedule_sessions,
)
from peakhealth.errors import InvalidTransition

MONDAY = date(2026, 11, 23)


def test_twelve_weeks_of_two_workouts_on_mon_wed_fri() -> None:
    planned = schedule_sessions(MONDAY, 12, ["mon", "wed", "fri"], 2)
    assert len(planned) == 36
    assert [p.workoutIndex for p in planned[:6]] == [0, 1, 0, 1, 0, 1]
    assert [p.scheduledDate.isoformat() for p in planned[:4]] == [
        "2026-11-23",
        "2026-11-25",
        "2026-11-27",
        "2026-11-30",
    ]
    assert [p.sequence for p in planned] == list(range(1, 37))
    assert [p.weekIndex for p in planned[:4]] == [1, 1, 1, 2]
    assert planned[-1].weekIndex == 12
    assert planned[-1].scheduledDate <= end_date(MONDAY, 12) == date(2027, 2, 14)


def test_weeks_count_from_the_start_day_not_the_calendar_week() -> None:
    thursday = date(2026, 11, 26)
    planned = schedule_sessions(thursday, 1, ["mon", "thu"], 3)
    assert [(p.scheduledDate.isoformat(), p.weekIndex, p.workoutIndex) for p in planned] == [
        ("2026-11-26", 1, 0),
        ("2026-11-30", 1, 1),
    ]


def test_three_workouts_cycle_over_two_days() -> None:
    planned = schedule_sessions(MONDAY, 3, ["tue", "sat"], 3)
    assert [p.workoutIndex for p in planned] == [0, 1, 2, 0, 1, 2]


def test_no_workouts_schedule_nothing() -> None:
    assert schedule_sessions(MONDAY, 4, ["mon"], 0) == []


@pytest.mark.parametrize(
    ("current", "target", "changes"),
    [
        ("active", "paused", True),
        ("paused", "active", True),
        ("active", "completed", True),
        ("paused", "completed", True),
        ("active", "cancelled", True),
        ("paused", "cancelled", True),
        ("active", "active", False),
        ("cancelled", "cancelled", False),
    ],
)
def test_allowed_moves(current: str, target: str, changes: bool) -> None:
    assert check_assignment_move(current, target) is changes


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("paused", "paused_x"),
        ("active", "scheduled"),
        ("completed", "active"),
        ("cancelled", "active"),
        ("completed", "paused"),
        ("cancelled", "completed"),
        ("completed", "cancelled"),
    ],
)
def test_other_moves_are_invalid(current: str, target: str) -> None:
    with pytest.raises(InvalidTransition):
        check_assignment_move(current, target)
