"""The text-import parser (pure): headings, exercise lines in the ways trainers write them, and
the reason of every line it cannot read."""

from typing import Any

import pytest

from peakhealth.imports.parse import (
    Heading,
    ParsedExercise,
    Unparsed,
    kilograms,
    parse_line,
    parse_text,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Squat 5x5 @ 100kg",
            {"name": "Squat", "sets": 5, "repType": "fixed", "reps": 5, "weight": 100.0},
        ),
        ("Squat 5 x 5 @100 kg", {"name": "Squat", "sets": 5, "reps": 5, "weight": 100.0}),
        ("Squat: 5x5", {"name": "Squat", "sets": 5, "reps": 5, "weight": None}),
        ("- Squat 5X5", {"name": "Squat", "sets": 5, "reps": 5}),
        ("1. Squat 5\u00d75", {"name": "Squat", "sets": 5, "reps": 5}),
        (
            "Bench press 3 x 8-10 @ RPE 8",
            {"name": "Bench press", "repType": "range", "repsMin": 8, "repsMax": 10, "rpe": 8.0},
        ),
        ("Bench press 3x8\u201310", {"repType": "range", "repsMin": 8, "repsMax": 10}),
        ("Plank 3x60s", {"name": "Plank", "sets": 3, "repType": "time", "duration": 60}),
        ("Plank 3 x 45 sec", {"repType": "time", "duration": 45}),
        ("Row 4x10 @ 135 lb", {"name": "Row", "sets": 4, "reps": 10, "weight": 61.235}),
        ("Row 4x10 @ 135lbs", {"weight": 61.235}),
        ("Run 5 min", {"name": "Run", "sets": 1, "repType": "time", "duration": 300}),
        ("Bike 2x10 minutes", {"sets": 2, "repType": "time", "duration": 600}),
        ("Pull-ups 3xAMRAP", {"name": "Pull-ups", "sets": 3, "repType": "max", "reps": None}),
        ("Dips 3 x max", {"name": "Dips", "repType": "max"}),
        ("Deadlift 1x5 @ 180kg, RPE 9", {"weight": 180.0, "rpe": 9.0}),
        ("Deadlift 1x5 @ RPE 8.5", {"rpe": 8.5, "weight": None}),
        ("Deadlift 1x5 @ 142,5 kg", {"weight": 142.5}),
        ("A1 Overhead press 3x8", {"name": "Overhead press", "supersetGroup": "A"}),
        ("b2. Chin-ups 3x6", {"name": "Chin-ups", "supersetGroup": "B"}),
        ("Farmer's carry 3x40s", {"name": "Farmer's carry", "duration": 40}),
    ],
)
def test_exercise_lines(line: str, expected: dict[str, Any]) -> None:
    [parsed] = parse_text(line)
    assert isinstance(parsed, ParsedExercise), parsed
    for field, value in expected.items():
        assert getattr(parsed, field) == value, field


@pytest.mark.parametrize(
    ("line", "name", "weekday"),
    [
        ("Day 1 - Lower", "Day 1 - Lower", None),
        ("Day 2", "Day 2", None),
        ("Monday:", "Monday", "mon"),
        ("Thursday - Pull", "Thursday - Pull", "thu"),
        ("# Push", "Push", None),
        ("## Legs and core", "Legs and core", None),
        ("Upper body:", "Upper body", None),
        ("fri", "fri", "fri"),
    ],
)
def test_headings(line: str, name: str, weekday: str | None) -> None:
    assert parse_text(line) == [Heading(1, line, name, weekday)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Stretch well afterwards", "no sets x reps"),
        ("Squat 60x5", "sets must be 1 to 50"),
        ("Squat 0x5", "sets must be 1 to 50"),
        ("Squat 3x0", "reps must be 1 to 1000"),
        ("Squat 3x10-8", "low to high"),
        ("Squat 5x5 @ heavy", "after @"),
        ("Squat 5x5 @ 2000kg", "at most 1000 kg"),
        ("Squat 5x5 @ RPE 11", "RPE must be 1 to 10"),
        ("Squat 5x5 @ 100kg please", "after @"),
    ],
)
def test_lines_it_cannot_read_say_why(line: str, reason: str) -> None:
    [parsed] = parse_text(line)
    assert isinstance(parsed, Unparsed)
    assert reason in parsed.reason


def test_blank_lines_are_skipped_and_lines_keep_their_numbers() -> None:
    parsed = parse_text("Day 1\n\n  Squat 5x5  \n\tBench 3x5\n")
    assert [(item.lineNumber, type(item).__name__) for item in parsed] == [
        (1, "Heading"),
        (3, "ParsedExercise"),
        (4, "ParsedExercise"),
    ]
    assert parsed[1].line == "Squat 5x5"


def test_pounds_are_stored_in_kilograms_to_the_gram() -> None:
    assert kilograms(135, "lb") == 61.235
    assert kilograms(315, "lbs") == 142.882
    assert kilograms(100, "kg") == 100


def test_a_line_longer_than_any_plan_line_is_refused_before_the_patterns_run() -> None:
    """The patterns take time growing with the square of a long line that does not match."""
    line = "Squat" + " " * 50_000 + "b"
    parsed = parse_line(line, 3)
    assert parsed == Unparsed(3, line[:200], "longer than 200 characters")
