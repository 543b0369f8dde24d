"""The trainer's library: versioned sections and workouts."""
