"""One entry of the change feed, as `GET /api/changes` lists it and webhook deliveries carry it."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Change:
    """One change as the change feed lists it (DOMAIN.md section 12)."""

    resourceType: str  # session, assignment, routine, template, section, workout, metric, record
    id: str
    revision: int
    changedAt: datetime
    deleted: bool = False
    data: dict[str, Any] | None = None  # the document's summary; none when deleted
