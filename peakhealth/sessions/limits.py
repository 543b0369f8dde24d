"""How large a session may grow, as pure checks over encoded sizes. A session is its workout's
snapshot plus the client's log; bounding both bounds every session, and so every page of the
calendar (at most MAX_FULL_SESSIONS whole sessions: about 12 MiB at worst, a few KiB per
session in practice)."""

from peakhealth.errors import FieldError, ValidationFailed

KIB = 1024
# A workout of 8 sections of 6 exercises of 5 annotated sets encodes to about 70 KiB.
MAX_SNAPSHOT_BYTES = 128 * KIB
# About a thousand logged sets.
MAX_LOG_BYTES = 128 * KIB
# Whole sessions on one calendar page (summaries: the usual 100).
MAX_FULL_SESSIONS = 50


def check_snapshot_size(size: int, *, field: str, workout: str) -> None:
    """A workout whose snapshot would exceed MAX_SNAPSHOT_BYTES is not scheduled (422)."""
    if size > MAX_SNAPSHOT_BYTES:
        raise ValidationFailed(
            [
                FieldError(
                    field,
                    f"workout {workout!r} is {size // KIB} KiB stored; a session's snapshot"
                    f" holds at most {MAX_SNAPSHOT_BYTES // KIB} KiB: split it into smaller"
                    " workouts",
                )
            ]
        )


def check_log_size(size: int) -> None:
    """A performance log larger than MAX_LOG_BYTES is refused (422)."""
    if size > MAX_LOG_BYTES:
        raise ValidationFailed(
            [
                FieldError(
                    "performanceLog",
                    f"is {size // KIB} KiB stored; a log holds at most {MAX_LOG_BYTES // KIB} KiB",
                )
            ]
        )
