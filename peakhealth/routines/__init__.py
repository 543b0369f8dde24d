"""Routines: versioned template routines (and, later, users' own routines)."""
