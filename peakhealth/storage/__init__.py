"""The repositories: the raw queries of each collection, named for what they do in the domain
(`sessions.drop_scheduled`, `assignments.claim_progress_round`, `versions.make_latest`), so the
services load, decide and save without holding a query. Each takes and returns plain values or
documents; the caller passes what the policy allows as a filter. Kept apart from the capabilities
so that they depend on one another one way only (README, "Architecture"): the assignment document
lives here because routines (assigned versions, the purge guard), sessions (their assignment's
progress) and assignments use it."""
