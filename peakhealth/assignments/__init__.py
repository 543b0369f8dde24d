"""Routine assignments: a routine version assigned to a client, scheduled as sessions."""
