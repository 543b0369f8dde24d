"""The one version-chain mechanism shared by library sections, library workouts and template
routines: create, new version, copy, archive, unarchive, purge, delete chain, list versions.

A chain is every version sharing a chain id (the `_id` of v1). A unique index on
(chain id, version) settles concurrent edits: the loser retries with the next number. After every
lifecycle change `settle_latest` makes `isLatest` true on exactly the highest non-archived version.
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, ClassVar, TypeVar

from beanie import Document, PydanticObjectId, SortDirection
from beanie.odm.utils.encoder import Encoder
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pymongo.errors import DuplicateKeyError

from peakhealth.errors import Conflict, Forbidden, NotFound
from peakhealth.identity.users import CurrentUser
from peakhealth.timestamps import UtcDatetime, utc_now

MAX_PUBLISH_ATTEMPTS = 64


class CopiedFrom(BaseModel):
    """The version a chain was forked from."""

    id: PydanticObjectId
    version: int


class VersionedDocument(Document):
    """Envelope of a versioned plan document: chain bookkeeping as typed fields, the plan content
    (a section, a workout or a template routine) stored flat beside them and typed by
    `content_type` when read."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    chain_field: ClassVar[str]
    kind: ClassVar[str]
    content_type: ClassVar[TypeAdapter[Any]]
    content_has_id: ClassVar[bool] = True  # a section or workout is itself a plan element
    scope: ClassVar[dict[str, Any]] = {}  # narrows a collection shared with other documents

    version: int = Field(ge=1)
    isLatest: bool = True
    isArchived: bool = False
    archivedAt: UtcDatetime | None = None
    purgeAt: UtcDatetime | None = None
    createdBy: str
    isPublic: bool = False
    tags: list[str] = Field(default_factory=list)
    copiedFrom: CopiedFrom | None = None
    schemaVersion: int = 1
    createdAt: UtcDatetime = Field(default_factory=utc_now)
    updatedAt: UtcDatetime = Field(default_factory=utc_now)

    @property
    def chain_id(self) -> PydanticObjectId:
        chain: PydanticObjectId = getattr(self, self.chain_field)
        return chain

    @property
    def version_id(self) -> PydanticObjectId:
        assert self.id is not None, "a stored version always has an id"
        return self.id

    def content(self) -> Any:
        """The plan content of this version, validated into its pydantic model."""
        stored = dict(self.model_extra or {})
        if self.content_has_id:
            stored["_id"] = self.id
        return self.content_type.validate_python(stored)

    def present(self) -> dict[str, Any]:
        """This version as the API shows it: content fields, then the chain bookkeeping."""
        content = self.content()
        body: dict[str, Any] = content.model_dump(mode="json", by_alias=True, exclude_none=True)
        body.pop("orderIndex", None)
        meta = self.model_dump(
            mode="json", include=set(type(self).model_fields) - {"id", "revision_id"}
        )
        return {"id": str(self.id), **body, **meta}


D = TypeVar("D", bound=VersionedDocument)

_content_encoder = Encoder(to_db=True, keep_nulls=False)


def content_fields(content: BaseModel) -> dict[str, Any]:
    """Content as stored in MongoDB (aliases, ObjectIds, no nulls), without its own id."""
    stored: dict[str, Any] = _content_encoder.encode(content)
    stored.pop("_id", None)
    stored.pop("orderIndex", None)
    return stored


# ----- who may read and who may change --------------------------------------------------------


def can_read(document: VersionedDocument, user: CurrentUser) -> bool:
    """Own, public, or anything for admins."""
    return user.is_admin or document.createdBy == user.id or document.isPublic


def readable_filter(user: CurrentUser) -> dict[str, Any]:
    """The MongoDB filter for `can_read`."""
    if user.is_admin:
        return {}
    return {"$or": [{"isPublic": True}, {"createdBy": user.id}]}


def parse_id(value: str) -> PydanticObjectId:
    """A path id; callers validate the format at the edge, so a bad one here is just unknown."""
    try:
        return PydanticObjectId(value)
    except Exception as error:
        raise NotFound(f"no version with id {value!r}") from error


