"""The rules of a version chain as pure functions: which version is latest and which flags to fix.
Who may read, change or fork a version is `peakhealth.policy`. The database code in
`peakhealth.versioning.chains` only applies them."""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class VersionState:
    """What the rules need to know of one stored version."""

    id: Hashable
    version: int
    isArchived: bool
    isLatest: bool = False


def latest_of(versions: Iterable[VersionState]) -> VersionState | None:
    """The highest non-archived version, or None when every version is archived."""
    live = [state for state in versions if not state.isArchived]
    return max(live, key=lambda state: state.version) if live else None


def flags_to_fix(
    versions: Iterable[VersionState],
) -> tuple[list[Hashable], Hashable | None]:
    """The versions whose `isLatest` must be cleared, and the one that must be set (None when it
    already is, or when no version is live). Clear first, then set: a reader never sees two."""
    states = list(versions)
    latest = latest_of(states)
    stale = [s.id for s in states if s.isLatest and (latest is None or s.id != latest.id)]
    promote = latest.id if latest is not None and not latest.isLatest else None
    return stale, promote
