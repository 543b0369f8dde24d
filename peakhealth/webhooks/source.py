"""The seam deliveries are derived from: the stored changes (the change feed). The worker asks a
`ChangeSource` for each subscription's changes after the cursor kept on the subscription, read
as the subscriber (so a subscriber gets exactly the changes `GET /api/changes` would show them),
and keeps the next cursor once the deliveries are stored. The change feed
(`peakhealth.changes.service.ChangeFeed`) is the source the application runs; `NoChanges` is
for tests that want test deliveries (`POST /api/webhooks/{id}/test`) only."""

from typing import Protocol

from peakhealth.changes.change import Change
from peakhealth.identity.users import CurrentUser

__all__ = ["Change", "ChangeSource", "NoChanges"]


class ChangeSource(Protocol):
    async def changes_after(
        self, reader: CurrentUser, cursor: str | None, limit: int
    ) -> tuple[list[Change], str | None]:
        """At most `limit` changes `reader` may read after `cursor` (None: from the start),
        oldest first, settled (none can still commit before them), and the cursor after them
        (the same cursor when there are none)."""
        ...


class NoChanges:
    """A source without any change (tests of test deliveries alone)."""

    async def changes_after(
        self, reader: CurrentUser, cursor: str | None, limit: int
    ) -> tuple[list[Change], str | None]:
        return [], cursor
