"""Reading a plan written as text, line by line, without the catalog (pure).

A line is a day heading (`Day 1 - Lower`, `Monday:`, `# Push`), an exercise (`Squat 5x5 @ 100kg`,
`Bench press 3 x 8-10 @ RPE 8`, `Plank 3x60s`, `Run 5 min`, `Pull-ups 3xAMRAP`, `A1 Dip 3x10`)
or unparsed, with the reason. Weights are read in kg or lb and kept in kg (lb x 0.45359237,
rounded to 0.001 as stored weights are)."""

import re
from dataclasses import dataclass
from typing import Literal

from peakhealth.plan.base import WEEKDAYS, Weekday
from peakhealth.plan.exercises import MAX_SETS
from peakhealth.units import to_metric

# No plan line is longer; a longer one is refused before the patterns run (their lazy name and
# separator runs take time growing with the square of a line that does not match).
MAX_LINE = 200
MAX_REPS = 1000
MAX_SECONDS = 86_400
MAX_WEIGHT_KG = 1000.0

SetKind = Literal["fixed", "range", "time", "max"]

_WEEKDAY_NAMES: dict[str, Weekday] = {
    **{day: day for day in WEEKDAYS},
    **{
        name: day
        for day, name in zip(
            WEEKDAYS,
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
            strict=True,
        )
    },
    "tues": "tue",
    "weds": "wed",
    "thur": "thu",
    "thurs": "thu",
}
_SECONDS_PER_UNIT = {"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1}
_SECONDS_PER_UNIT |= {"min": 60, "mins": 60, "minute": 60, "minutes": 60, "m": 60}

_BULLET = re.compile(r"^(?:[-*•]|\d{1,2}[.)])\s+")
_SUPERSET = re.compile(r"^(?P<group>[A-Za-z])(?P<order>[1-9])[.):]?\s+(?P<rest>.+)$")
_TIME = r"(?P<amount>\d{1,5})\s*(?P<unit>seconds|second|secs|sec|s|minutes|minute|mins|min|m)"
_SETS_TIMES = re.compile(
    r"^(?P<name>.+?)[\s:,-]+(?P<sets>\d{1,3})\s*[x\u00d7]\s*"
    rf"(?:(?P<amrap>amrap|max)|{_TIME}|(?P<low>\d{{1,4}})(?:\s*[-\u2013]\s*(?P<high>\d{{1,4}}))?)"
    r"(?:\s*@\s*(?P<load>.*))?$",
    re.IGNORECASE,
)
_ONE_TIMED = re.compile(rf"^(?P<name>.+?)[\s:,-]+{_TIME}(?:\s*@\s*(?P<load>.*))?$", re.IGNORECASE)
_WEIGHT = re.compile(r"(?P<value>\d{1,4}(?:[.,]\d{1,3})?)\s*(?P<unit>kg|kgs|lb|lbs)\b", re.I)
_RPE = re.compile(r"rpe\s*(?P<value>\d{1,2}(?:[.,]5)?)\b", re.IGNORECASE)
_DAY = re.compile(r"^day\s*\d{1,2}\b", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedExercise:
    """An exercise line: its name as written and the sets it asks for (all alike)."""

    lineNumber: int
    line: str
    name: str
    sets: int
    repType: SetKind
    reps: int | None = None
    repsMin: int | None = None
    repsMax: int | None = None
    duration: int | None = None  # seconds
    weight: float | None = None  # kg
    rpe: float | None = None
    supersetGroup: str | None = None  # `A` of `A1`


@dataclass(frozen=True)
class Heading:
    lineNumber: int
    line: str
    name: str
    weekday: Weekday | None


@dataclass(frozen=True)
class Unparsed:
    lineNumber: int
    line: str
    reason: str


ParsedLine = ParsedExercise | Heading | Unparsed


class _Refused(ValueError):
    """A line that looks like an exercise but says something out of bounds."""


def kilograms(value: float, unit: str) -> float:
    """A weight as written, in kg rounded to 0.001."""
    return to_metric(value, "kg") if unit.lower().startswith("lb") else round(value, 3)


def parse_text(text: str) -> list[ParsedLine]:
    """Every non-blank line of `text`, read in order; line numbers count from 1."""
    parsed: list[ParsedLine] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line:
            parsed.append(parse_line(line, number))
    return parsed


def parse_line(line: str, number: int) -> ParsedLine:
    """One non-blank line: a heading, an exercise, or unparsed with the reason."""
    if len(line) > MAX_LINE:
        return Unparsed(number, line[:MAX_LINE], f"longer than {MAX_LINE} characters")
    heading = _heading(line, number)
    if heading is not None:
        return heading
    body = _BULLET.sub("", line)
    group: str | None = None
    superset = _SUPERSET.match(body)
    if superset is not None:
        group, body = superset["group"].upper(), superset["rest"]
    try:
        exercise = _exercise(body, line, number, group)
    except _Refused as refused:
        return Unparsed(number, line, str(refused))
    if exercise is None:
        return Unparsed(
            number, line, "no sets x reps (5x5, 3 x 8-10, 3x60s, 3xAMRAP) or time (5 min) found"
        )
    return exercise


def _heading(line: str, number: int) -> Heading | None:
    text = line
    if text.startswith("#"):
        text = text.lstrip("#").strip()
    elif text.endswith(":"):
        text = text[:-1].strip()
    first = re.split(r"[\s:,-]+", text, maxsplit=1)[0].casefold()
    if not (line.startswith("#") or line.endswith(":") or _DAY.match(text)) and (
        first not in _WEEKDAY_NAMES
    ):
        return None
    if not text or _SETS_TIMES.match(text) or _ONE_TIMED.match(text):
        return None
    return Heading(number, line, text[:200], _WEEKDAY_NAMES.get(first))


def _exercise(body: str, line: str, number: int, group: str | None) -> ParsedExercise | None:
    found = _SETS_TIMES.match(body)
    if found is not None:
        sets = int(found["sets"])
        if not 1 <= sets <= MAX_SETS:
            raise _Refused(f"sets must be 1 to {MAX_SETS}")
    else:
        found = _ONE_TIMED.match(body)
        if found is None:
            return None
        sets = 1
    name = found["name"].strip(" :,-")
    if not name:
        return None
    weight, rpe = _load(found["load"])
    fields: dict[str, int | None] = {}
    kind: SetKind
    if found["amount"] is not None:
        kind = "time"
        fields["duration"] = _bounded(
            int(found["amount"]) * _SECONDS_PER_UNIT[found["unit"].lower()],
            MAX_SECONDS,
            "a duration must be 1 s to 24 h",
        )
    elif found.groupdict().get("amrap"):
        kind = "max"
    elif found["high"] is not None:
        kind = "range"
        low = _bounded(int(found["low"]), MAX_REPS, f"reps must be 1 to {MAX_REPS}")
        high = _bounded(int(found["high"]), MAX_REPS, f"reps must be 1 to {MAX_REPS}")
        if low > high:
            raise _Refused("a rep range goes from low to high (8-10)")
        fields |= {"repsMin": low, "repsMax": high}
    else:
        kind = "fixed"
        fields["reps"] = _bounded(int(found["low"]), MAX_REPS, f"reps must be 1 to {MAX_REPS}")
    return ParsedExercise(
        lineNumber=number,
        line=line,
        name=name[:200],
        sets=sets,
        repType=kind,
        weight=weight,
        rpe=rpe,
        supersetGroup=group,
        **fields,
    )


def _bounded(value: int, maximum: int, reason: str) -> int:
    if not 1 <= value <= maximum:
        raise _Refused(reason)
    return value


def _load(text: str | None) -> tuple[float | None, float | None]:
    """What follows `@`: a weight (kg or lb), an RPE, or both; anything else is refused."""
    if text is None:
        return None, None
    rest = text
    weight = rpe = None
    found = _WEIGHT.search(rest)
    if found is not None:
        weight = kilograms(float(found["value"].replace(",", ".")), found["unit"])
        if weight > MAX_WEIGHT_KG:
            raise _Refused(f"a weight must be at most {MAX_WEIGHT_KG:g} kg")
        rest = rest[: found.start()] + rest[found.end() :]
    found = _RPE.search(rest)
    if found is not None:
        rpe = float(found["value"].replace(",", "."))
        if not 1 <= rpe <= 10:
            raise _Refused("RPE must be 1 to 10, in steps of 0.5")
        rest = rest[: found.start()] + rest[found.end() :]
    if rest.strip(" ,;/+&") or (weight is None and rpe is None):
        raise _Refused("after @ write a weight (100kg, 135 lb) and/or an RPE (RPE 8)")
    return weight, rpe
