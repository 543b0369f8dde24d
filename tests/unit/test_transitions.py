"""The session status table (DOMAIN.md section 8), every pair of statuses, and the rules tied to
status: rescheduling and logging."""

from datetime import UTC, datetime
from itertools import product

import pytest

from peakhealth.errors import Conflict, InvalidTransition
from peakhealth.sessions.transitions import (
    SESSION_STATUSES,
    Progress,
    SessionStatus,
    apply_transition,
    check_loggable,
    check_reschedule,
    progress_of,
)

NOW = datetime(2025, 3, 4, 18, 30, tzinfo=UTC)

# Exactly the moves the table allows (staying put is not a move).
ALLOWED: set[tuple[str, str]] = {
    ("scheduled", "in-progress"),
    ("scheduled", "completed"),
    ("scheduled", "skipped"),
    ("scheduled", "cancelled"),
    ("in-progress", "completed"),
    ("in-progress", "cancelled"),
    ("skipped", "scheduled"),
}
PAIRS = [(a, b) for a, b in product(SESSION_STATUSES, SESSION_STATUSES) if a != b]


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_every_move_is_allowed_exactly_when_the_table_lists_it(
    current: SessionStatus, target: SessionStatus
) -> None:
    if (current, target) in ALLOWED:
        assert apply_transition(current, target, NOW)["status"] == target
    else:
        with pytest.raises(InvalidTransition):
            apply_transition(current, target, NOW)


@pytest.mark.parametrize("status", SESSION_STATUSES)
def test_setting_the_status_a_session_has_changes_nothing(status: SessionStatus) -> None:
    assert apply_transition(status, status, NOW) == {}


def test_cancelled_is_final() -> None:
    for target in SESSION_STATUSES:
        if target != "cancelled":
            with pytest.raises(InvalidTransition):
                apply_transition("cancelled", target, NOW)


def test_invalid_transition_is_a_conflict_naming_the_move() -> None:
    with pytest.raises(Conflict, match="completed session cannot become scheduled"):
        apply_transition("completed", "scheduled", NOW)


def test_starting_sets_started_at() -> None:
    assert apply_transition("scheduled", "in-progress", NOW) == {
        "status": "in-progress",
        "startedAt": NOW,
    }


@pytest.mark.parametrize("current", ["scheduled", "in-progress"])
def test_completing_sets_completed_at_and_keeps_started_at(current: SessionStatus) -> None:
    assert apply_transition(current, "completed", NOW) == {
        "status": "completed",
        "completedAt": NOW,
    }


def test_back_to_scheduled_clears_the_attempt() -> None:
    assert apply_transition("skipped", "scheduled", NOW) == {
        "status": "scheduled",
        "startedAt": None,
        "completedAt": None,
    }


@pytest.mark.parametrize(
    ("current", "target"),
    [("scheduled", "skipped"), ("scheduled", "cancelled"), ("in-progress", "cancelled")],
)
def test_skipping_and_cancelling_touch_no_timestamp(
    current: SessionStatus, target: SessionStatus
) -> None:
    assert apply_transition(current, target, NOW) == {"status": target}


@pytest.mark.parametrize("status", SESSION_STATUSES)
def test_only_a_scheduled_session_moves_to_another_day(status: SessionStatus) -> None:
    if status == "scheduled":
        check_reschedule(status)
    else:
        with pytest.raises(Conflict) as raised:
            check_reschedule(status)
        assert not isinstance(raised.value, InvalidTransition)


@pytest.mark.parametrize("status", SESSION_STATUSES)
def test_only_sessions_in_progress_or_completed_take_a_log(status: SessionStatus) -> None:
    if status in ("in-progress", "completed"):
        check_loggable(status)
    else:
        with pytest.raises(Conflict):
            check_loggable(status)


def test_progress_counts_completed_sessions_and_finishes_when_all_are_resolved() -> None:
    earlier, later = datetime(2025, 3, 1, tzinfo=UTC), NOW
    sessions = [
        {"status": "completed", "completedAt": later},
        {"status": "completed", "completedAt": earlier},
        {"status": "skipped"},
        {"status": "scheduled"},
    ]
    progress = progress_of(sessions)
    assert (progress.completed, progress.total, progress.last_completed) == (2, 4, later)
    assert not progress.finished
    assert progress_of(sessions[:3]).finished
    assert progress_of([{"status": "cancelled"}]) == Progress(0, 1, None, finished=True)
    assert not progress_of([]).finished  # nothing scheduled is not done
