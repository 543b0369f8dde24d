"""Operations on version chains, the same for library sections, library workouts and template
routines: create, new version, fork, archive, unarchive, purge, bulk purge, delete chain, list.

Every change of an existing chain runs under the chain's lease (`heads.chain_lease`), so
changes of one chain happen one at a time even on a standalone MongoDB without transactions:
version numbers come from the head's counter, and `isLatest` is settled (cleared, then set) before
the lease is released, so after a request returns exactly the highest non-archived version is
latest and no reader ever sees two latest versions of one chain. Every query carries the
document class's `scope`.

A sequence that stops half-way (the database fails between two calls, or the process dies) is
repaired by `_repair`: at once when the database answers again, else by the next change of the
chain (the head is marked, or its lease expires and is taken over). A new version is inserted
`pendingLease` (hidden from every list) and becomes real only in the write that makes it latest,
so the repair drops a half-published version instead of publishing it behind a failed request.

No transactions: the repair path runs everywhere, on a replica set too. A transaction per
sequence would need a session threaded through every call and still needs this repair on a
standalone server, so there would be two ways for every sequence to be right instead of one.
A stalled holder is fenced by `heads.confirm` (its lease checked, by the head's token, right
before it writes versions) and by the release, which lands only while the lease is still its
own; what stays open is a stall longer than the lease (30 s) between that check and the next
one or two version writes.

`If-Match` (`expected`) names the revision of the version in the path. Archive, unarchive and
purge carry it in the filter of their write to that version. Publishing a new version from it,
deleting its chain and forking it check it against the version as read under the chain's lease
(fork: as loaded; it writes no version of the chain): every change of a version's lifecycle
happens under that lease, so no change can land between that read and the writes."""

from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import timedelta
from functools import partial
from typing import Any

from beanie import PydanticObjectId
from pydantic import BaseModel
from pymongo.errors import DuplicateKeyError, PyMongoError

from peakhealth import answers, policy
from peakhealth.errors import Conflict, NotFound, PreconditionFailed
from peakhealth.identity.users import CurrentUser
from peakhealth.revisions import BEFORE_REVISIONS, FIRST, Expected, revision_of
from peakhealth.storage import versions
from peakhealth.timestamps import utc_now
from peakhealth.versioning import heads, rules
from peakhealth.versioning.diff import VersionDiff, diff_versions
from peakhealth.versioning.documents import (
    SCHEMA_VERSION,
    CopiedFrom,
    D,
    VersionedDocument,
    content_fields,
    present_stored,
    render_stored,
    upgrade,
)
from peakhealth.versioning.heads import Lease

PurgeGuard = Callable[[list[PydanticObjectId]], Awaitable[set[PydanticObjectId]]]


async def nothing_pinned(ids: list[PydanticObjectId]) -> set[PydanticObjectId]:
    """The purge guard of documents nothing else points to."""
    return set()


def parse_id(value: str) -> PydanticObjectId:
    """A path id; callers validate the format at the edge, so a bad one here is just unknown."""
    try:
        return PydanticObjectId(value)
    except Exception as error:
        raise NotFound(f"no version with id {value!r}") from error


# ----- reading ---------------------------------------------------------------------------------


async def read_stored(cls: type[VersionedDocument], version_id: str, user: CurrentUser) -> Any:
    """The version as stored (one read, no validation), or NotFound when it does not exist or
    the caller may not read it."""
    stored = await versions.find(cls, parse_id(version_id))
    if stored is None or not policy.READ_VERSION.allows(user, stored):
        raise NotFound(f"no {cls.kind} version with id {version_id}")
    return stored


async def read_answer(
    cls: type[VersionedDocument], version_id: str, user: CurrentUser
) -> tuple[bytes, int]:
    """One version as the JSON bytes the API answers, and its revision; NotFound when it does
    not exist or the caller may not read it. Its tree never changes: a kept answer skips
    reading it."""
    found = await versions.read_answer(
        cls, {"_id": parse_id(version_id), **policy.READ_VERSION.filter(user)}, _answers(cls)
    )
    if found is None:
        raise NotFound(f"no {cls.kind} version with id {version_id}")
    answer, fields = found
    return answer, revision_of(fields)


