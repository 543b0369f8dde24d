"""The version-chain rules, without a database (who may read, change or fork: test_policy.py)."""

from peakhealth.identity.users import CurrentUser
from peakhealth.versioning import rules
from peakhealth.versioning.rules import VersionState

OWNER = CurrentUser(id="owner", role="trainer")
OTHER = CurrentUser(id="other", role="trainer")
ADMIN = CurrentUser(id="admin", role="admin")


def state(version: int, *, archived: bool = False, latest: bool = False) -> VersionState:
    return VersionState(id=f"v{version}", version=version, isArchived=archived, isLatest=latest)


def test_latest_is_the_highest_live_version() -> None:
    assert rules.latest_of([state(1), state(3), state(2)]) == state(3)
    assert rules.latest_of([state(1), state(3, archived=True), state(2)]) == state(2)
    assert rules.latest_of([state(1, archived=True)]) is None
    assert rules.latest_of([]) is None


def test_flags_to_fix_clears_every_stale_latest_and_sets_the_right_one() -> None:
    stale, promote = rules.flags_to_fix([state(1, latest=True), state(2, latest=True), state(3)])
    assert stale == ["v1", "v2"] and promote == "v3"
    assert rules.flags_to_fix([state(1), state(2, latest=True)]) == ([], None)
    assert rules.flags_to_fix([state(1, archived=True, latest=True)]) == (["v1"], None)
