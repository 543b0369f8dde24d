"""The bounds on input, without HTTP: the text types, calendar days, integers, the scheduling
arithmetic at the edges of the calendar, and the OpenAPI document showing every bound."""

from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from peakhealth.app import create_app
from peakhealth.assignments.schedule import end_date, schedule_sessions
from peakhealth.config import Settings
from peakhealth.errors import ValidationFailed
from peakhealth.plan.base import INT64_LIMIT, Label, Name, Notes, OneLine, Source, Tags
from peakhealth.plan.calendar import FIRST_DAY, LAST_DAY, CalendarDate, ClockTime

MAX_WEEKS = 52  # DOMAIN.md section 3: a routine runs 1-52 weeks

CONTROLS = ["\x00", "\x01", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]


def refused(annotation: Any, value: Any) -> str:
    """The message of the validation error `value` gets."""
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(annotation).validate_python(value)
    return str(caught.value.errors()[0]["msg"])


@pytest.mark.parametrize("control", [*CONTROLS, "\n", "\t", "\r"])
@pytest.mark.parametrize("text_type", [Name, Label, OneLine])
def test_one_line_text_refuses_every_control_character(text_type: Any, control: str) -> None:
    message = refused(text_type, f"a{control}b")
    assert message.startswith("must not contain control characters")
    assert f"U+{ord(control):04X}" in message


@pytest.mark.parametrize("control", [*CONTROLS, "\r", "\v", "\f"])
def test_notes_refuse_controls_but_newline_and_tab(control: str) -> None:
    message = refused(Notes, f"line{control}")
    assert "other than newline and tab" in message
    assert TypeAdapter(Notes).validate_python("one\n\ttwo\n") == "one\n\ttwo\n"


def test_controls_are_refused_before_trimming() -> None:
    """A trailing newline is refused, not trimmed away as whitespace would be."""
    refused(Name, "Squat day\n")
    assert TypeAdapter(Name).validate_python("  Squat day ") == "Squat day"


def test_tags_refuse_controls_each_named_by_position() -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(Tags).validate_python(["fine", "bad\x00"])
    assert [error["loc"] for error in caught.value.errors()] == [(1,)]


def test_wrong_types_still_say_so() -> None:
    assert refused(Name, 5) == "Input should be a valid string"


def test_text_types_show_their_rule_as_a_pattern() -> None:
    assert TypeAdapter(Name).json_schema()["pattern"] == "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
    assert TypeAdapter(Notes).json_schema()["pattern"] == "^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*$"


@pytest.mark.parametrize(
    "day", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31", "2026-02-30", "2026-1-05"]
)
def test_calendar_days_outside_the_window_or_misspelt_are_refused(day: str) -> None:
    refused(CalendarDate, day)


@pytest.mark.parametrize("day", ["2026-11-2\u0663", "\uff12\uff10\uff12\uff16-11-23"])
def test_calendar_days_take_ascii_digits_only(day: str) -> None:
    assert refused(CalendarDate, day) == "must be a calendar date YYYY-MM-DD"


def test_the_window_is_inclusive() -> None:
    adapter = TypeAdapter(CalendarDate)
    assert adapter.validate_python("1900-01-01") == FIRST_DAY.isoformat()
    assert adapter.validate_python("2999-12-31") == LAST_DAY.isoformat()
    assert refused(CalendarDate, "3000-01-01") == "must be a day from 1900-01-01 to 2999-12-31"


@pytest.mark.parametrize("time", ["1\u0663:00", "\uff11\uff13:00", "24:00", "7:30"])
def test_clock_times_take_ascii_digits_only(time: str) -> None:
    refused(ClockTime, time)


def test_the_longest_schedule_from_the_last_day_stays_a_date() -> None:
    """The window leaves room for any routine: no day an accepted start leads to overflows."""
    assert end_date(LAST_DAY, MAX_WEEKS) == date(3000, 12, 29)
    planned = schedule_sessions(LAST_DAY, MAX_WEEKS, ["mon", "tue"], 2)
    assert len(planned) == 2 * MAX_WEEKS
    assert planned[-1].scheduledDate <= date(3000, 12, 29)


@pytest.mark.parametrize("start", [date(9999, 12, 31), date(9999, 1, 4), date.max])
def test_a_schedule_running_off_the_calendar_is_a_validation_error(start: date) -> None:
    with pytest.raises(ValidationFailed) as caught:
        schedule_sessions(start, MAX_WEEKS, ["mon"], 1)
    assert [error.field for error in caught.value.errors] == ["startDate"]
    with pytest.raises(ValidationFailed):
        end_date(start, MAX_WEEKS)


@pytest.mark.parametrize("version", [0, INT64_LIMIT, 10**30])
def test_source_versions_fit_int64(version: int) -> None:
    source = {"kind": "section", "id": "a" * 24, "parentId": "b" * 24, "version": version}
    with pytest.raises(ValidationError) as caught:
        Source.model_validate(source)
    assert [error["loc"] for error in caught.value.errors()] == [("version",)]
    assert Source.model_validate({**source, "version": INT64_LIMIT - 1}).version == INT64_LIMIT - 1


# ----- the OpenAPI document shows every bound --------------------------------------------------

# Checked by their own parser, whose spellings the description lists: `olderThan` (30d, P30D).
OWN_PARSER = {"olderThan"}


def unbounded_inputs(document: dict[str, Any]) -> list[str]:
    """Every number in a request (body or parameter) without a maximum an int64 holds, and every
    string without a pattern, enumeration or format."""
    components = document["components"]["schemas"]
    found: list[str] = []
    seen: set[str] = set()

    def walk(schema: Any, where: str) -> None:
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                walk(components[name], name)
            return
        kind = schema.get("type")
        if kind in ("integer", "number"):
            top = schema.get("exclusiveMaximum", schema.get("maximum", INT64_LIMIT + 1))
            inclusive = "exclusiveMaximum" not in schema
            if top > INT64_LIMIT or (inclusive and top == INT64_LIMIT):
                found.append(f"{where}: {kind} without a maximum below 2**63")
        if kind == "string" and not {"pattern", "enum", "const", "format"} & set(schema):
            found.append(f"{where}: string without a pattern")
        for key in ("anyOf", "oneOf", "allOf"):
            for item in schema.get(key, []):
                walk(item, where)
        walk(schema.get("items"), f"{where}[]")
        for name, item in schema.get("properties", {}).items():
            walk(item, f"{where}.{name}")
        for ref in schema.get("discriminator", {}).get("mapping", {}).values():
            walk({"$ref": ref}, where)

    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] not in OWN_PARSER:
                    walk(parameter["schema"], f"{method} {path} ?{parameter['name']}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                walk(body["schema"], f"{method} {path}")
    return found


def test_every_number_and_string_a_request_carries_is_bounded_in_the_openapi_document() -> None:
    document = create_app(Settings(_env_file=None)).openapi()  # type: ignore[call-arg]
    assert unbounded_inputs(document) == []
