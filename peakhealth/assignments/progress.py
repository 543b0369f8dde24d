"""An assignment's progress, derived from its sessions (never incremented), and its completion
once every session is resolved."""

from beanie import PydanticObjectId

from peakhealth.assignments.documents import RoutineAssignment
from peakhealth.sessions.documents import RESOLVED, WorkoutSession
from peakhealth.timestamps import utc_now


async def refresh_progress(assignment_id: PydanticObjectId) -> None:
    """Recount the assignment's sessions (one indexed read of their statuses) and store it;
    an active assignment whose sessions are all resolved becomes completed. Idempotent:
    repeating it changes nothing, so concurrent or repeated session updates never double
    count."""
    rows = await (
        WorkoutSession.get_motor_collection()
        .find({"routineAssignmentId": assignment_id}, {"_id": 0, "status": 1, "completedAt": 1})
        .to_list(None)
    )
    done = [row.get("completedAt") for row in rows if row["status"] == "completed"]
    total = len(rows)
    open_ = sum(1 for row in rows if row["status"] not in RESOLVED)
    assignments = RoutineAssignment.get_motor_collection()
    now = utc_now()
    await assignments.update_one(
        {"_id": assignment_id},
        {
            "$set": {
                "progress.completedWorkouts": len(done),
                "progress.totalWorkouts": total,
                "progress.lastWorkoutDate": max((at for at in done if at), default=None),
                "updatedAt": now,
            }
        },
    )
    if total and not open_:
        await assignments.update_one(
            {"_id": assignment_id, "status": "active"},
            {"$set": {"status": "completed", "updatedAt": now}, "$unset": {"liveKey": ""}},
        )
