"""Stored documents that more than one capability reads or writes, kept apart from all of them
so that the capabilities depend on one another one way only (README, "Architecture"): today the
routine assignments, which routines (a client's assigned versions, the purge guard), sessions
(their assignment's progress) and assignments themselves use."""
