"""The change feed: the documents the caller may read that changed after a position, and the
tombstones of those deleted, oldest first in the order (changedAt, resourceType, id), each with
its latest state (the summary its list endpoint answers).

A page reads each covered collection once and the tombstones once, each query bounded by the
page size and served by an index on (reader field, changedAt); a client's page also reads which
template versions are assigned to them, and on a real MongoDB the database's clock is asked
once. So a page costs the same number of calls whatever the collections hold.

Settle window: only changes stamped before now - CHANGES_SETTLE_SECONDS are listed, so a write
whose stamp was taken before a page was read but that commits after it (a slow writer) still
sorts after the position the page ends at. The window must exceed how long a write can take
from its stamp to its commit (see `peakhealth.storage.changes`)."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from beanie import PydanticObjectId
from pydantic import BaseModel, TypeAdapter

from peakhealth import policy
from peakhealth.changes import cursor
from peakhealth.changes.change import Change
from peakhealth.changes.cursor import Position
from peakhealth.identity.users import CurrentUser
from peakhealth.library.documents import SectionDocument, WorkoutDocument
from peakhealth.policy import Filter
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.routines.user_documents import UserRoutineDocument, present_user_routine
from peakhealth.sessions.documents import WorkoutSession
from peakhealth.sessions.models import render_summary
from peakhealth.sessions.service import SUMMARY_PROJECTION
from peakhealth.storage import assignments, changes, versions
from peakhealth.storage.assignments import RoutineAssignment
from peakhealth.storage.changes import CHANGED_AT
from peakhealth.timestamps import utc_now
from peakhealth.versioning.documents import VersionedDocument, present_stored, upgrade

ALL_STATUSES = ("active", "paused", "completed", "cancelled")
_JSON: TypeAdapter[Any] = TypeAdapter(Any)


def _utc(value: datetime) -> datetime:
    # mongomock answers naive datetimes; the server client is tz-aware.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _as_json(view: BaseModel) -> dict[str, Any]:
    shown: dict[str, Any] = _JSON.dump_python(view, mode="json", by_alias=True, exclude_none=True)
    return shown


@dataclass(frozen=True)
class Source:
    """One kind of document the feed covers."""

    resource_type: str
    document: Any  # the stored document class (its collection)
    scope: Filter
    projection: Filter | None
    present: Callable[[dict[str, Any]], dict[str, Any]]


def _assignment(row: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = RoutineAssignment.model_validate(row).model_dump(
        mode="json", exclude={"revision_id"}, exclude_none=True
    )
    return shown


def _session(row: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = json.loads(render_summary(row))
    return shown


def _version_source(cls: type[VersionedDocument]) -> Source:
    def present(row: dict[str, Any]) -> dict[str, Any]:
        full = "counts" not in row  # stored before summaries were counted: read whole
        return _as_json(present_stored(cls, upgrade(row) if full else row, full=False))

    return Source(
        cls.resource_type,
        cls,
        cls.in_scope({"pendingLease": None}),  # not a publish still under way
        None,  # the tree is left out below, unless a summary needs it
        present,
    )


SOURCES: tuple[Source, ...] = (
    Source("assignment", RoutineAssignment, {}, None, _assignment),
    Source(
        "routine",
        UserRoutineDocument,
        {},
        {"workouts": 0},
        lambda row: _as_json(present_user_routine(row, full=False)),
    ),
    _version_source(SectionDocument),
    Source("session", WorkoutSession, {}, SUMMARY_PROJECTION, _session),
    _version_source(TemplateRoutineDocument),
    _version_source(WorkoutDocument),
)
VERSION_TYPES: dict[str, type[VersionedDocument]] = {
    SectionDocument.resource_type: SectionDocument,
    TemplateRoutineDocument.resource_type: TemplateRoutineDocument,
    WorkoutDocument.resource_type: WorkoutDocument,
}


async def _readers(user: CurrentUser) -> dict[str, Filter]:
    """Per resource type, the filter of what `user` may follow: the same rules as every read
    (`peakhealth.policy`). Tombstones carry the fields these filters name."""
    follow = policy.FOLLOW_VERSION.filter(user)
    templates = follow
    if follow:  # not an admin: also the template versions assigned to them
        assigned = await assignments.assigned_versions(
            policy.READ_ASSIGNED_VERSION.filter(user), ALL_STATUSES
        )
        ids = sorted({row["routineVersionId"] for row in assigned})
        templates = {"$or": [follow, {"_id": {"$in": ids}}]} if ids else follow
    return {
        "assignment": policy.READ_ASSIGNMENT.filter(user),
        "routine": policy.USE_USER_ROUTINE.filter(user),
        "section": follow,
        "session": policy.READ_SESSION.filter(user),
        "template": templates,
        "workout": follow,
    }


def _after(position: Position, resource_type: str, bound: datetime) -> Filter:
    """A collection's documents of `resource_type` after `position`, before `bound`."""
    window: Filter = {CHANGED_AT: {"$lt": bound}}
    if position == cursor.START:
        return window
    later: list[Filter] = [{CHANGED_AT: {"$gt": position.changedAt}}]
    if resource_type > position.resourceType:
        later.append({CHANGED_AT: position.changedAt})
    elif resource_type == position.resourceType:
        later.append(
            {CHANGED_AT: position.changedAt, "_id": {"$gt": PydanticObjectId(position.id)}}
        )
    return {"$and": [window, {"$or": later}]}


