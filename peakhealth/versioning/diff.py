"""The structural diff of two versions of a plan document (DOMAIN.md section 15), pure.

Elements (workouts, sections, exercises, sets) are matched by id: a version published from a
GET of the one before keeps its elements' ids. The result lists:

- `added` / `removed`: an element in one version only; one entry, its children not listed.
- `moved`: an element in both whose parent changed, or whose order among its siblings present in
  both versions (under the same parent in both) changed. Of such siblings the fewest are named:
  those outside a longest run that kept its order, so swapping two names one and inserting or
  removing a sibling names none.
- `changed`: an element's own fields that differ, `{name: {from, to}}`; children are their own
  entries, and `orderIndex`, `setNumber` (rewritten from position) never count. An element
  both moved and changed has both entries, `moved` first.
- kind `document`: the version's own top-level fields (`name`, `duration`, `schedule`, `type`,
  `isPublic`, `tags`, ...), without the bookkeeping in `BOOKKEEPING`.

`path` is where the element is, in the API's field-path notation (`workouts[0].sections[2]`):
in the `to` version, in the `from` version for a removed element; the document's path is "".

Order: a pre-order walk of the `to` version (the document first, each element before its
children, children in array order) gives the entries of every element found there; then the
`removed` ones follow, in a pre-order walk of the `from` version. Two runs on the same versions
always give the same list."""

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bson import ObjectId
from pydantic import BaseModel, ConfigDict, Field

from peakhealth.plan.reading import ID_PATTERN

Op = Literal["added", "removed", "changed", "moved"]
Kind = Literal["document", "workout", "section", "exercise", "set"]

# The plan tree below a document, top-down: each level's kind and the field holding it.
LEVELS: tuple[tuple[Kind, str], ...] = (
    ("workout", "workouts"),
    ("section", "sections"),
    ("exercise", "exercises"),
    ("set", "sets"),
)

# Fields of a stored version that are not its content: ids and chain fields, numbering,
# lifecycle and revision, timestamps, derived counts, the change feed's stamp, markers of
# operations under way, the collection's scope. `isPublic` and `tags` are chosen per version by
# its author (the publish body), so they are content and do count.
BOOKKEEPING = frozenset(
    {
        "_id",
        "id",
        "parentSectionId",
        "parentWorkoutId",
        "parentRoutineId",
        "version",
        "isLatest",
        "isArchived",
        "archivedAt",
        "purgeAt",
        "createdBy",
        "copiedFrom",
        "revision",
        "schemaVersion",
        "createdAt",
        "updatedAt",
        "changedAt",
        "counts",
        "pendingLease",
        "flagsBy",
        "routineType",
    }
)
# Rewritten by the server from array position: never a change of their own.
POSITIONAL = frozenset({"_id", "id", "orderIndex", "setNumber"})


class FieldChange(BaseModel):
    """One field's value in each version (null where a version does not have it)."""

    model_config = ConfigDict(populate_by_name=True)

    from_: Any = Field(default=None, alias="from")
    to: Any = None


class VersionChange(BaseModel):
    """One change of a version diff."""

    op: Op
    kind: Kind
    id: str = Field(
        description="The element's id; the version's id for `document`",
        json_schema_extra={"pattern": ID_PATTERN},  # the schema's: ids compare as any text
    )
    path: str = Field(description="workouts[0].sections[2] style; '' for the document")
    fields: dict[str, FieldChange] | None = Field(
        default=None, description="Only for `changed`: each differing field, from and to"
    )


