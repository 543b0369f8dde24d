"""Examples for the OpenAPI document, keyed by operationId: one story told through every
operation. A trainer builds a section, a workout and a template routine; a client copies the
template, gets it assigned, trains and logs. Bodies are ones the service accepts and answers are
what it answers to them (recorded from a run, ids and times made readable). The contract tests
validate each against its schema and send the create bodies to the service."""

from typing import Any

TRAINER = "2c03692b-9fb9-4df5-bfbf-05d8475efc08"
CLIENT = "077ed5b5-aa20-40f5-a429-377803754c44"
SQUAT: dict[str, Any] = {
    "exerciseId": "f2a91df2-4c31-5add-9e8a-15c61a54dbbb",  # bundled catalog: Squat
    "exerciseVariantId": "b6657115-eeb4-5a08-b08c-00f64e093774",  # Barbell Back Squat
}

SECTION_V1 = "6b153d571208ac42e891803f"
SECTION_COPY = "6b153d571208ac42e8918046"
WORKOUT = "6b153d571208ac42e891804e"
TEMPLATE = "6b153d571208ac42e8918054"
ROUTINE = "6b153d571208ac42e8918055"
NEW_ROUTINE = "6b153d571208ac42e8918078"
ASSIGNMENT = "6b153d571208ac42e8918058"
UPGRADED = "6b153d571208ac42e8918067"
SESSION = "6b153d571208ac42e8918059"
OWN_SESSION = "6b153d571208ac42e8918065"

LIBRARY_TIME = "2026-11-20T09:00:00.000Z"
TEMPLATE_TIME = "2026-11-20T09:30:00.000Z"
COPY_TIME = "2026-11-21T18:05:00.000Z"
ASSIGNED_TIME = "2026-11-21T10:00:00.000Z"
TRAINED_TIME = "2026-11-23T08:20:00.000Z"

# ----- request bodies --------------------------------------------------------------------------

SQUAT_ENTRY: dict[str, Any] = {
    "type": "strength",
    **SQUAT,
    "restBetweenSets": "3m",
    "sets": [
        {"repType": "fixed", "reps": 5, "weight": 100},
        {"repType": "fixed", "reps": 5, "weight": 100},
    ],
}
SECTION_BODY: dict[str, Any] = {
    "type": "basic",
    "name": "Main lifts",
    "isPublic": True,
    "tags": ["strength"],
    "exercises": [SQUAT_ENTRY],
}
WORKOUT_BODY: dict[str, Any] = {
    "name": "Day A",
    "type": "strength",
    "objective": "Squat heavy",
    "isPublic": True,
    "tags": ["full-body"],
    # A section is given whole, as here, or as the id of a library section version.
    "sections": [{"type": "basic", "name": "Squat day", "exercises": [SQUAT_ENTRY]}],
}
ROUTINE_FIELDS: dict[str, Any] = {
    "name": "Strength block",
    "description": "Three full-body sessions a week.",
    "difficulty": "intermediate",
    "goal": "strength",
    "duration": 6,
    "schedule": {"trainingDays": ["mon", "thu"]},
}
TEMPLATE_BODY: dict[str, Any] = {
    **ROUTINE_FIELDS,
    "isPublic": True,
    "allowCopy": True,
    "tags": ["strength"],
    # A workout is given whole, as here, or as the id of a library workout version.
    "workouts": [{k: v for k, v in WORKOUT_BODY.items() if k not in ("isPublic", "tags")}],
}
ROUTINE_BODY: dict[str, Any] = {
    "name": "Leg day block",
    "difficulty": "beginner",
    "goal": "strength",
    "duration": 4,
    "workouts": [
        {
            "name": "Leg day",
            "type": "strength",
            "sections": [
                {
                    "type": "basic",
                    "name": "Squats",
                    "exercises": [
                        {"type": "strength", **SQUAT, "sets": [{"repType": "fixed", "reps": 5}]}
                    ],
                }
            ],
        }
    ],
}

# ----- answers ---------------------------------------------------------------------------------


def page(*items: Any, limit: int = 20) -> dict[str, Any]:
    return {
        "data": list(items),
        "pagination": {
            "currentPage": 1,
            "pageSize": limit,
            "totalItems": len(items),
            "totalPages": 1,
            "hasNextPage": False,
            "hasPrevPage": False,
        },
    }


def summary(document: dict[str, Any], tree: str, **counts: int) -> dict[str, Any]:
    """A list item: the document without its tree, with the tree's counts."""
    shown = {key: value for key, value in document.items() if key != tree}
    return {**shown, "counts": {"workouts": 0, "sections": 0, "exercises": 0, "sets": 0, **counts}}