async def load_readable(cls: type[D], version_id: str, user: CurrentUser) -> D:
    """The version, or NotFound when it does not exist or the caller may not read it."""
    document = await cls.find_one({"_id": parse_id(version_id), **cls.scope})
    if document is None or not can_read(document, user):
        raise NotFound(f"no {cls.kind} version with id {version_id}")
    return document


async def load_editable(cls: type[D], version_id: str, user: CurrentUser) -> D:
    """The version, when the caller created its chain or is an admin; 403 for a readable chain
    someone else owns, 404 for one they cannot read."""
    document = await load_readable(cls, version_id, user)
    if not (user.is_admin or document.createdBy == user.id):
        raise Forbidden(f"only the creator of this {cls.kind} or an admin may change it")
    return document


# ----- lifecycle -------------------------------------------------------------------------------


async def create_chain(
    cls: type[D],
    content: BaseModel,
    *,
    user: CurrentUser,
    is_public: bool,
    tags: list[str],
    copied_from: CopiedFrom | None = None,
) -> D:
    """A new chain: version 1, latest."""
    version_id = PydanticObjectId()
    document = cls(
        id=version_id,
        version=1,
        isLatest=True,
        createdBy=user.id,
        isPublic=is_public,
        tags=tags,
        copiedFrom=copied_from,
        **{cls.chain_field: version_id},
        **content_fields(content),
    )
    await document.insert()
    return document


async def publish_new_version(
    cls: type[D], source: D, content: BaseModel, *, is_public: bool, tags: list[str]
) -> D:
    """The next version of `source`'s chain: highest version + 1, latest. Concurrent publishers
    collide on the unique index and retry with the next number."""
    fields = content_fields(content)
    for _ in range(MAX_PUBLISH_ATTEMPTS):
        top = (
            await cls.find({cls.chain_field: source.chain_id})
            .sort([("version", SortDirection.DESCENDING)])
            .first_or_none()
        )
        document = cls(
            version=(top.version if top else 0) + 1,
            isLatest=True,
            createdBy=source.createdBy,
            isPublic=is_public,
            tags=tags,
            copiedFrom=source.copiedFrom,
            **{cls.chain_field: source.chain_id},
            **fields,
        )
        try:
            await document.insert()
        except DuplicateKeyError:
            continue
        await settle_latest(cls, source.chain_id)
        return document
    raise Conflict(f"too many concurrent edits of this {cls.kind}; try again")


async def settle_latest(cls: type[VersionedDocument], chain_id: PydanticObjectId) -> str | None:
    """Make the highest non-archived version the only latest one; returns its id.

    Each pass reads the chain's flags and corrects what is wrong; a concurrent writer's stale
    correction is caught by its own next pass, so when the last request returns the chain is
    consistent."""
    collection = cls.get_motor_collection()
    for _ in range(MAX_PUBLISH_ATTEMPTS):
        rows = await collection.find(
            {cls.chain_field: chain_id}, {"version": 1, "isLatest": 1, "isArchived": 1}
        ).to_list(None)
        live = [row for row in rows if not row.get("isArchived")]
        top = max(live, key=lambda row: row["version"]) if live else None
        stale = [
            row["_id"]
            for row in rows
            if row.get("isLatest") and (top is None or row["_id"] != top["_id"])
        ]
        if top is not None and not top.get("isLatest"):
            await collection.update_one(
                {"_id": top["_id"], "isArchived": False}, {"$set": {"isLatest": True}}
            )
        elif not stale:
            return str(top["_id"]) if top else None
        if stale:
            await collection.update_many({"_id": {"$in": stale}}, {"$set": {"isLatest": False}})
    raise Conflict(f"this {cls.kind} is being changed by many requests at once; try again")


async def archive(cls: type[D], document: D, *, retention_days: int) -> str | None:
    """Hide the version and schedule its purge; returns the chain's latest version id after."""
    if not document.isArchived:
        now = utc_now()
        await cls.get_motor_collection().update_one(
            {"_id": document.id, "isArchived": False},
            {
                "$set": {
                    "isArchived": True,
                    "isLatest": False,
                    "archivedAt": now,
                    "purgeAt": now + timedelta(days=retention_days),
                    "updatedAt": now,
                }
            },
        )
    return await settle_latest(cls, document.chain_id)


