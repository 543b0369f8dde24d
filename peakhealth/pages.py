"""Reading one page of stored documents and how many match in all, shared by every list, and
the `{data, pagination}` body a list answers. The count is a second round trip (a scan of the
index on a server), so it is asked only when the page cannot tell the total by itself."""

import math
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Pagination(BaseModel):
    currentPage: int
    pageSize: int
    totalItems: int
    totalPages: int
    hasNextPage: bool
    hasPrevPage: bool

    @classmethod
    def of(cls, total: int, page: int, limit: int) -> "Pagination":
        """Where page `page` of `limit` items lies among `total` items."""
        pages = math.ceil(total / limit) if total else 0
        return cls(
            currentPage=page,
            pageSize=limit,
            totalItems=total,
            totalPages=pages,
            hasNextPage=page < pages,
            hasPrevPage=page > 1,
        )


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    data: list[T]
    pagination: Pagination


async def total_items(
    skip: int, limit: int, found: int, count: Callable[[], Awaitable[int]]
) -> int:
    """How many items match in all, given a page of `found` items read at `skip` with `limit`. A
    page that is neither full nor empty past the start knows it (skip + found); a full page, or an
    empty one past the start, calls `count`."""
    if 0 < found < limit or (found == 0 and skip == 0):
        return skip + found
    return await count()


async def read_page(
    collection: Any,
    query: dict[str, Any],
    *,
    sort: list[tuple[str, Any]],
    skip: int,
    limit: int,
    projection: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """The raw documents of one page of `query` in `sort` order, and how many match in all."""
    rows: list[dict[str, Any]] = (
        await collection.find(query, projection).sort(sort).skip(skip).limit(limit).to_list(None)
    )
    total = await total_items(skip, limit, len(rows), lambda: collection.count_documents(query))
    return rows, total