def squat_read(entry: str, *sets: str) -> dict[str, Any]:
    """The squat entry as stored: ids given, catalog names filled in, the rest in ISO 8601."""
    return {
        "id": entry,
        "type": "strength",
        **SQUAT,
        "orderIndex": 0,
        "exerciseName": "Squat",
        "variantName": "Barbell Back Squat",
        "restBetweenSets": "PT3M",
        "sets": [
            {
                "id": set_id,
                "setNumber": number,
                "setType": "working",
                "repType": "fixed",
                "reps": 5,
                "weight": 100.0,
            }
            for number, set_id in enumerate(sets, 1)
        ],
    }


def version(id: str, number: int, *, tags: list[str], at: str, **more: Any) -> dict[str, Any]:
    """The chain fields of a version created by the trainer."""
    return {
        "id": id,
        "version": number,
        "isLatest": True,
        "isArchived": False,
        "createdBy": TRAINER,
        "isPublic": True,
        "tags": tags,
        **more,
        "revision": 1,
        "schemaVersion": 2,
        "createdAt": at,
        "updatedAt": at,
    }


SECTION_VERSION: dict[str, Any] = {
    **version(SECTION_V1, 1, tags=["strength"], at=LIBRARY_TIME),
    "type": "basic",
    "name": "Main lifts",
    "exercises": [
        squat_read(
            "6b153d571208ac42e891803c", "6b153d571208ac42e891803d", "6b153d571208ac42e891803e"
        )
    ],
    "parentSectionId": SECTION_V1,
}


def fork(first: dict[str, Any], id: str, parent: str) -> dict[str, Any]:
    """A private copy of version 1 starting a chain of its own; the elements keep their ids."""
    copied = {"id": first["id"], "version": 1}
    return {
        **first,
        **version(id, 1, tags=first["tags"], at=COPY_TIME, copiedFrom=copied),
        "isPublic": False,
        parent: id,
    }


SECTION_FORK = fork(SECTION_VERSION, SECTION_COPY, "parentSectionId")
SECTION_COUNTS = {"exercises": 1, "sets": 2}

WORKOUT_SECTION: dict[str, Any] = {
    "id": "6b153d571208ac42e891804a",
    "type": "basic",
    "name": "Squat day",
    "orderIndex": 0,
    "exercises": [
        squat_read(
            "6b153d571208ac42e891804b", "6b153d571208ac42e891804c", "6b153d571208ac42e891804d"
        )
    ],
}
WORKOUT_VERSION: dict[str, Any] = {
    **version(WORKOUT, 1, tags=["full-body"], at=LIBRARY_TIME),
    "name": "Day A",
    "type": "strength",
    "objective": "Squat heavy",
    "sections": [WORKOUT_SECTION],
    "parentWorkoutId": WORKOUT,
}
WORKOUT_FORK = fork(WORKOUT_VERSION, "6b153d571208ac42e8918070", "parentWorkoutId")
WORKOUT_COUNTS = {"sections": 1, "exercises": 1, "sets": 2}

# The template's workout, as copied into routines and session snapshots (ids kept).
PLANNED_SECTION: dict[str, Any] = {
    **WORKOUT_SECTION,
    "id": "6b153d571208ac42e8918050",
    "exercises": [
        squat_read(
            "6b153d571208ac42e8918051", "6b153d571208ac42e8918052", "6b153d571208ac42e8918053"
        )
    ],
}
PLANNED_WORKOUT: dict[str, Any] = {
    "id": "6b153d571208ac42e891804f",
    "name": "Day A",
    "type": "strength",
    "orderIndex": 0,
    "objective": "Squat heavy",
    "sections": [PLANNED_SECTION],
}
ROUTINE_CONTENT = {**ROUTINE_FIELDS, "objectives": [], "workouts": [PLANNED_WORKOUT]}
TEMPLATE_VERSION: dict[str, Any] = {
    **version(TEMPLATE, 1, tags=["strength"], at=TEMPLATE_TIME),
    **ROUTINE_CONTENT,
    "templateType": "trainer",
    "allowCopy": True,
    "parentRoutineId": TEMPLATE,
    "routineType": "template",
}
ROUTINE_COUNTS = {"workouts": 1, "sections": 1, "exercises": 1, "sets": 2}