async def unarchive(cls: type[D], document: D) -> str | None:
    """Bring an archived version back; returns the chain's latest version id after."""
    if document.isArchived:
        await cls.get_motor_collection().update_one(
            {"_id": document.id, "isArchived": True},
            {
                "$set": {
                    "isArchived": False,
                    "archivedAt": None,
                    "purgeAt": None,
                    "updatedAt": utc_now(),
                }
            },
        )
    return await settle_latest(cls, document.chain_id)


PurgeGuard = Callable[[list[PydanticObjectId]], Awaitable[set[PydanticObjectId]]]


async def _nothing_pinned(ids: list[PydanticObjectId]) -> set[PydanticObjectId]:
    return set()


async def purge_version(cls: type[D], document: D, *, pinned: PurgeGuard = _nothing_pinned) -> None:
    """Hard-delete one archived version. A live version, or one `pinned` reports in use, is 409."""
    if not document.isArchived:
        raise Conflict(f"only an archived {cls.kind} version can be purged; archive it first")
    if await pinned([document.version_id]):
        raise Conflict(f"this {cls.kind} version is in use and cannot be purged")
    result = await cls.get_motor_collection().delete_one({"_id": document.id, "isArchived": True})
    if result.deleted_count == 0:
        raise Conflict(f"this {cls.kind} version was restored meanwhile; nothing was purged")


async def purge_archived(
    cls: type[VersionedDocument],
    *,
    owner: str | None,
    older_than: timedelta | None = None,
    pinned: PurgeGuard = _nothing_pinned,
) -> int:
    """Hard-delete archived versions whose `purgeAt` has passed (or, with `older_than`, archived
    longer than that); `owner` None means every creator's. Returns how many went."""
    now = utc_now()
    query: dict[str, Any] = {"isArchived": True}
    if older_than is None:
        query["purgeAt"] = {"$lte": now}
    else:
        query["archivedAt"] = {"$lte": now - older_than}
    if owner is not None:
        query["createdBy"] = owner
    collection = cls.get_motor_collection()
    ids = [row["_id"] for row in await collection.find(query, {"_id": 1}).to_list(None)]
    keep = await pinned(ids) if ids else set()
    doomed = [id_ for id_ in ids if id_ not in keep]
    if not doomed:
        return 0
    result = await collection.delete_many({"_id": {"$in": doomed}, "isArchived": True})
    return int(result.deleted_count)


async def delete_chain(cls: type[D], document: D, *, pinned: PurgeGuard = _nothing_pinned) -> int:
    """Hard-delete every version of the chain, whatever its state."""
    collection = cls.get_motor_collection()
    ids = [
        row["_id"]
        for row in await collection.find({cls.chain_field: document.chain_id}, {"_id": 1}).to_list(
            None
        )
    ]
    if ids and await pinned(ids):
        raise Conflict(f"a version of this {cls.kind} is in use; the chain cannot be deleted")
    result = await collection.delete_many({cls.chain_field: document.chain_id})
    return int(result.deleted_count)


async def list_versions(
    cls: type[D], document: D, user: CurrentUser, *, skip: int, limit: int
) -> tuple[list[D], int]:
    """Versions of the chain, newest first; archived ones only for the creator or an admin."""
    query: dict[str, Any] = {cls.chain_field: document.chain_id}
    if not (user.is_admin or document.createdBy == user.id):
        query["isArchived"] = False
    return await find_page(cls, query, sort=[("version", -1)], skip=skip, limit=limit)


async def find_page(
    cls: type[D], query: dict[str, Any], *, sort: list[tuple[str, Any]], skip: int, limit: int
) -> tuple[list[D], int]:
    """One page of documents and the total count for `query`."""
    total = await cls.find(query).count()
    items = await cls.find(query).sort(sort).skip(skip).limit(limit).to_list()
    return items, total