class VersionDiff(BaseModel):
    """What changed from the version `from` to the version `to`."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", description="The version compared from")
    to: str = Field(description="The version compared to")
    changes: list[VersionChange]


@dataclass(slots=True)  # not frozen: a frozen dataclass is built slower, and there are many
class _Element:
    kind: Kind
    id: str
    parent: str  # the parent element's id, "" under the document
    index: int  # its position among its parent's children
    path: str
    own: dict[str, Any]  # its own fields, children and positional fields left out


def levels_below(tree_field: str) -> tuple[tuple[Kind, str], ...]:
    """The levels of a document whose tree starts at `tree_field` (a section's `exercises`, a
    workout's `sections`, a routine's `workouts`)."""
    fields = [field for _, field in LEVELS]
    return LEVELS[fields.index(tree_field) :]


def _json(value: Any) -> Any:
    """A stored value as the API writes it: ids as hex text, timestamps ISO 8601."""
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, Mapping):
        return {("id" if key == "_id" else key): _json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return value


def _element_id(element: Mapping[str, Any]) -> str:
    """Stored elements have `_id`, answered ones `id`."""
    return str(element["_id"] if "_id" in element else element.get("id", ""))


def _walk(
    items: Sequence[Mapping[str, Any]],
    levels: tuple[tuple[Kind, str], ...],
    parent: str,
    prefix: str,
    into: dict[str, _Element],
) -> dict[str, _Element]:
    """Every element under `items`, by id, in pre-order: each element, then its children."""
    kind, field = levels[0]
    child_field = levels[1][1] if len(levels) > 1 else None
    leave_out = POSITIONAL | {child_field} if child_field else POSITIONAL
    for index, item in enumerate(items):
        path = f"{prefix}.{field}[{index}]" if prefix else f"{field}[{index}]"
        element_id = _element_id(item)
        own = {key: value for key, value in item.items() if key not in leave_out}
        into[element_id] = _Element(kind, element_id, parent, index, path, own)
        if child_field:
            _walk(item.get(child_field) or [], levels[1:], element_id, path, into)
    return into


def _field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, FieldChange]:
    """Each field whose value differs, in the order of `after`'s fields, then `before`'s."""
    if before == after:  # most elements: one comparison in C
        return {}
    names = list(after) + [name for name in before if name not in after]
    return {
        name: FieldChange(from_=_json(before.get(name)), to=_json(after.get(name)))
        for name in names
        if before.get(name) != after.get(name)
    }


def _out_of_order(ids: list[str], earlier_rank: Mapping[str, int]) -> set[str]:
    """The fewest of `ids` (siblings in the newer order) to call moved: those outside one
    longest run whose older order is kept (a longest increasing subsequence of their older
    ranks, patience sorting)."""
    ranks = [earlier_rank[id_] for id_ in ids]
    tails: list[int] = []  # tails[k]: rank ending the best run of length k + 1 so far
    tail_at: list[int] = []  # the index in `ids` of that rank
    previous = [-1] * len(ids)
    for index, rank in enumerate(ranks):
        spot = bisect_left(tails, rank)
        if spot:
            previous[index] = tail_at[spot - 1]
        if spot == len(tails):
            tails.append(rank)
            tail_at.append(index)
        else:
            tails[spot] = rank
            tail_at[spot] = index
    kept: set[str] = set()
    index = tail_at[-1] if tail_at else -1
    while index >= 0:
        kept.add(ids[index])
        index = previous[index]
    return {id_ for id_ in ids if id_ not in kept}


def _moved(before: dict[str, _Element], after: dict[str, _Element]) -> set[str]:
    """Elements in both versions whose parent changed or whose order among the siblings that
    stayed under the same parent changed."""
    moved = {
        id_
        for id_, element in after.items()
        if id_ in before and before[id_].parent != element.parent
    }
    stayed: dict[str, list[str]] = {}  # parent -> children in `after` order that stayed there
    for id_, element in after.items():  # dicts keep the walk's (array) order
        if id_ in before and id_ not in moved:
            stayed.setdefault(element.parent, []).append(id_)
    for siblings in stayed.values():
        if len(siblings) > 1:
            moved |= _out_of_order(siblings, {id_: before[id_].index for id_ in siblings})
    return moved


def diff_versions(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    tree_field: str,
) -> VersionDiff:
    """The changes from the stored version `before` to `after` (raw documents as MongoDB keeps
    them, or as the API shows them), whose trees start at `tree_field`."""
    levels = levels_below(tree_field)
    old = _walk(before.get(tree_field) or [], levels, "", "", {})
    new = _walk(after.get(tree_field) or [], levels, "", "", {})
    changes: list[VersionChange] = []
    skip_doc = BOOKKEEPING | {tree_field}
    document = _field_changes(
        {k: v for k, v in before.items() if k not in skip_doc},
        {k: v for k, v in after.items() if k not in skip_doc},
    )
    if document:
        changes.append(
            VersionChange(
                op="changed", kind="document", id=_element_id(after), path="", fields=document
            )
        )
    moved = _moved(old, new)
    added: set[str] = set()  # an added element's new descendants are not listed
    for id_, element in new.items():
        if id_ not in old:
            if element.parent not in added:
                changes.append(
                    VersionChange(op="added", kind=element.kind, id=id_, path=element.path)
                )
            added.add(id_)
            continue
        if id_ in moved:  # also an element moved into an added parent
            changes.append(VersionChange(op="moved", kind=element.kind, id=id_, path=element.path))
        fields = _field_changes(old[id_].own, element.own)
        if fields:
            changes.append(
                VersionChange(
                    op="changed", kind=element.kind, id=id_, path=element.path, fields=fields
                )
            )
    removed: set[str] = set()
    for id_, element in old.items():
        if id_ not in new:
            if element.parent not in removed:
                changes.append(
                    VersionChange(op="removed", kind=element.kind, id=id_, path=element.path)
                )
            removed.add(id_)
    return VersionDiff(from_=_element_id(before), to=_element_id(after), changes=changes)