USER_ROUTINE: dict[str, Any] = {
    "id": ROUTINE,
    "routineType": "user-created",
    "userId": CLIENT,
    "isActive": False,
    "isFavorite": False,
    "completedWorkouts": 0,
    "totalWorkouts": 0,
    "copiedFrom": {"id": TEMPLATE, "version": 1},
    "revision": 1,
    "schemaVersion": 2,
    "createdAt": COPY_TIME,
    "updatedAt": COPY_TIME,
    **ROUTINE_CONTENT,
}
CHANGED_ROUTINE: dict[str, Any] = {
    **USER_ROUTINE,
    "updatedAt": "2026-11-21T18:10:00.000Z",
    "name": "My strength block",
    "description": "Mornings before work",
}
NEW_USER_ROUTINE: dict[str, Any] = {
    **{
        key: value
        for key, value in USER_ROUTINE.items()
        if key not in ("copiedFrom", "description")
    },
    "id": NEW_ROUTINE,
    **{key: value for key, value in ROUTINE_BODY.items() if key != "workouts"},
    "objectives": [],
    "schedule": {"trainingDays": ["mon"]},
    "workouts": [
        {
            "id": "6b153d571208ac42e8918074",
            "name": "Leg day",
            "type": "strength",
            "orderIndex": 0,
            "sections": [
                {
                    "id": "6b153d571208ac42e8918075",
                    "type": "basic",
                    "name": "Squats",
                    "orderIndex": 0,
                    "exercises": [
                        {  # fields left out of the body are left out of the answer
                            "id": "6b153d571208ac42e8918076",
                            "type": "strength",
                            **SQUAT,
                            "orderIndex": 0,
                            "exerciseName": "Squat",
                            "variantName": "Barbell Back Squat",
                            "sets": [
                                {
                                    "id": "6b153d571208ac42e8918077",
                                    "setNumber": 1,
                                    "setType": "working",
                                    "repType": "fixed",
                                    "reps": 5,
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    ],
}

ASSIGNMENT_VIEW: dict[str, Any] = {
    "id": ASSIGNMENT,
    "routineVersionId": TEMPLATE,
    "parentRoutineId": TEMPLATE,
    "userId": CLIENT,
    "trainerId": TRAINER,
    "assignedBy": TRAINER,
    "assignedAt": ASSIGNED_TIME,
    "startDate": "2026-11-23",
    "endDate": "2027-01-03",
    "trainingDays": ["mon", "thu"],
    "scheduledTime": "07:30",
    "status": "active",
    "notesForUser": "Film your squats.",
    "progress": {"completedWorkouts": 0, "totalWorkouts": 12},
    "revision": 1,
    "schemaVersion": 1,
    "createdAt": ASSIGNED_TIME,
    "updatedAt": ASSIGNED_TIME,
}
UPGRADED_ASSIGNMENT: dict[str, Any] = {
    **ASSIGNMENT_VIEW,
    "id": UPGRADED,
    "assignedAt": "2026-11-28T12:00:00.000Z",
    "startDate": "2026-11-30",
    "endDate": "2027-01-10",
    "replacesAssignmentId": ASSIGNMENT,
    "createdAt": "2026-11-28T12:00:00.000Z",
    "updatedAt": "2026-11-28T12:00:00.000Z",
}

SNAPSHOT = {key: PLANNED_WORKOUT[key] for key in ("name", "type", "objective", "sections")}
SCHEDULED_SESSION: dict[str, Any] = {
    "id": SESSION,
    "userId": CLIENT,
    "trainerId": TRAINER,
    "routineAssignmentId": ASSIGNMENT,
    "parentRoutineId": TEMPLATE,
    "routineVersionId": TEMPLATE,
    "workoutId": PLANNED_WORKOUT["id"],
    "scheduledDate": "2026-11-23",
    "scheduledTime": "07:30",
    "weekIndex": 1,
    "sequence": 1,
    "status": "scheduled",
    "revision": 1,
    "schemaVersion": 1,
    "createdAt": ASSIGNED_TIME,
    "updatedAt": ASSIGNED_TIME,
    "workoutSnapshot": SNAPSHOT,
}
PLANNED_SETS = PLANNED_SECTION["exercises"][0]["sets"]
LOG_BODY: dict[str, Any] = {
    "sections": [
        {
            "sectionId": PLANNED_SECTION["id"],
            "exercises": [
                {
                    "exerciseEntryId": PLANNED_SECTION["exercises"][0]["id"],
                    "sets": [
                        {
                            "setId": planned["id"],
                            "performance": {"reps": 5, "weight": 100, "restTaken": 170},
                        }
                        for planned in PLANNED_SETS
                    ],
                }
            ],
        }
    ]
}
COMPLETED_SESSION: dict[str, Any] = {
    **SCHEDULED_SESSION,
    "status": "completed",
    "startedAt": "2026-11-23T07:31:00.000Z",
    "completedAt": TRAINED_TIME,
    "durationMinutes": 49,
    "updatedAt": TRAINED_TIME,
    "performanceLog": {
        "sections": [
            {
                "sectionId": PLANNED_SECTION["id"],
                "exercises": [
                    {
                        "exerciseEntryId": PLANNED_SECTION["exercises"][0]["id"],
                        **SQUAT,
                        "sets": [
                            {
                                "setId": planned["id"],
                                "extra": False,
                                "setType": "working",
                                "performance": {"reps": 5, "weight": 100.0, "restTaken": 170.0},
                            }
                            for planned in PLANNED_SETS
                        ],
                    }
                ],
            }
        ]
    },
    # Both sets done; the rest planned after them: 3 min between sets, none after the last.
    "adherence": {
        "plannedSets": 2,
        "loggedSets": 2,
        "extraSets": 0,
        "setCompletion": 1.0,
        "plannedVolume": 1000.0,
        "loggedVolume": 1000.0,
        "volumeRatio": 1.0,
        "plannedRestSeconds": 180.0,
        "restTakenSeconds": 170.0,
    },
}
OWN_SESSION_VIEW: dict[str, Any] = {
    "id": OWN_SESSION,
    "userId": CLIENT,
    "parentRoutineId": ROUTINE,
    "routineId": ROUTINE,
    "workoutId": PLANNED_WORKOUT["id"],
    "scheduledDate": "2026-11-24",
    "status": "scheduled",
    "revision": 1,
    "schemaVersion": 1,
    "createdAt": COPY_TIME,
    "updatedAt": COPY_TIME,
    "workoutSnapshot": SNAPSHOT,
}

SQUAT_EXERCISE: dict[str, Any] = {
    "id": SQUAT["exerciseId"],
    "name": "Squat",
    "category": "Strength",
    "description": "Knee- and hip-dominant squat pattern: sit between the heels, keep the trunk"
    " braced, stand back up.",
    "alternativeNames": ["Back Squat", "Barbell Squat"],
    "tags": ["legs", "compound"],
    "mainVariantId": SQUAT["exerciseVariantId"],
    "variants": [
        {
            "id": SQUAT["exerciseVariantId"],
            "name": "Barbell Back Squat",
            "description": "High-bar position: the bar sits on the upper traps, torso stays"
            " fairly upright, squat to full depth.",
            "difficulty": "Intermediate",
            "equipment": ["barbell", "rack"],
            "muscleGroups": ["quadriceps", "glutes"],
            "secondaryMuscles": ["hamstrings", "core"],
            "isUnilateral": False,
        },
        {
            "id": "d01d92b9-cc16-5a29-b095-1bff099188fe",
            "name": "Goblet Squat",
            "description": "Hold one dumbbell or kettlebell at the chest; elbows track inside the"
            " knees at the bottom.",
            "difficulty": "Beginner",
            "equipment": ["dumbbell"],
            "muscleGroups": ["quadriceps", "glutes"],
            "secondaryMuscles": ["core"],
            "isUnilateral": False,
        },
    ],
}
HISTORY: dict[str, Any] = {
    "data": [
        {
            "sessionId": SESSION,
            "date": TRAINED_TIME,
            "exerciseVariantId": SQUAT["exerciseVariantId"],
            "sets": [
                {
                    "setId": planned["id"],
                    "extra": False,
                    "setType": "working",
                    "reps": 5,
                    "weight": 100.0,
                }
                for planned in PLANNED_SETS
            ],
            "topSet": {"setId": PLANNED_SETS[0]["id"], "reps": 5, "weight": 100.0},
            "volume": 1000.0,
        }
    ]
}


def new_ids(tree: Any, offset: int) -> Any:
    """`tree` with every element id moved by `offset`: a new version's elements get new ids."""
    if isinstance(tree, list):
        return [new_ids(item, offset) for item in tree]
    if not isinstance(tree, dict):
        return tree
    return {
        key: f"{int(value, 16) + offset:024x}" if key == "id" else new_ids(value, offset)
        for key, value in tree.items()
    }


def _chain(
    noun: str,
    body: dict[str, Any],
    first: dict[str, Any],
    *,
    tree: str,
    counts: dict[str, int],
    parent: str,
    **more: Any,
) -> dict[str, dict[str, Any]]:
    """The examples of the operations every version chain has: `first` is version 1, and a
    version 2 is published from `body`."""
    at = "2026-11-22T11:00:00.000Z"
    second = {
        **first,
        **version(f"{int(first['id'], 16) + 0x40:024x}", 2, tags=first["tags"], at=at),
        tree: new_ids(first[tree], 0x40),
        parent: first["id"],
    }
    older = {**first, "isLatest": False}
    element = {"exercises": "exercise", "sections": "section", "workouts": "workout"}[tree]
    # version 2's elements have new ids (new_ids): the old ones are removed, the new added
    diff = {
        "from": first["id"],
        "to": second["id"],
        "changes": [
            {"op": "added", "kind": element, "id": second[tree][0]["id"], "path": f"{tree}[0]"},
            {"op": "removed", "kind": element, "id": first[tree][0]["id"], "path": f"{tree}[0]"},
        ],
    }
    return {
        f"list{noun}s": {"200": page(summary(first, tree, **counts))},
        f"create{noun}": {"request": body, "201": first},
        f"get{noun}": {"200": first},
        f"list{noun}Versions": {
            "200": page(summary(second, tree, **counts), summary(older, tree, **counts))
        },
        f"create{noun}Version": {"request": body, "200": second},
        f"diff{noun}Versions": {"200": diff},
        # version 1 archived, then restored; version 2 stays the latest
        f"archive{noun}Version": {"200": {"success": True, "newLatestVersionId": second["id"]}},
        f"unarchive{noun}Version": {"200": {"success": True, "newLatestVersionId": second["id"]}},
        **more,
    }


# operationId -> "request": a body it accepts; a status -> what it answers with that status.
EXAMPLES: dict[str, dict[str, Any]] = {
    **_chain(
        "LibrarySection",
        SECTION_BODY,
        SECTION_VERSION,
        tree="exercises",
        counts=SECTION_COUNTS,
        parent="parentSectionId",
        copyLibrarySection={"201": SECTION_FORK},
        purgeArchivedLibrarySections={"200": {"purged": 1}},
    ),
    **_chain(
        "LibraryWorkout",
        WORKOUT_BODY,
        WORKOUT_VERSION,
        tree="sections",
        counts=WORKOUT_COUNTS,
        parent="parentWorkoutId",
        copyLibraryWorkout={"201": WORKOUT_FORK},
        purgeArchivedLibraryWorkouts={"200": {"purged": 1}},
    ),
    **_chain(
        "Template",
        TEMPLATE_BODY,
        TEMPLATE_VERSION,
        tree="workouts",
        counts=ROUTINE_COUNTS,
        parent="parentRoutineId",
        copyTemplateToRoutine={"201": USER_ROUTINE},
    ),
    "listRoutines": {"200": page(summary(USER_ROUTINE, "workouts", **ROUTINE_COUNTS))},
    "createRoutine": {"request": ROUTINE_BODY, "201": NEW_USER_ROUTINE},
    "getRoutine": {"200": USER_ROUTINE},
    "replaceRoutine": {"request": ROUTINE_BODY, "200": {**NEW_USER_ROUTINE, "id": ROUTINE}},
    "updateRoutine": {
        "request": {"name": "My strength block", "description": "Mornings before work"},
        "200": CHANGED_ROUTINE,
    },
    "toggleRoutineFavorite": {"200": {"isFavorite": True}},
    "activateRoutine": {"200": {**CHANGED_ROUTINE, "isActive": True}},
    "createAssignment": {
        "request": {
            "routineVersionId": TEMPLATE,
            "userId": CLIENT,
            "startDate": "2026-11-23",
            "scheduledTime": "07:30",
            "notesForUser": "Film your squats.",
        },
        "201": ASSIGNMENT_VIEW,
    },
    "listAssignments": {"200": page(ASSIGNMENT_VIEW)},
    "getAssignment": {"200": ASSIGNMENT_VIEW},
    "updateAssignment": {
        "request": {"progress": {"feedback": "Felt strong"}},
        "200": {
            **ASSIGNMENT_VIEW,
            "progress": {**ASSIGNMENT_VIEW["progress"], "feedback": "Felt strong"},
            "updatedAt": TRAINED_TIME,
        },
    },
    "upgradeAssignment": {"request": {"fromDate": "2026-11-30"}, "201": UPGRADED_ASSIGNMENT},
    "previewAssignmentUpgrade": {
        "200": {
            "diff": {
                "from": TEMPLATE,
                "to": f"{int(TEMPLATE, 16) + 0x40:024x}",
                "changes": [
                    {
                        "op": "changed",
                        "kind": "set",
                        "id": PLANNED_WORKOUT["sections"][0]["exercises"][0]["sets"][1]["id"],
                        "path": "workouts[0].sections[0].exercises[0].sets[1]",
                        "fields": {"weight": {"from": 100.0, "to": 105.0}},
                    }
                ],
            },
            "fromDate": "2026-11-30",
            "firstNewDate": "2026-11-30",
            "sessionsToDelete": 10,
            "sessionsToCreate": 12,
        }
    },
    "listWorkoutSessions": {"200": page(SCHEDULED_SESSION)},
    "createWorkoutSession": {
        "request": {
            "routineId": ROUTINE,
            "workoutId": PLANNED_WORKOUT["id"],
            "scheduledDate": "2026-11-24",
        },
        "201": OWN_SESSION_VIEW,
    },
    "getWorkoutSession": {"200": COMPLETED_SESSION},
    "updateWorkoutSession": {
        "request": {"status": "completed", "performanceLog": LOG_BODY, "durationMinutes": 49},
        "200": COMPLETED_SESSION,
    },
    "listExercises": {"200": page(SQUAT_EXERCISE)},
    "getExercise": {"200": SQUAT_EXERCISE},
    "getExerciseHistory": {"200": HISTORY},
    "listMyClients": {
        "200": page({"clientId": CLIENT, "status": "active", "createdAt": "2026-11-19T16:00:00Z"})
    },
    "getMe": {"200": {"id": CLIENT, "role": "client", "unitSystem": "imperial"}},
    "updateMe": {
        "request": {"unitSystem": "imperial", "displayName": "Sam"},
        "200": {"id": CLIENT, "role": "client", "displayName": "Sam", "unitSystem": "imperial"},
    },
    "getHealth": {"200": {"status": "ok"}},
    "getReadiness": {"200": {"status": "ready"}},
}

# ----- webhooks --------------------------------------------------------------------------------

WEBHOOK_ID = "6b153d571208ac42e8918090"
DELIVERY_ID = "6b153d571208ac42e8918091"
WEBHOOK_TIME = "2026-11-22T12:00:00.000Z"
WEBHOOK_BODY: dict[str, Any] = {
    "url": "https://gym.example.com/hooks/peakhealth",
    "events": ["session.updated", "assignment.created"],
    "description": "Front desk screens",
}
WEBHOOK_VIEW: dict[str, Any] = {
    "id": WEBHOOK_ID,
    **WEBHOOK_BODY,
    "enabled": True,
    "revision": 1,
    "createdAt": WEBHOOK_TIME,
    "updatedAt": WEBHOOK_TIME,
}
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7Xu6SFCpoEw="
TEST_DELIVERY: dict[str, Any] = {
    "id": DELIVERY_ID,
    "eventId": f"msg_{DELIVERY_ID}",
    "type": "webhook.test",
    "status": "pending",
    "attempt": 0,
    "nextAttemptAt": "2026-11-22T12:05:00.000Z",
    "createdAt": "2026-11-22T12:05:00.000Z",
    "updatedAt": "2026-11-22T12:05:00.000Z",
    "attempts": [],
}
RETRIED_DELIVERY: dict[str, Any] = {
    **TEST_DELIVERY,
    "status": "delivered",
    "attempt": 2,
    "responseStatus": 204,
    "durationMs": 41.7,
    "updatedAt": "2026-11-22T12:06:00.000Z",
    "attempts": [
        {
            "attempt": 1,
            "at": "2026-11-22T12:05:00.000Z",
            "responseStatus": 503,
            "durationMs": 38.2,
            "error": "answered 503",
        },
        {"attempt": 2, "at": "2026-11-22T12:06:00.000Z", "responseStatus": 204, "durationMs": 41.7},
    ],
}
RETRIED_DELIVERY.pop("nextAttemptAt")

EXAMPLES |= {
    "createWebhook": {"request": WEBHOOK_BODY, "201": {**WEBHOOK_VIEW, "secret": WEBHOOK_SECRET}},
    "listWebhooks": {"200": page(WEBHOOK_VIEW)},
    "getWebhook": {"200": WEBHOOK_VIEW},
    "updateWebhook": {
        "request": {"events": ["session.updated"], "enabled": True},
        "200": {**WEBHOOK_VIEW, "events": ["session.updated"], "revision": 2},
    },
    "rotateWebhookSecret": {
        "200": {
            **WEBHOOK_VIEW,
            "revision": 2,
            "secret": "whsec_3q2+7wAAAAAaBbCcDdEeFfGgHhIiJjKkLlMmNnOoPp0=",
        }
    },
    "testWebhook": {"202": TEST_DELIVERY},
    "listWebhookDeliveries": {"200": page(RETRIED_DELIVERY)},
}

# The change feed: a session completed, then one of a replaced assignment's deleted.
COMPLETED_SUMMARY = {
    **{key: value for key, value in SCHEDULED_SESSION.items() if key != "workoutSnapshot"},
    "workoutSnapshot": {"name": SNAPSHOT["name"], "type": SNAPSHOT["type"]},
    "status": "completed",
    "startedAt": "2026-11-23T07:35:00.000Z",
    "completedAt": TRAINED_TIME,
    "updatedAt": TRAINED_TIME,
}
CHANGES_CURSOR = (  # the last change above
    "eyJ2IjoxLCJ0IjoxNzk1NDI0NDAwMDAwLCJyIjoic2Vzc2lvbiIsImkiOiI2YjE1M2Q1NzEyMDhhYzQyZTg5MTgwNjYifQ"
)
EXAMPLES |= {
    "listChanges": {
        "200": {
            "data": [
                {
                    "resourceType": "session",
                    "id": SESSION,
                    "revision": 3,
                    "changedAt": TRAINED_TIME,
                    "deleted": False,
                    "data": COMPLETED_SUMMARY,
                },
                {
                    "resourceType": "session",
                    "id": "6b153d571208ac42e8918066",
                    "revision": 2,
                    "changedAt": "2026-11-23T09:00:00.000Z",
                    "deleted": True,
                },
            ],
            "nextCursor": CHANGES_CURSOR,
        }
    }
}

# The example assignment (six weeks, Mondays and Thursdays) read on the Wednesday of its second
# week: the first Monday completed, that Thursday missed, the second Monday skipped.
NOTHING_YET: dict[str, Any] = {
    "scheduled": 2,
    "completed": 0,
    "skipped": 0,
    "cancelled": 0,
    "missed": 0,
    "inProgress": 0,
    "upcoming": 2,
}
EXAMPLES |= {
    "getAssignmentAdherence": {
        "200": {
            "assignmentId": ASSIGNMENT,
            "today": "2026-12-02",
            "weeks": [
                {
                    "week": 1,
                    "startDate": "2026-11-23",
                    **NOTHING_YET,
                    "completed": 1,
                    "missed": 1,
                    "upcoming": 0,
                    "meanSetCompletion": 1.0,
                },
                {"week": 2, "startDate": "2026-11-30", **NOTHING_YET, "skipped": 1, "upcoming": 1},
                *(
                    {"week": week, "startDate": day, **NOTHING_YET}
                    for week, day in (
                        (3, "2026-12-07"),
                        (4, "2026-12-14"),
                        (5, "2026-12-21"),
                        (6, "2026-12-28"),
                    )
                ),
            ],
            "total": {
                **NOTHING_YET,
                "scheduled": 12,
                "completed": 1,
                "skipped": 1,
                "missed": 1,
                "upcoming": 9,
                "meanSetCompletion": 1.0,
            },
        }
    }
}

# ----- trainer workflow: calendar feeds, equipment, substitutes --------------------------------

CALENDAR_FEED_ID = "6b153d571208ac42e89180a0"
CALENDAR_SECRET = "q3Zl0b9cX2n8Jr4sVt6yWu1aKe5dMf7gHi0jNo2pLrQ"  # 43 URL-safe characters
CALENDAR_FEED: dict[str, Any] = {
    "id": CALENDAR_FEED_ID,
    "name": "My training",
    "revision": 1,
    "createdAt": "2026-11-22T12:00:00.000Z",
    "updatedAt": "2026-11-22T12:00:00.000Z",
}
CALENDAR_ICS = (
    "BEGIN:VCALENDAR\r\nPRODID:-//PeakHealth//Routine engine//EN\r\nVERSION:2.0\r\n"
    "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:My training\r\nBEGIN:VEVENT\r\n"
    "SUMMARY:Day A\r\nDTSTART:20261123T073000\r\nDTEND:20261123T083000\r\n"
    "DTSTAMP:20261121T100000Z\r\nUID:6b153d571208ac42e8918059@peakhealth\r\nSEQUENCE:1\r\n"
    "DESCRIPTION:Squat heavy\\nStatus: scheduled\r\nLAST-MODIFIED:20261121T100000Z\r\n"
    "STATUS:CONFIRMED\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
GOBLET_SQUAT = next(v for v in SQUAT_EXERCISE["variants"] if v["name"] == "Goblet Squat")
EQUIPMENT = {"equipment": ["dumbbell", "bench", "bodyweight"], "revision": 2}

EXAMPLES |= {
    "createCalendarFeed": {
        "request": {"name": "My training"},
        "201": {**CALENDAR_FEED, "url": f"https://api.example.com/calendar/{CALENDAR_SECRET}.ics"},
    },
    "listCalendarFeeds": {"200": page(CALENDAR_FEED)},
    "getCalendarFeed": {"200": CALENDAR_FEED},
    "rotateCalendarFeed": {
        "200": {
            **CALENDAR_FEED,
            "revision": 2,
            "updatedAt": "2026-11-25T08:00:00.000Z",
            "url": "https://api.example.com/calendar/Xw4pT7mB2kLq9sRv0cYn6dHj3fGz8aEu1iOo5bNtKyM.ics",
        }
    },
    "getCalendarFeedIcs": {"200": CALENDAR_ICS},
    "getMyEquipment": {"200": {**EQUIPMENT, "updatedAt": "2026-11-22T12:00:00.000Z"}},
    "putMyEquipment": {
        "request": {"equipment": ["dumbbell", "bench"]},
        "200": {**EQUIPMENT, "updatedAt": "2026-11-22T12:00:00.000Z"},
    },
    "listSubstitutes": {
        "200": {
            "data": [
                {
                    "exerciseId": SQUAT["exerciseId"],
                    "exerciseName": "Squat",
                    "variant": GOBLET_SQUAT,
                    "sharedSecondaryMuscles": 1,
                }
            ]
        }
    },
}

# ----- coaching: client metrics and personal records ---------------------------------------------

METRIC_ID = "6b153d571208ac42e8918070"
METRIC_BODY: dict[str, Any] = {
    "kind": "oneRepMax",
    "exerciseId": SQUAT["exerciseId"],
    "value": 142.5,
    "measuredOn": "2026-11-20",
}
METRIC_VIEW: dict[str, Any] = {
    "id": METRIC_ID,
    "userId": CLIENT,
    **METRIC_BODY,
    "recordedBy": TRAINER,
    "revision": 1,
    "createdAt": "2026-11-20T18:00:00.000Z",
}
RECORDS: list[dict[str, Any]] = [
    {
        "type": "estimatedOneRepMax",
        **SQUAT,
        "value": 116.667,
        "sessionId": SESSION,
        "setId": PLANNED_SETS[0]["id"],
        "achievedAt": TRAINED_TIME,
    },
    {
        "type": "sessionVolume",
        **SQUAT,
        "value": 500.0 * len(PLANNED_SETS),
        "sessionId": SESSION,
        "achievedAt": TRAINED_TIME,
    },
]
EXAMPLES |= {
    "recordClientMetric": {"request": METRIC_BODY, "201": METRIC_VIEW},
    "listClientMetrics": {"200": page(METRIC_VIEW)},
    "getClientMetric": {"200": METRIC_VIEW},
    "listPersonalRecords": {"200": {"data": RECORDS}},
    "updateWorkoutSession": {
        **EXAMPLES["updateWorkoutSession"],
        "200": {
            **COMPLETED_SESSION,
            "newRecords": [{**RECORDS[0], "previous": 110.0}, {**RECORDS[1], "previous": None}],
        },
    },
}

# ----- text import -----------------------------------------------------------------------------

IMPORT_TEXT = "Leg day:\nSquat 5x5 @ 100kg\nJefferson curl 3x8"
IMPORT_LINES: list[dict[str, Any]] = [
    {"lineNumber": 1, "line": "Leg day:", "status": "heading"},
    {
        "lineNumber": 2,
        "line": "Squat 5x5 @ 100kg",
        "status": "matched",
        "name": "Squat",
        "confidence": "high",
        "score": 100.0,
        "matchedName": "Squat",
        "exerciseId": SQUAT["exerciseId"],
        "variantId": SQUAT["exerciseVariantId"],
    },
    {
        "lineNumber": 3,
        "line": "Jefferson curl 3x8",
        "status": "unmatched",
        "name": "Jefferson curl",
        "reason": "no catalog exercise scored 70 or more",
    },
]
IMPORT_DRAFT: dict[str, Any] = {
    "name": "Leg day block",
    "difficulty": "intermediate",
    "goal": "general-fitness",
    "duration": 4,
    "workouts": [
        {
            "name": "Leg day",
            "type": "strength",
            "sections": [
                {
                    "name": "Main",
                    "type": "basic",
                    "exercises": [
                        {
                            "type": "strength",
                            **SQUAT,
                            "sets": [{"repType": "fixed", "reps": 5, "weight": 100.0}] * 5,
                        }
                    ],
                }
            ],
        }
    ],
}
EXAMPLES |= {
    "importRoutine": {
        "request": {"text": IMPORT_TEXT, "name": "Leg day block"},
        "200": {"draft": IMPORT_DRAFT, "lines": IMPORT_LINES, "unmatched": IMPORT_LINES[2:]},
        "201": {"routine": NEW_USER_ROUTINE, "lines": IMPORT_LINES, "unmatched": IMPORT_LINES[2:]},
    },
    "listImportLogs": {
        "200": page(
            {
                "id": "6b153d571208ac42e8918090",
                "userId": CLIENT,
                "text": IMPORT_TEXT,
                "lines": IMPORT_LINES,
                "confidences": {"high": 1, "medium": 0, "low": 0},
                "routineId": NEW_ROUTINE,
                "createdAt": COPY_TIME,
            }
        )
    },
}

# ----- groups ----------------------------------------------------------------------------------

GROUP = "6b153d571208ac42e89180b0"
GROUP_ASSIGNMENT = "6b153d571208ac42e89180b1"
GROUP_TIME = "2026-11-20T12:00:00.000Z"
GROUP_VIEW: dict[str, Any] = {
    "id": GROUP,
    "trainerId": TRAINER,
    "name": "6 am class",
    "memberIds": [CLIENT],
    "assignments": [
        {
            "groupAssignmentId": GROUP_ASSIGNMENT,
            "routineVersionId": TEMPLATE,
            "parentRoutineId": TEMPLATE,
            "startDate": "2026-11-23",
            "endDate": ASSIGNMENT_VIEW["endDate"],
            "trainingDays": ASSIGNMENT_VIEW["trainingDays"],
            "assignedBy": TRAINER,
            "assignedAt": ASSIGNED_TIME,
        }
    ],
    "revision": 3,
    "schemaVersion": 1,
    "createdAt": GROUP_TIME,
    "updatedAt": ASSIGNED_TIME,
}
NEW_GROUP = {**GROUP_VIEW, "memberIds": [], "assignments": [], "revision": 1}
NEW_GROUP["updatedAt"] = GROUP_TIME
SCHEDULED_SUMMARY = {
    **{key: value for key, value in SCHEDULED_SESSION.items() if key != "workoutSnapshot"},
    "workoutSnapshot": {"name": SNAPSHOT["name"], "type": SNAPSHOT["type"]},
}
EXAMPLES |= {
    "createGroup": {"request": {"name": "6 am class"}, "201": NEW_GROUP},
    "listGroups": {"200": page(GROUP_VIEW)},
    "getGroup": {"200": GROUP_VIEW},
    "updateGroup": {
        "request": {"name": "7 am class"},
        "200": {**GROUP_VIEW, "name": "7 am class", "revision": 4},
    },
    "listGroupSessions": {"200": page(SCHEDULED_SUMMARY)},
}
