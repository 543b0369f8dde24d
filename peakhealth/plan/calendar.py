"""Calendar days and clock times as the API spells them: `YYYY-MM-DD` and `HH:mm`, the client's
local calendar, with no time zone.

Every calendar day the API accepts lies between FIRST_DAY and LAST_DAY. A year-9999 start would
overflow the date arithmetic of scheduling (start + 52 weeks) and a year-1 day means nothing to a
training plan; within this window every day the service computes from an accepted one (an
assignment's end, a calendar range) is a valid date."""

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
# ASCII digits: `\d` (Rust and Python regex alike) also takes other scripts' digits.
_DAY = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_PATTERN = "^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"  # years 1900-2999
CLOCK_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _calendar_day(value: str) -> str:
    try:
        if not _DAY.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError as error:
        raise PydanticCustomError("calendar_date", "must be a calendar date YYYY-MM-DD") from error
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError(
            "calendar_date_range",
            "must be a day from {first} to {last}",
            {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
        )
    return day.isoformat()


CalendarDate = Annotated[
    str,
    AfterValidator(_calendar_day),
    Field(
        description=f"Calendar day YYYY-MM-DD (local, no zone), from {FIRST_DAY} to {LAST_DAY}",
        json_schema_extra={"pattern": DATE_PATTERN},
    ),
]
ClockTime = Annotated[str, Field(pattern=CLOCK_PATTERN, description="Local time of day HH:mm")]
