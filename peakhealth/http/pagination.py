"""`?page=&limit=` on every list, and the `{data, pagination}` body."""

import math
from dataclasses import dataclass
from typing import Any

from fastapi import Query

MAX_LIMIT = 100


@dataclass(frozen=True)
class PageRequest:
    page: int
    limit: int

    @property
    def skip(self) -> int:
        return (self.page - 1) * self.limit


def page_request(
    page: int = Query(1, ge=1, le=1_000_000, description="1-based page number"),
    limit: int = Query(20, ge=1, le=MAX_LIMIT, description="items per page, at most 100"),
) -> PageRequest:
    return PageRequest(page=page, limit=limit)


def page_of(items: list[Any], total: int, request: PageRequest) -> dict[str, Any]:
    pages = math.ceil(total / request.limit) if total else 0
    return {
        "data": items,
        "pagination": {
            "currentPage": request.page,
            "pageSize": request.limit,
            "totalItems": total,
            "totalPages": pages,
            "hasNextPage": request.page < pages,
            "hasPrevPage": request.page > 1,
        },
    }