async def revision(cls: type[VersionedDocument], version_id: str, user: CurrentUser) -> int:
    """The revision alone of a version the caller may read (the policy is in the query):
    what a 304 costs. NotFound as `read_answer`."""
    found = await versions.revision(
        cls, {"_id": parse_id(version_id), **policy.READ_VERSION.filter(user)}
    )
    if found is None:
        raise NotFound(f"no {cls.kind} version with id {version_id}")
    return found


async def compare(
    cls: type[VersionedDocument], version_id: str, against_id: str, user: CurrentUser
) -> VersionDiff:
    """What changed from the version `against_id` to `version_id`, both of this kind and
    readable by the caller (NotFound otherwise, so ids do not leak), read in one `$in` query."""
    wanted = [parse_id(version_id), parse_id(against_id)]
    found = {row["_id"]: row for row in await versions.referenced(cls, wanted)}
    for id_ in wanted:
        if id_ not in found or not policy.READ_VERSION.allows(user, found[id_]):
            raise NotFound(f"no {cls.kind} version with id {id_}")
    return diff_versions(
        upgrade(found[wanted[1]]), upgrade(found[wanted[0]]), tree_field=cls.tree_field
    )


def check_expected(cls: type[VersionedDocument], expected: Expected | None, revision: int) -> None:
    """412 unless `expected` (If-Match) names `revision`."""
    if expected is not None and not expected.allows(revision):
        raise PreconditionFailed(
            f"this {cls.kind} version is at revision {revision}; read it again"
        )


async def _check_current(
    cls: type[VersionedDocument], version_id: Any, expected: Expected | None
) -> None:
    """Under the chain's lease: 412 unless `expected` names the version's revision now; a
    version gone meanwhile is 404."""
    if expected is None:
        return
    current = await versions.revision(cls, {"_id": version_id})
    if current is None:
        raise NotFound(f"this {cls.kind} version no longer exists")
    check_expected(cls, expected, current)


def answer_of(cls: type[VersionedDocument], stored: dict[str, Any]) -> bytes:
    """A version just written, as the JSON bytes the API answers, kept for the reads after."""
    return answers.keep(_answers(cls), stored)


def _answers(cls: type[VersionedDocument]) -> answers.Kind:
    """Versions of `cls`: their tree never changes."""
    return answers.Kind(cls.__name__, cls.tree_field, partial(render_stored, cls))


async def load_readable(cls: type[D], version_id: str, user: CurrentUser) -> D:
    """The version as a document, or NotFound when it does not exist or the caller may not
    read it."""
    return cls.model_validate(await read_stored(cls, version_id, user))


async def find_page(
    cls: type[VersionedDocument],
    query: dict[str, Any],
    *,
    sort: list[tuple[str, Any]],
    skip: int,
    limit: int,
    full: bool,
) -> tuple[list[Any], int]:
    """One page of versions matching `query` (scope added) as the API shows them, summaries
    unless `full`, and the total count. Summaries are read without the tree."""
    projection = None if full else {cls.tree_field: 0}
    rows, total = await versions.page(
        cls, query, sort=sort, skip=skip, limit=limit, projection=projection
    )
    uncounted = [row["_id"] for row in rows if not full and "counts" not in row]
    if uncounted:  # stored before counts were: their tree is needed once to count it
        trees = {row["_id"]: upgrade(row) for row in await versions.whole(cls, uncounted)}
        rows = [trees.get(row["_id"], row) for row in rows]
    return [present_stored(cls, row, full=full) for row in rows], total


async def list_versions(
    cls: type[D], document: D, user: CurrentUser, *, skip: int, limit: int, full: bool
) -> tuple[list[Any], int]:
    """Versions of the chain the caller may read, newest first; archived ones only for the
    creator and admins."""
    conditions: list[dict[str, Any]] = [{cls.chain_field: document.chain_id}]
    readable = policy.READ_VERSION.filter(user)
    if readable:
        conditions.append(readable)
    conditions.append({"pendingLease": None})  # not a publish still under way
    if not policy.SEE_ARCHIVED.allows(user, {"createdBy": document.createdBy}):
        conditions.append({"isArchived": False})
    return await find_page(
        cls, {"$and": conditions}, sort=[("version", -1)], skip=skip, limit=limit, full=full
    )


# ----- changing --------------------------------------------------------------------------------


