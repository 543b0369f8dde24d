"""`?page=&limit=` (and `?view=`) on every list, and the `{data, pagination}` body."""

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Query

from peakhealth.errors import FieldError, ValidationFailed
from peakhealth.pages import Page, Pagination

# The list body's models live with the pure page reading (services answer them); named here too
# because every router takes its page parameters and body from this module.
__all__ = ["Page", "PageRequest", "Pagination", "page_of", "page_request", "plan_page_request"]

MAX_LIMIT = 100
MAX_FULL_LIMIT = 20  # whole plan trees are large: fewer per page


@dataclass(frozen=True)
class PageRequest:
    page: int
    limit: int
    full: bool = False

    @property
    def skip(self) -> int:
        return (self.page - 1) * self.limit


async def page_request(
    page: int = Query(1, ge=1, le=1_000_000, description="1-based page number"),
    limit: int = Query(20, ge=1, le=MAX_LIMIT, description="items per page, at most 100"),
) -> PageRequest:
    return PageRequest(page=page, limit=limit)


Pages = Annotated[PageRequest, Depends(page_request)]


async def plan_page_request(
    pages: Pages,
    view: Annotated[
        Literal["summary", "full"],
        Query(
            description="summary: top-level fields and counts; full: whole trees"
            f" (limit at most {MAX_FULL_LIMIT})"
        ),
    ] = "summary",
) -> PageRequest:
    """A page of plan documents: summaries unless `view=full`."""
    if view == "full" and pages.limit > MAX_FULL_LIMIT:
        raise ValidationFailed([FieldError("limit", f"at most {MAX_FULL_LIMIT} with view=full")])
    return PageRequest(page=pages.page, limit=pages.limit, full=view == "full")


def page_of(items: list[Any], total: int, request: PageRequest) -> dict[str, Any]:
    """The `{data, pagination}` body of a page of `items` (read models or data shaped as the
    API shows it)."""
    return {"data": items, "pagination": Pagination.of(total, request.page, request.limit)}