def _tombstones_after(position: Position, bound: datetime) -> Filter:
    window: Filter = {CHANGED_AT: {"$lt": bound}}
    if position == cursor.START:
        return window
    at = position.changedAt
    later: list[Filter] = [
        {CHANGED_AT: {"$gt": at}},
        {CHANGED_AT: at, "resourceType": {"$gt": position.resourceType}},
    ]
    if position.id:
        later.append(
            {
                CHANGED_AT: at,
                "resourceType": position.resourceType,
                "resourceId": {"$gt": PydanticObjectId(position.id)},
            }
        )
    return {"$and": [window, {"$or": later}]}


def _key(change: Change) -> tuple[datetime, str, str]:
    return (change.changedAt, change.resourceType, change.id)


def _revision(row: dict[str, Any]) -> int:
    return int(row.get("revision", 1))  # documents stored before revisions were kept


async def page(
    user: CurrentUser,
    since: str | None,
    limit: int,
    *,
    settle: timedelta,
    clock: Callable[[], datetime] = utc_now,
) -> tuple[list[Change], str]:
    """At most `limit` changes `user` may read after the cursor `since` (from the start when
    None), oldest first and settled, and the cursor after them (`since` again when none)."""
    position = cursor.decode(since)
    readers = await _readers(user)
    now = await changes.database_now() or clock()
    bound = now - settle
    found: list[Change] = []
    for source in SOURCES:
        query = {"$and": [source.scope, readers[source.resource_type]]}
        query["$and"].append(_after(position, source.resource_type, bound))
        projection = source.projection
        if source.resource_type in VERSION_TYPES:
            projection = {VERSION_TYPES[source.resource_type].tree_field: 0}
        rows = await changes.changed(
            source.document,
            query,
            sort=[(CHANGED_AT, 1), ("_id", 1)],
            limit=limit,
            projection=projection,
        )
        if source.resource_type in VERSION_TYPES:
            rows = await _with_trees_where_needed(VERSION_TYPES[source.resource_type], rows)
        found.extend(
            Change(
                resourceType=source.resource_type,
                id=str(row["_id"]),
                revision=_revision(row),
                changedAt=_utc(row[CHANGED_AT]),
                data=source.present(row),
            )
            for row in rows
        )
    # Assigned template versions are pinned (never purged): their tombstones are the creator's.
    tombstone_readers = [
        {"resourceType": kind, **reader}
        for kind, reader in {**readers, "template": policy.FOLLOW_VERSION.filter(user)}.items()
    ]
    tombstones = await changes.tombstones_after(
        {"$and": [{"$or": tombstone_readers}, _tombstones_after(position, bound)]},
        sort=[(CHANGED_AT, 1), ("resourceType", 1), ("resourceId", 1)],
        limit=limit,
    )
    found.extend(
        Change(
            resourceType=row["resourceType"],
            id=str(row["resourceId"]),
            revision=_revision(row),
            changedAt=_utc(row[CHANGED_AT]),
            deleted=True,
        )
        for row in tombstones
    )
    found.sort(key=_key)
    listed = await _still_there(found[:limit], readers)
    if not listed:
        return [], since if since is not None else cursor.encode(cursor.START)
    last = listed[-1]
    return listed, cursor.encode(Position(last.changedAt, last.resourceType, last.id))


async def _with_trees_where_needed(
    cls: type[VersionedDocument], rows: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Versions stored before summaries were counted need their tree once to count it."""
    uncounted = [row["_id"] for row in rows if "counts" not in row]
    if not uncounted:
        return rows
    trees = {row["_id"]: row for row in await versions.whole(cls, uncounted)}
    return [trees.get(row["_id"], row) for row in rows]


async def _still_there(listed: list[Change], readers: dict[str, Filter]) -> list[Change]:
    """A tombstone whose document still exists (its deletion stopped after the tombstone was
    written, or a concurrent change kept the document out of the deletion) is listed as the
    document stands, at the tombstone's place: a caller applying the page in order ends with
    what the service holds. One `$in` read per kind of tombstone on the page."""
    doomed: dict[str, list[PydanticObjectId]] = {}
    for change in listed:
        if change.deleted:
            doomed.setdefault(change.resourceType, []).append(PydanticObjectId(change.id))
    if not doomed:
        return listed
    alive: dict[tuple[str, str], dict[str, Any]] = {}
    for source in SOURCES:
        ids = doomed.get(source.resource_type)
        if not ids:
            continue
        query = {"$and": [source.scope, readers[source.resource_type], {"_id": {"$in": ids}}]}
        rows = await changes.changed(
            source.document, query, sort=[("_id", 1)], limit=len(ids), projection=None
        )
        for row in rows:
            alive[(source.resource_type, str(row["_id"]))] = {
                "revision": _revision(row),
                "data": source.present(row),
            }
    return [
        Change(
            resourceType=change.resourceType,
            id=change.id,
            changedAt=change.changedAt,
            **alive[(change.resourceType, change.id)],
        )
        if change.deleted and (change.resourceType, change.id) in alive
        else change
        for change in listed
    ]


@dataclass(frozen=True)
class ChangeFeed:
    """The feed as the webhook worker's change source (`peakhealth.webhooks.source`)."""

    settle: timedelta
    clock: Callable[[], datetime] = utc_now

    async def changes_after(
        self, reader: CurrentUser, cursor_: str | None, limit: int
    ) -> tuple[list[Change], str | None]:
        return await page(reader, cursor_, limit, settle=self.settle, clock=self.clock)