def _version_document(
    cls: type[VersionedDocument],
    fields: dict[str, Any],
    *,
    version_id: PydanticObjectId,
    chain_id: PydanticObjectId,
    version: int,
    is_latest: bool,
    owner: str,
    is_public: bool,
    tags: list[str],
    copied_from: CopiedFrom | None,
    revision: int = FIRST,
) -> dict[str, Any]:
    """A version as MongoDB stores it: the chain bookkeeping beside the encoded content. Built
    as a plain document and inserted as is, so the content is encoded once."""
    now = utc_now()
    return {
        "_id": version_id,
        cls.chain_field: chain_id,
        "version": version,
        "isLatest": is_latest,
        "isArchived": False,
        "createdBy": owner,
        "isPublic": is_public,
        "tags": tags,
        "copiedFrom": copied_from.model_dump() if copied_from else None,
        "revision": revision,
        "schemaVersion": SCHEMA_VERSION,
        "createdAt": now,
        "updatedAt": now,
        **cls.scope,
        **fields,
    }


async def create_chain(
    cls: type[VersionedDocument],
    content: BaseModel,
    *,
    user: CurrentUser,
    is_public: bool,
    tags: list[str],
    copied_from: CopiedFrom | None = None,
) -> dict[str, Any]:
    """A new chain: version 1, latest, and its head. Returns the version as stored."""
    version_id = PydanticObjectId()
    fields = content_fields(content)
    stored = _version_document(
        cls,
        fields,
        version_id=version_id,
        chain_id=version_id,
        version=1,
        is_latest=True,
        owner=user.id,
        is_public=is_public,
        tags=tags,
        copied_from=copied_from,
    )
    # The head first: a version never exists without its head (no orphan to adopt).
    try:
        await heads.create_head(
            version_id,
            collection=cls.get_collection_name(),
            owner=user.id,
            admin_only=cls.admin_only(fields),
        )
        await versions.insert(cls, stored)
    except PyMongoError:
        await _forget_head(cls, version_id)
        raise
    return stored


async def _forget_head(cls: type[VersionedDocument], chain_id: PydanticObjectId) -> None:
    """After a failed create: drop the head unless the version made it in (its answer lost).
    If the database is still away, the head stays: it names a chain nobody was told of, and
    nothing reads a head without its versions."""
    with suppress(PyMongoError):
        if not await versions.exists(cls, chain_id):
            await heads.forget_head(chain_id)


async def fork(
    cls: type[D], source: D, *, user: CurrentUser, expected: Expected | None = None
) -> dict[str, Any]:
    """A new private chain from `source`'s content; an archived source only for its creator
    and admins."""
    check_expected(cls, expected, source.revision)
    if not policy.may_fork(
        user, source.model_dump(include={"createdBy", "isPublic", "isArchived"})
    ):
        raise NotFound(f"no {cls.kind} version with id {source.version_id} to copy")
    return await create_chain(
        cls,
        source.content(),
        user=user,
        is_public=False,
        tags=source.tags,
        copied_from=CopiedFrom(id=source.version_id, version=source.version),
    )


def _lease(cls: type[VersionedDocument], chain_id: PydanticObjectId) -> Any:
    async def adopt() -> bool:
        rows = await versions.numbers(cls, chain_id)
        return await heads.adopt_chain(
            chain_id, collection=cls.get_collection_name(), versions=rows
        )

    return heads.chain_lease(chain_id, kind=cls.kind, adopt=adopt, repair=partial(_repair, cls))


async def _repair(cls: type[VersionedDocument], lease: Lease) -> None:
    """Bring a chain some holder left half-changed to a consistent state: versions of publishes
    that never became latest are dropped, `isLatest` and the head's latest pointer settled, and
    a chain whose versions are all gone (a delete that stopped half-way) loses its head."""
    await heads.confirm(lease)
    await versions.drop_pending(cls, lease.chain_id)
    if await _settle(cls, lease) is None and not await versions.any_left(cls, lease.chain_id):
        await heads.drop_head(lease)


def _check_may_change(cls: type[VersionedDocument], lease: Lease, user: CurrentUser) -> None:
    head = {"createdBy": lease.owner, "adminOnly": lease.admin_only}
    policy.check_may_change_chain(user, head, kind=cls.kind)


