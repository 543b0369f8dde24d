"""An assignment's progress, derived from its sessions (never incremented), and its completion
once every session is resolved."""

from beanie import PydanticObjectId
from pymongo import DESCENDING

from peakhealth.assignments.documents import RoutineAssignment
from peakhealth.sessions.documents import RESOLVED, WorkoutSession
from peakhealth.timestamps import utc_now


async def refresh_progress(assignment_id: PydanticObjectId) -> None:
    """Recount the assignment's sessions and store the result; an active assignment whose
    sessions are all resolved becomes completed. Idempotent: repeating it changes nothing, so
    concurrent or repeated session updates never double count."""
    sessions = WorkoutSession.get_motor_collection()
    mine = {"routineAssignmentId": assignment_id}
    total = await sessions.count_documents(mine)
    completed = await sessions.count_documents({**mine, "status": "completed"})
    open_ = await sessions.count_documents({**mine, "status": {"$nin": sorted(RESOLVED)}})
    last = await sessions.find_one(
        {**mine, "status": "completed"},
        {"completedAt": 1},
        sort=[("completedAt", DESCENDING)],
    )
    assignments = RoutineAssignment.get_motor_collection()
    now = utc_now()
    await assignments.update_one(
        {"_id": assignment_id},
        {
            "$set": {
                "progress.completedWorkouts": completed,
                "progress.totalWorkouts": total,
                "progress.lastWorkoutDate": last.get("completedAt") if last else None,
                "updatedAt": now,
            }
        },
    )
    if total and not open_:
        await assignments.update_one(
            {"_id": assignment_id, "status": "active"},
            {"$set": {"status": "completed", "updatedAt": now}, "$unset": {"liveKey": ""}},
        )
