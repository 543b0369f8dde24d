"""The rules of a version chain as pure functions: which version is latest, who may read, change
or fork. The database code in `peakhealth.versioning.chains` only applies them."""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from peakhealth.errors import Forbidden
from peakhealth.identity.users import CurrentUser


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


def may_read(*, owner: str, is_public: bool, user: CurrentUser) -> bool:
    """Own, public, or anything for admins."""
    return user.is_admin or owner == user.id or is_public


def readable_filter(user: CurrentUser) -> dict[str, Any]:
    """The MongoDB filter for `may_read`."""
    if user.is_admin:
        return {}
    return {"$or": [{"isPublic": True}, {"createdBy": user.id}]}


def sees_archived(*, owner: str, user: CurrentUser) -> bool:
    """Archived versions show in a chain's version list to its creator and admins only."""
    return user.is_admin or owner == user.id


def check_may_change(*, owner: str, admin_only: bool, kind: str, user: CurrentUser) -> None:
    """Only the creator or an admin changes a chain; only an admin when the chain's latest
    version is reserved to admins (a company template)."""
    if admin_only and not user.is_admin:
        raise Forbidden(f"this {kind} is published by the company; only an admin may change it")
    if not (user.is_admin or owner == user.id):
        raise Forbidden(f"only the creator of this {kind} or an admin may change it")


def may_fork(*, owner: str, is_public: bool, is_archived: bool, user: CurrentUser) -> bool:
    """A readable version may be forked; an archived one only by its creator or an admin."""
    if not may_read(owner=owner, is_public=is_public, user=user):
        return False
    return not is_archived or sees_archived(owner=owner, user=user)
