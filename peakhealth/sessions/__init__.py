"""Workout sessions: a client's calendar, each with an immutable snapshot and a performance log."""
