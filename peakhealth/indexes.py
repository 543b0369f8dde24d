"""The indexes the documents declare against the ones the database holds, per collection.

MongoDB refuses to create an index whose name is taken by another key pattern or options
(IndexKeySpecsConflict, code 86), or whose key pattern exists under another name
(IndexOptionsConflict, code 85); mongomock accepts both. So the check compares what is declared
with what `index_information()` lists, which answers the same on both, and names each index that
is missing, in the way of a declared one (conflicting) or declared by nothing (extra).

Start-up creates the missing indexes and refuses to start while any conflict remains, naming what
to drop; extra indexes are only logged. `peakhealth indexes --apply` drops conflicting and extra
indexes and creates the declared ones: dropping an index loses no data, and an index nothing
declares serves none of the service's queries."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pymongo import IndexModel
from pymongo.errors import OperationFailure

# What changes an index's meaning; the rest of `index_information()` (v, ns, background) does
# not. unique and sparse are false when absent.
_OPTIONS = ("unique", "sparse", "partialFilterExpression", "expireAfterSeconds", "collation")


@dataclass(frozen=True, eq=False)
class Index:
    """One index: its name, key pattern (in order) and meaningful options."""

    name: str
    keys: tuple[tuple[str, Any], ...]
    options: dict[str, Any]
    model: IndexModel | None = None  # how to create it, for a declared index

    @classmethod
    def declared(cls, model: IndexModel) -> "Index":
        document = model.document
        return cls(document["name"], _keys(document["key"]), _options(document), model)

    @classmethod
    def existing(cls, name: str, information: dict[str, Any]) -> "Index":
        return cls(name, _keys(information["key"]), _options(information))

    def to_create(self) -> IndexModel:
        assert self.model is not None, "only a declared index is created"
        return self.model

    def same_as(self, other: "Index") -> bool:
        return self.keys == other.keys and self.options == other.options

    def __str__(self) -> str:
        keys = ", ".join(f"{field_} {direction}" for field_, direction in self.keys)
        options = ", ".join(
            key if value is True else f"{key} {value}" for key, value in self.options.items()
        )
        return f"'{self.name}' ({keys}{'; ' + options if options else ''})"


def _keys(key: Any) -> tuple[tuple[str, Any], ...]:
    pairs = key.items() if isinstance(key, dict) else key
    # Indexes made by old shells list their directions as 1.0: the same index.
    return tuple(
        (str(name), int(d) if isinstance(d, float) and d.is_integer() else d) for name, d in pairs
    )


def _options(document: dict[str, Any]) -> dict[str, Any]:
    return {
        key: document[key]
        for key in _OPTIONS
        if key in document and document[key] not in (False, None)
    }


@dataclass(frozen=True)
class Conflict:
    existing: Index
    declared: Index

    def __str__(self) -> str:
        if self.existing.name == self.declared.name:
            why = f"differs from the declared {self.declared}"
        elif self.existing.same_as(self.declared):
            why = f"is the declared {self.declared} under another name"
        else:
            why = f"has the key pattern of the declared {self.declared}"
        return f"index {self.existing} {why}"


@dataclass
class CollectionIndexes:
    """How one collection's indexes stand against its declared ones."""

    collection: Any
    declared: list[Index]
    missing: list[Index] = field(default_factory=list)
    conflicting: list[Conflict] = field(default_factory=list)
    extra: list[Index] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.collection.name)

    @property
    def in_order(self) -> bool:
        return not (self.missing or self.conflicting or self.extra)

    def drop_command(self, index: Index) -> str:
        return f'db.{self.name}.dropIndex("{index.name}")'

    def missing_lines(self) -> list[str]:
        return [f"{self.name}: missing index {index}" for index in self.missing]

    def conflict_lines(self) -> list[str]:
        return [
            f"{self.name}: {conflict}; drop it: {self.drop_command(conflict.existing)}"
            for conflict in self.conflicting
        ]

    def extra_lines(self) -> list[str]:
        return [
            f"{self.name}: index {index} is declared by no document; drop it:"
            f" {self.drop_command(index)}"
            for index in self.extra
        ]

    def lines(self) -> list[str]:
        """One line per index out of order, saying what is wrong and what to do."""
        return [*self.missing_lines(), *self.conflict_lines(), *self.extra_lines()]