async def _settle(cls: type[VersionedDocument], lease: Lease) -> PydanticObjectId | None:
    """Make the highest non-archived version the only latest one (clear, then set) and have the
    head record it when the lease is released; returns its id."""
    # Not the versions other holders inserted and never made latest (dropped by `_repair`).
    rows = await versions.flag_states(cls, lease.chain_id, lease.token)
    states = [
        rules.VersionState(
            id=row["_id"],
            version=row["version"],
            isArchived=bool(row.get("isArchived")),
            isLatest=bool(row.get("isLatest")),
        )
        for row in rows
    ]
    stale, promote = rules.flags_to_fix(states)
    if stale or promote is not None:
        await heads.confirm(lease)
    # Each flag write is a compare-and-set on `flagsBy` (the lease that last changed the flag)
    # as read above: a holder that stalls past its lease after `confirm` finds the flags it
    # meant to change already changed by the holder that took over (whose repair settles the
    # same versions first), and writes nothing.
    seen = {row["_id"]: row.get("flagsBy") for row in rows}
    if stale:
        await versions.clear_latest(cls, seen, stale, lease.token)
    # The write that makes a new version real (no longer pending) and latest, at once.
    if promote is not None and not await versions.make_latest(
        cls, promote, seen[promote], lease.token
    ):
        raise Conflict(f"this {cls.kind} was changed by another request meanwhile; try again")
    latest = rules.latest_of(states)
    latest_row = next((row for row in rows if latest and row["_id"] == latest.id), None)
    lease.settled = {
        "latestId": latest.id if latest else None,
        "adminOnly": cls.admin_only(latest_row) if latest_row else lease.admin_only,
    }
    return PydanticObjectId(latest.id) if latest else None  # type: ignore[arg-type]


async def publish_new_version(
    cls: type[D],
    source: D,
    content: BaseModel,
    *,
    user: CurrentUser,
    is_public: bool,
    tags: list[str],
    expected: Expected | None = None,
) -> dict[str, Any]:
    """The next version of `source`'s chain, numbered from the head's counter, made latest.
    Returns the version as stored. `expected` (If-Match) names `source`'s revision: publishing
    from the latest version makes it no longer latest, so of two editors holding its tag one
    publishes and the other gets 412."""
    check_expected(cls, expected, source.revision)
    fields = content_fields(content)
    pending: tuple[PydanticObjectId, PydanticObjectId] | None = (
        None  # this request's version while it is not yet latest
    )
    try:
        async with _lease(cls, source.chain_id) as lease:
            _check_may_change(cls, lease, user)
            await _check_current(cls, source.id, expected)
            version = await heads.take_version_number(lease)
            stored = _version_document(
                cls,
                fields,
                version_id=PydanticObjectId(),
                chain_id=source.chain_id,
                version=version,
                is_latest=False,  # set by _settle, after the old latest is cleared
                owner=lease.owner,
                is_public=is_public,
                tags=tags,
                copied_from=source.copiedFrom,
                # Hidden until `_settle` makes it latest: that write, which counts, makes it 1.
                revision=BEFORE_REVISIONS,
            )
            stored["pendingLease"] = lease.token  # hidden until _settle makes it latest
            pending = (stored["_id"], lease.token)
            try:
                await versions.insert(cls, stored)
            except DuplicateKeyError as error:
                raise Conflict(f"version {version} of this {cls.kind} already exists") from error
            latest = await _settle(cls, lease)
            if latest != stored["_id"]:  # a newer one: this request lost its lease meanwhile
                raise Conflict(f"this {cls.kind} was changed by another request; try again")
    except BaseException:
        # Failed or refused (the lease taken over) before or after `_settle`: drop the version
        # unless it was made latest (the answer lost). Safe without the lease, as only this
        # request's still-pending version matches.
        if pending is not None:
            with suppress(PyMongoError):
                await versions.drop_unpublished(cls, *pending)
        raise
    # As stored now (a kept answer is keyed by every field): made latest by this lease.
    stored["flagsBy"] = stored.pop("pendingLease")
    stored["isLatest"] = True
    stored["revision"] = FIRST
    return stored


