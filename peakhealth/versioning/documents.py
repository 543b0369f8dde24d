"""The stored envelope of a versioned plan document: chain bookkeeping as typed fields, the plan
content (a section, a workout or a template routine) stored flat beside them; and how a stored
version is shown: whole, or as a list summary.

Reading never re-applies input validation: stored data is upgraded to the current
`schemaVersion` and read through lenient read models (`peakhealth.plan.reading`), which ignore
fields they do not know."""

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, TypeVar, Union, get_args

import bson
from beanie import Document, PydanticObjectId
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    create_model,
)

from peakhealth.errors import FieldError, ValidationFailed, field_errors
from peakhealth.plan.reading import (
    READ_CONFIG,
    IdText,
    ReadWithId,
    TreeCounts,
    count_tree,
    lenient,
    read_fields,
    render,
)
from peakhealth.revisions import BEFORE_REVISIONS
from peakhealth.timestamps import UtcDatetime

# A stored document after reference resolution is at most this much BSON (MongoDB's own limit
# is 16 MiB; plans far below it keep reads and listings fast).
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024

# 1: the first layout. 2: `counts` of the tree stored beside it, for list summaries.
SCHEMA_VERSION = 2


def _add_counts(stored: dict[str, Any]) -> None:
    stored["counts"] = count_tree(stored).model_dump()


# Upgrade steps: UPGRADES[n] turns a version-n document into a version-(n+1) one, in memory.
UPGRADES: dict[int, Callable[[dict[str, Any]], None]] = {1: _add_counts}


