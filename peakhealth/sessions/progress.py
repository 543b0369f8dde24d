"""An assignment's progress, derived from its sessions (never incremented), and its completion
once every session is resolved. It lives with the sessions, whose changes call it, and writes
the assignment through `peakhealth.storage.assignments`: assignments call it too, so sessions
never import assignments (README, "Architecture")."""

from beanie import PydanticObjectId
from bson import ObjectId

from peakhealth.sessions.documents import WorkoutSession
from peakhealth.sessions.transitions import progress_of
from peakhealth.storage.assignments import RoutineAssignment, ended_key
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
    assignments = RoutineAssignment.get_motor_collection()
    round_ = ObjectId()
    claimed = await assignments.update_one(
        {"_id": assignment_id, "userId": user_id}, {"$set": {"progressRound": round_}}
    )
    if claimed.matched_count == 0:
        return
    rows = await (
        WorkoutSession.get_motor_collection()
        .find(
            {"userId": user_id, "routineAssignmentId": assignment_id},
            {"_id": 0, "status": 1, "completedAt": 1},
        )
        .to_list(None)
    )
    progress = progress_of(rows)
    now = utc_now()
    ours = {"_id": assignment_id, "userId": user_id, "progressRound": round_}
    await assignments.update_one(
        ours,
        {
            "$set": {
                "progress.completedWorkouts": progress.completed,
                "progress.totalWorkouts": progress.total,
                "progress.lastWorkoutDate": progress.last_completed,
                "updatedAt": now,
            }
        },
    )
    if progress.finished:
        await assignments.update_one(
            {**ours, "status": "active"},
            {
                "$set": {
                    "status": "completed",
                    "updatedAt": now,
                    "liveKey": ended_key(assignment_id),
                }
            },
        )