def declared_by_collection(models: Iterable[Any]) -> dict[str, tuple[Any, list[Index]]]:
    """Each collection (with Beanie initialised) and the indexes its documents declare; several
    documents may share one collection (template and user routines do)."""
    out: dict[str, tuple[Any, list[Index]]] = {}
    for model in models:
        settings = model.get_settings()
        _, indexes = out.setdefault(settings.name, (model.get_motor_collection(), []))
        # Beanie keeps Settings.indexes as IndexModelField (`.index` is the IndexModel).
        indexes.extend(Index.declared(getattr(item, "index", item)) for item in settings.indexes)
    return out


async def inspect(models: Iterable[Any]) -> list[CollectionIndexes]:
    """Every collection's indexes, compared with the declared ones."""
    reports = []
    for collection, declared in declared_by_collection(models).values():
        information = await collection.index_information()
        existing = [
            Index.existing(name, details) for name, details in information.items() if name != "_id_"
        ]
        report = CollectionIndexes(collection, declared)
        matched: set[str] = set()
        for wanted in declared:
            by_name = next((index for index in existing if index.name == wanted.name), None)
            same_keys = [
                index
                for index in existing
                if index.keys == wanted.keys and index.name != wanted.name
            ]
            if by_name is not None and not by_name.same_as(wanted):
                report.conflicting.append(Conflict(by_name, wanted))
            report.conflicting.extend(Conflict(index, wanted) for index in same_keys)
            if by_name is None:
                report.missing.append(wanted)
            matched.update(index.name for index in [*same_keys, *([by_name] if by_name else [])])
        report.extra = [index for index in existing if index.name not in matched]
        reports.append(report)
    return reports


class IndexesNotInOrder(Exception):
    """Start-up met indexes in the way of declared ones; the message says what to drop."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(
            "the database's indexes are not in order; drop the indexes named below (with the"
            " service stopped) or run `peakhealth indexes --apply`:\n  " + "\n  ".join(lines)
        )
        self.lines = lines


async def ensure(models: Iterable[Any], warn: Callable[[str], None]) -> None:
    """Start-up: create missing declared indexes; raise IndexesNotInOrder while an index is in the
    way of a declared one; `warn` about indexes nothing declares."""
    reports = await inspect(models)
    conflicts = [line for report in reports for line in report.conflict_lines()]
    if conflicts:
        raise IndexesNotInOrder(conflicts)
    for report in reports:
        for line in report.extra_lines():
            warn(f"{line} (or run `peakhealth indexes --apply`)")
        if report.missing:
            try:
                await report.collection.create_indexes(
                    [index.to_create() for index in report.missing]
                )
            except OperationFailure as error:
                # A conflict the check could not see: an index made meanwhile by someone else.
                raise IndexesNotInOrder([f"{report.name}: {error}"]) from error


async def apply(models: list[Any], progress: Callable[[str], None]) -> list[str]:
    """Put every collection's indexes in order: drop conflicting and extra indexes, then create
    the missing declared ones. Returns what could not be done (empty: all in order)."""
    failures: list[str] = []
    for report in await inspect(models):
        doomed = {conflict.existing.name: conflict.existing for conflict in report.conflicting}
        doomed.update((index.name, index) for index in report.extra)
        for index in doomed.values():
            progress(f"{report.name}: dropping index {index}")
            try:
                await report.collection.drop_index(index.name)
            except OperationFailure as error:
                # MongoDB refuses to drop, for example, a sharded collection's shard key index.
                failures.append(f"{report.name}: index {index} could not be dropped: {error}")
    for report in await inspect(models):  # after the drops: what is still missing
        for index in report.missing:
            progress(f"{report.name}: creating index {index}")
            try:
                await report.collection.create_indexes([index.to_create()])
            except OperationFailure as error:
                # A unique index over data that breaks it, or an index a drop above left in place.
                failures.append(f"{report.name}: index {index} could not be created: {error}")
    return failures
