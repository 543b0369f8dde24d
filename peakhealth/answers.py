"""Answers kept for documents with a large part that never changes once stored: a version's tree,
a session's workout snapshot. Such a document's JSON answer depends only on its other, small
fields, so answers are kept by those. A read fetches the small fields first (with the reader's
filter in the query); when an answer for exactly those fields is kept, the large part is neither
read, checked nor encoded again. Any change of another field makes a new key, so a kept answer is
never stale. Per process, bounded by the answers' size (least recently used go first)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import bson
from cachetools import LRUCache

from peakhealth import caching

KEPT_BYTES = 32 * 1024 * 1024
# By kind and every field but the fixed one; never stale, so never invalidated (see caching).
KEPT: LRUCache[tuple[str, bytes], bytes] = caching.kept_answers(KEPT_BYTES)


# Stored fields no answer shows: the change feed's stamp (`storage.changes`), which a write may
# set by the database's clock, so the writer cannot know it to key the answer it keeps.
UNSHOWN = frozenset({"changedAt"})


@dataclass(frozen=True)
class Kind:
    """A kind of document: its name, the field that never changes once stored, and how a stored
    document is rendered as the JSON bytes the API answers."""

    name: str
    fixed: str
    render: Callable[[dict[str, Any]], bytes]

    def key(self, fields: dict[str, Any]) -> tuple[str, bytes]:
        """The kind and every stored field but the fixed one and those no answer shows, in a
        canonical order."""
        kept = {
            name: fields[name]
            for name in sorted(fields)
            if name != self.fixed and name not in UNSHOWN
        }
        return self.name, bson.encode(kept)


def keep(kind: Kind, stored: dict[str, Any]) -> bytes:
    """`stored` rendered, and kept for the next read of it in the same state."""
    answer = kind.render(stored)
    if len(answer) <= KEPT_BYTES // 16:  # no single answer crowds out the rest
        KEPT[kind.key(stored)] = answer
    return answer


async def read_answer(
    collection: Any, query: dict[str, Any], kind: Kind
) -> tuple[bytes, dict[str, Any]] | None:
    """The answer for the document `query` finds (None when it finds none), kept or rendered
    from the whole document and kept, and the small fields it was rendered from (its revision
    among them)."""
    fields = await collection.find_one(query, {kind.fixed: 0})
    if fields is None:
        return None
    known = KEPT.get(kind.key(fields))
    if known is not None:
        return known, fields
    stored = await collection.find_one(query)
    return None if stored is None else (keep(kind, stored), stored)


async def read_answers(
    collection: Any, query: dict[str, Any], rows: list[dict[str, Any]], kind: Kind
) -> list[bytes]:
    """The answers for `rows` (documents `query` found, read without the fixed field), in their
    order: kept ones as they are, the others read whole with one `$in` query, rendered and kept.
    A document deleted in between is left out."""
    found: list[bytes | None] = [KEPT.get(kind.key(row)) for row in rows]
    missing = [row["_id"] for row, answer in zip(rows, found, strict=True) if answer is None]
    if missing:
        wanted = {"$and": [query, {"_id": {"$in": missing}}]}
        whole = {doc["_id"]: doc for doc in await collection.find(wanted).to_list(None)}
        for index, row in enumerate(rows):
            stored = whole.get(row["_id"]) if found[index] is None else None
            if stored is not None:
                found[index] = keep(kind, stored)
    return [answer for answer in found if answer is not None]
