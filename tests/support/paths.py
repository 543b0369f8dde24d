"""The API's paths, and the Monday assignments start on unless told otherwise."""

SECTIONS = "/api/library/sections"
WORKOUTS = "/api/library/workouts"
TEMPLATES = "/api/templates/routines"
ROUTINES = "/api/routines"
ASSIGNMENTS = "/api/routine-assignments"
SESSIONS = "/api/workout-sessions"
MONDAY = "2026-11-23"
