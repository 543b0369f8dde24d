"""An assignment's progress, derived from its sessions (never incremented), and its completion
once every session is resolved. It lives with the sessions, whose changes call it, and writes
the assignment through `peakhealth.storage.assignments`: assignments call it too, so sessions
never import assignments (README, "Architecture")."""

from beanie import PydanticObjectId

from peakhealth.sessions.transitions import progress_of
from peakhealth.storage import assignments, sessions
from peakhealth.timestamps import utc_now


async def refresh_progress(assignment_id: PydanticObjectId, user_id: str) -> None:
    """Recount the assignment's sessions and store the count; an active assignment whose
    sessions are all resolved becomes completed. Idempotent: repeating it changes nothing, so
    concurrent or repeated session updates never double count.

    A count read before a concurrent session change must not overwrite a newer one. Each
    refresh first claims the assignment's `progressRound` with a fresh token, then counts, then
    writes only if no later refresh has claimed it since. Every session change calls this after
    its own write, so the refresh with the last claim counted every change and its write is the
    one that lands; an earlier refresh that lost the race writes nothing. No clock is compared.
    Every query names the client (`user_id`), the shard key of both collections."""
    round_ = await assignments.claim_progress_round(assignment_id, user_id)
    if round_ is None:
        return
    progress = progress_of(await sessions.of_assignment(user_id, assignment_id))
    now = utc_now()
    await assignments.record_progress(
        assignment_id,
        user_id,
        round_,
        completed=progress.completed,
        total=progress.total,
        last_completed=progress.last_completed,
        now=now,
    )
    if progress.finished:
        await assignments.complete_if_active(assignment_id, user_id, round_, now=now)