def upgrade(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored document brought to the current schemaVersion (steps need the whole tree)."""
    version = int(stored.get("schemaVersion") or 1)
    if version >= SCHEMA_VERSION:
        return stored
    upgraded = dict(stored)
    while version < SCHEMA_VERSION:
        UPGRADES[version](upgraded)
        version += 1
    upgraded["schemaVersion"] = version
    return upgraded


class CopiedFrom(BaseModel):
    """The version a chain was forked from."""

    id: IdText
    version: int


class VersionFields(BaseModel):
    """The chain bookkeeping every stored version holds and every answer shows: the one list of
    these fields (`VersionedDocument` stores them, `VersionMeta` answers them). Versions are
    written whole by the chain operations, never made from this model, so what every stored
    version has is required here."""

    version: int
    isLatest: bool
    isArchived: bool = False
    archivedAt: UtcDatetime | None = None
    purgeAt: UtcDatetime | None = None
    createdBy: str
    isPublic: bool = False
    tags: list[str] = Field(default_factory=list)
    copiedFrom: CopiedFrom | None = None
    revision: int = Field(
        default=BEFORE_REVISIONS,
        ge=0,
        description="Counts the lifecycle changes (latest, archived); the ETag is its value",
    )
    schemaVersion: int
    createdAt: UtcDatetime
    updatedAt: UtcDatetime


class VersionedDocument(Document, VersionFields):
    """One version of a chain. Subclasses name their chain field, kind and content type; the
    fields they declare (the chain field, a scope field) are answered too."""

    # Beanie declares its `model_config` under an `if`, which mypy takes for an instance variable
    # once a second model is a base.
    model_config = ConfigDict(extra="allow", populate_by_name=True)  # type: ignore[misc]

    chain_field: ClassVar[str]
    kind: ClassVar[str]
    resource_type: ClassVar[str]  # as the change feed and webhook events name it
    content_type: ClassVar[TypeAdapter[Any]]  # today's input rules, for new documents
    read_type: ClassVar[TypeAdapter[Any]]  # the lenient read model of the same content
    tree_field: ClassVar[str]  # the nested part a list summary leaves out
    content_has_id: ClassVar[bool] = True  # a section or workout is itself a plan element
    scope: ClassVar[dict[str, str]] = {}  # narrows a collection shared with other documents
    policy_fields: ClassVar[tuple[str, ...]] = ()  # read to decide `admin_only`
    views: ClassVar[tuple[TypeAdapter[Any], TypeAdapter[Any]]]  # whole version, summary
    full_model: ClassVar[Any]  # response models of the same, for the OpenAPI document
    summary_model: ClassVar[Any]

    counts: TreeCounts | None = None  # stored for list summaries, which show it in the tree's place

    @classmethod
    def admin_only(cls, stored: dict[str, Any]) -> bool:
        """True when a chain whose latest version is `stored` may be changed by admins only."""
        return False

    @classmethod
    def in_scope(cls, query: dict[str, Any]) -> dict[str, Any]:
        """`query` narrowed to this document's part of the collection."""
        return {**query, **cls.scope}

    @property
    def chain_id(self) -> PydanticObjectId:
        chain: PydanticObjectId = getattr(self, self.chain_field)
        return chain

    @property
    def version_id(self) -> PydanticObjectId:
        assert self.id is not None, "a stored version always has an id"
        return self.id

    def stored(self) -> dict[str, Any]:
        """The document as MongoDB holds it, upgraded to the current schemaVersion."""
        stored = self.model_dump(exclude={"id", "revision_id"})
        stored["_id"] = self.id
        return upgrade(stored)

    def content(self) -> Any:
        """The plan content, checked against today's input rules: what a fork or a copy into
        another plan starts from. Content that no longer passes them is a 422."""
        content = self.read_type.validate_python(self.stored())
        submitted = self.read_type.dump_python(
            content, mode="json", by_alias=True, exclude_none=True
        )
        if not self.content_has_id:
            submitted.pop("id", None)
        try:
            return self.content_type.validate_python(submitted)
        except Exception as error:
            if hasattr(error, "errors"):
                raise ValidationFailed(field_errors(error)) from error  # type: ignore[arg-type]
            raise


D = TypeVar("D", bound=VersionedDocument)


def content_fields(content: BaseModel) -> dict[str, Any]:
    """Content as stored in MongoDB (aliases, ObjectIds, no nulls), without its own id, with
    the counts of its tree."""
    stored: dict[str, Any] = content.model_dump(mode="python", by_alias=True, exclude_none=True)
    stored.pop("_id", None)
    stored.pop("orderIndex", None)
    stored["counts"] = count_tree(stored).model_dump()
    size = len(bson.encode(stored))
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(
            [
                FieldError(
                    "body",
                    f"the document would be {size} bytes once references are resolved;"
                    f" the limit is {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB",
                )
            ]
        )
    return stored


# ----- how versions are shown ------------------------------------------------------------------


class CopiedFromRead(CopiedFrom):
    """The version a chain was forked from."""

    model_config = READ_CONFIG


class VersionMeta(VersionFields, ReadWithId):
    """Chain bookkeeping shown with every version."""

    copiedFrom: CopiedFromRead | None = None  # CopiedFrom, as the OpenAPI document names it


def _members(content: Any) -> list[tuple[str, type[BaseModel]]]:
    """The model classes of a content annotation: one, or the members of a tagged union."""
    if isinstance(content, type):
        return [("", content)]
    union, *_ = get_args(content)
    members = []
    for member in get_args(union):
        cls, *metadata = get_args(member)
        tag = next(item.tag for item in metadata if isinstance(item, Tag))
        members.append((tag, cls))
    return members


def plan_views(
    content: Any,
    *,
    meta: type[BaseModel],
    tree_field: str,
    fields: dict[str, Any] | None = None,
    name: str | None = None,
) -> tuple[Any, Any]:
    """Response models of stored plan content shown with `meta` (and `fields`): the whole
    document, and its list summary (the tree left out, its counts added). Members of a tagged
    union get one model each, named after the member; a single model may be given `name`."""
    extra = fields or {}

    def view(suffix: str, model: type[BaseModel], summary: bool) -> type[BaseModel]:
        leave_out = frozenset({tree_field}) if summary else frozenset()
        defined = {**read_fields(model, leave_out=leave_out), **extra}
        defined.pop("orderIndex", None)
        if summary:
            defined["counts"] = (TreeCounts, Field(default_factory=TreeCounts))
        title = f"{name}{'Summary' if summary else ''}" if name else f"{model.__name__}{suffix}"
        return create_model(title, __base__=meta, __module__=__name__, **defined)

    def union_of(suffix: str, summary: bool) -> Any:
        members = _members(content)
        if len(members) == 1:
            return view(suffix, members[0][1], summary)
        tags = {tag.split(" ")[0]: tag for tag, _ in members if tag}

        def pick(value: object) -> str | None:
            kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
            return tags.get(kind) if isinstance(kind, str) else None

        return Annotated[
            Union[  # noqa: UP007 - built at run time
                tuple(Annotated[view(suffix, model, summary), Tag(tag)] for tag, model in members)
            ],
            Discriminator(pick),
        ]

    return union_of("Version", summary=False), union_of("Summary", summary=True)


def describe_content(cls: type[VersionedDocument], content: Any, *, tree_field: str) -> None:
    """Give a versioned document class its content: the input rules (`content_type`), the read
    model (`read_type`) and the response models of the whole version and of its list summary."""
    cls.content_type = TypeAdapter(content)
    cls.read_type = TypeAdapter(lenient(content))
    cls.tree_field = tree_field
    # What the document class itself declares (its chain field, a scope field) is shown too.
    meta_fields = {
        name: (info.annotation, info)
        for name, info in cls.model_fields.items()
        if name not in VersionedDocument.model_fields
    }
    cls.full_model, cls.summary_model = plan_views(
        content, meta=VersionMeta, tree_field=tree_field, fields=meta_fields
    )
    cls.views = (TypeAdapter(cls.full_model), TypeAdapter(cls.summary_model))


def present_view(
    views: tuple[TypeAdapter[Any], TypeAdapter[Any]], stored: dict[str, Any], *, full: bool
) -> BaseModel:
    """A stored plan document (raw, as MongoDB returns it) read into its view (whole, or
    summarized): upgraded, read leniently, never re-checked. The routers write it to JSON."""
    adapter = views[0] if full else views[1]
    view: BaseModel = adapter.validate_python(upgrade(stored) if full else stored)
    return view


def present_stored(
    cls: type[VersionedDocument], stored: dict[str, Any], *, full: bool
) -> BaseModel:
    """A stored version read into its view: whole or summarized."""
    return present_view(cls.views, stored, full=full)


def render_stored(cls: type[VersionedDocument], stored: dict[str, Any]) -> bytes:
    """A stored version, whole, as the JSON bytes the API answers (read model, no re-checks)."""
    return render(cls.views[0], upgrade(stored))
