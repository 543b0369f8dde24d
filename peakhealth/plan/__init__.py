"""The plan tree (routine, workouts, sections, exercises, sets) as pydantic models and the rules
they enforce. Pure: imports only pydantic, bson ids and the standard library."""
