"""Calendar days and clock times as the API spells them: `YYYY-MM-DD` and `HH:mm`, the client's
local calendar, with no time zone."""

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field


def _calendar_day(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as error:
        raise ValueError("must be a calendar date YYYY-MM-DD") from error


CalendarDate = Annotated[
    str,
    Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="Calendar day YYYY-MM-DD (local, no zone)"),
    AfterValidator(_calendar_day),
]
ClockTime = Annotated[
    str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="Local time of day HH:mm")
]
