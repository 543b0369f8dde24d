"""A session's status machine (DOMAIN.md section 8) and the rules tied to status: when a session
may be moved to another day, when it takes a performance log, and what its assignment's
sessions' statuses add up to. Pure: no I/O."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from peakhealth.errors import Conflict, InvalidTransition

SessionStatus = Literal["scheduled", "in-progress", "completed", "skipped", "cancelled"]
SESSION_STATUSES: tuple[SessionStatus, ...] = (
    "scheduled",
    "in-progress",
    "completed",
    "skipped",
    "cancelled",
)
# Sessions whose outcome is known: an assignment whose sessions are all resolved is complete.
RESOLVED: frozenset[str] = frozenset({"completed", "skipped", "cancelled"})

# from -> the statuses it may move to. Staying in the same status is not a transition (see
# `apply_transition`); `completed -> completed` is listed because it is how a finished session's
# log, notes and duration are corrected.
TRANSITIONS: dict[SessionStatus, frozenset[SessionStatus]] = {
    "scheduled": frozenset({"in-progress", "completed", "skipped", "cancelled"}),
    "in-progress": frozenset({"completed", "cancelled"}),
    "skipped": frozenset({"scheduled"}),
    "completed": frozenset({"completed"}),
    "cancelled": frozenset(),
}
# Statuses in which a session holds a performance log (and a duration).
LOGGABLE: frozenset[SessionStatus] = frozenset({"in-progress", "completed"})


def apply_transition(
    current: SessionStatus, target: SessionStatus, now: datetime
) -> dict[str, Any]:
    """The stored fields that change when a session in `current` is set to `target` (None clears
    a field). The status it already has changes nothing, so a repeated request is harmless;
    a move outside the table raises InvalidTransition."""
    if target == current:
        return {}
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise InvalidTransition(
            f"a {current} session cannot become {target} (allowed from {current}: {allowed})"
        )
    changes: dict[str, Any] = {"status": target}
    if target == "in-progress":
        changes["startedAt"] = now
    elif target == "completed":
        changes["completedAt"] = now
    elif target == "scheduled":  # back from skipped: nothing of an attempt remains
        changes["startedAt"] = None
        changes["completedAt"] = None
    return changes


def check_reschedule(status: SessionStatus) -> None:
    """Only a session still `scheduled` (after the request's own status change) may move to
    another day or time."""
    if status != "scheduled":
        raise Conflict(f"only a scheduled session can be rescheduled; this one is {status}")


def check_loggable(status: SessionStatus, what: str = "a performance log") -> None:
    """A log (or a duration) is taken only by a session in progress or completed, counting the
    status the same request moves it to."""
    if status not in LOGGABLE:
        raise Conflict(
            f"{what} is accepted only for a session in progress or completed; this one is {status}"
        )


@dataclass(frozen=True)
class Progress:
    """What an assignment's sessions add up to."""

    completed: int
    total: int
    last_completed: datetime | None
    finished: bool  # there are sessions and every one is resolved: the assignment is done


def progress_of(sessions: Iterable[Mapping[str, Any]]) -> Progress:
    """The progress of an assignment from its sessions (`status`, `completedAt`)."""
    rows = list(sessions)
    done = [row.get("completedAt") for row in rows if row["status"] == "completed"]
    unresolved = sum(1 for row in rows if row["status"] not in RESOLVED)
    return Progress(
        completed=len(done),
        total=len(rows),
        last_completed=max((at for at in done if at), default=None),
        finished=bool(rows) and not unresolved,
    )