async def archive(
    cls: type[D],
    document: D,
    *,
    user: CurrentUser,
    retention_days: int,
    expected: Expected | None = None,
) -> PydanticObjectId | None:
    """Hide the version and schedule its purge; returns the chain's latest version id after."""
    check_expected(cls, expected, document.revision)
    async with _lease(cls, document.chain_id) as lease:
        _check_may_change(cls, lease, user)
        await heads.confirm(lease)
        now = utc_now()
        if not await versions.archive(
            cls,
            document.id,
            token=lease.token,
            now=now,
            purge_at=now + timedelta(days=retention_days),
            expected=expected,
        ):
            await _check_current(cls, document.id, expected)  # else archived already
        return await _settle(cls, lease)


async def unarchive(
    cls: type[D], document: D, *, user: CurrentUser, expected: Expected | None = None
) -> PydanticObjectId | None:
    """Bring an archived version back; returns the chain's latest version id after."""
    check_expected(cls, expected, document.revision)
    async with _lease(cls, document.chain_id) as lease:
        _check_may_change(cls, lease, user)
        await heads.confirm(lease)
        if not await versions.unarchive(cls, document.id, now=utc_now(), expected=expected):
            await _check_current(cls, document.id, expected)
            raise NotFound(f"this {cls.kind} version was purged meanwhile")
        return await _settle(cls, lease)


async def purge_version(
    cls: type[D],
    document: D,
    *,
    user: CurrentUser,
    pinned: PurgeGuard = nothing_pinned,
    expected: Expected | None = None,
) -> None:
    """Hard-delete one archived version. A live version, or one `pinned` reports in use, is 409."""
    check_expected(cls, expected, document.revision)
    async with _lease(cls, document.chain_id) as lease:
        _check_may_change(cls, lease, user)
        if not document.isArchived:
            raise Conflict(f"only an archived {cls.kind} version can be purged; archive it first")
        if await pinned([document.version_id]):
            raise Conflict(f"this {cls.kind} version is in use and cannot be purged")
        await heads.confirm(lease)
        if not await versions.purge(cls, document.id, expected):
            await _check_current(cls, document.id, expected)
            raise Conflict(f"this {cls.kind} version was restored meanwhile; nothing was purged")


async def purge_archived(
    cls: type[VersionedDocument],
    *,
    where: policy.Filter,
    older_than: timedelta | None = None,
    pinned: PurgeGuard = nothing_pinned,
) -> int:
    """Hard-delete archived versions whose `purgeAt` has passed (or, with `older_than`, archived
    longer than that) among those `where` matches (`policy.PURGE_ARCHIVED`, or
    `policy.EVERYTHING`: every creator's). Returns how many went. Archived
    versions are never latest, so no chain's head changes."""
    now = utc_now()
    query: dict[str, Any] = {"isArchived": True}
    if older_than is None:
        query["purgeAt"] = {"$lte": now}
    else:
        query["archivedAt"] = {"$lte": now - older_than}
    query.update(where)
    ids = await versions.archived_ids(cls, query)
    keep = await pinned(ids) if ids else set()
    doomed = [id_ for id_ in ids if id_ not in keep]
    if not doomed:
        return 0
    return await versions.purge_many(cls, doomed)


async def repair_abandoned(cls: type[VersionedDocument]) -> int:
    """Repair the chains that a request left half-changed and that nobody changed since (a
    chain is otherwise repaired by its next change); a chain whose versions are all gone loses
    its head. Returns how many were looked at. Run by `peakhealth purge`."""
    chain_ids = await heads.abandoned(cls.get_collection_name())
    for chain_id in chain_ids:
        with suppress(Conflict, NotFound):
            async with _lease(cls, chain_id):
                pass  # taking the lease repairs the chain
    return len(chain_ids)


async def delete_chain(
    cls: type[D],
    document: D,
    *,
    user: CurrentUser,
    pinned: PurgeGuard = nothing_pinned,
    expected: Expected | None = None,
) -> int:
    """Hard-delete every version of the chain, whatever its state, then its head. `expected`
    (If-Match) names the revision of the version in the path."""
    check_expected(cls, expected, document.revision)
    async with _lease(cls, document.chain_id) as lease:
        _check_may_change(cls, lease, user)
        await _check_current(cls, document.id, expected)
        ids = await versions.chain_ids(cls, document.chain_id)
        if ids and await pinned(ids):
            raise Conflict(f"a version of this {cls.kind} is in use; the chain cannot be deleted")
        await heads.confirm(lease)
        deleted = await versions.delete_chain(cls, document.chain_id)
        await heads.drop_head(lease)
    return deleted
