"""The total of a list page: known from the page itself unless it is full or past the end."""

import pytest

from peakhealth.pages import total_items


@pytest.mark.parametrize(
    ("skip", "limit", "found", "stored", "counted"),
    [
        (0, 20, 0, 0, False),  # nothing at all
        (0, 20, 7, 7, False),  # one short page
        (40, 20, 5, 45, False),  # the short last page
        (0, 20, 20, 20, True),  # full: there may be more
        (0, 20, 20, 95, True),
        (60, 20, 0, 45, True),  # past the end: only a count tells
    ],
)
async def test_total_items(skip: int, limit: int, found: int, stored: int, counted: bool) -> None:
    asked: list[bool] = []

    async def count() -> int:
        asked.append(True)
        return stored

    assert await total_items(skip, limit, found, count) == stored
    assert bool(asked) == counted
