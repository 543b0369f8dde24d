"""Coaching data of one client: metrics (one-rep maximums, bodyweight) and personal records."""
