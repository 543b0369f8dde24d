"""The version-chain rules, without a database."""

import pytest

from peakhealth.errors import Forbidden
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


def test_readers() -> None:
    assert rules.may_read(owner="owner", is_public=False, user=OWNER)
    assert not rules.may_read(owner="owner", is_public=False, user=OTHER)
    assert rules.may_read(owner="owner", is_public=True, user=OTHER)
    assert rules.may_read(owner="owner", is_public=False, user=ADMIN)
    assert rules.readable_filter(ADMIN) == {}
    assert rules.readable_filter(OTHER) == {"$or": [{"isPublic": True}, {"createdBy": "other"}]}


@pytest.mark.parametrize(
    ("user", "admin_only", "allowed"),
    [
        (OWNER, False, True),
        (OTHER, False, False),
        (ADMIN, False, True),
        (OWNER, True, False),
        (ADMIN, True, True),
    ],
)
def test_who_may_change_a_chain(user: CurrentUser, admin_only: bool, allowed: bool) -> None:
    if allowed:
        rules.check_may_change(owner="owner", admin_only=admin_only, kind="section", user=user)
    else:
        with pytest.raises(Forbidden):
            rules.check_may_change(owner="owner", admin_only=admin_only, kind="section", user=user)


def test_archived_versions_are_forked_and_listed_for_their_creator_and_admins() -> None:
    assert rules.may_fork(owner="owner", is_public=True, is_archived=False, user=OTHER)
    assert not rules.may_fork(owner="owner", is_public=True, is_archived=True, user=OTHER)
    assert rules.may_fork(owner="owner", is_public=True, is_archived=True, user=OWNER)
    assert rules.may_fork(owner="owner", is_public=False, is_archived=True, user=ADMIN)
    assert not rules.may_fork(owner="owner", is_public=False, is_archived=False, user=OTHER)
    assert rules.sees_archived(owner="owner", user=OWNER)
    assert not rules.sees_archived(owner="owner", user=OTHER)
