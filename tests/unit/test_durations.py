"""Durations: every accepted spelling normalizes to canonical ISO 8601; anything else fails."""

import re
from datetime import timedelta

import pytest

from peakhealth.plan.durations import (
    DURATION_PATTERN,
    normalize_duration,
    normalize_rest,
    parse_age,
    parse_seconds,
    to_iso,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1M30S", "PT1M30S"),
        ("PT90S", "PT1M30S"),
        ("90s", "PT1M30S"),
        ("2m", "PT2M"),
        ("1m30s", "PT1M30S"),
        ("1h5m", "PT1H5M"),
        ("1:30", "PT1M30S"),
        ("1:05:00", "PT1H5M"),
        ("0:45", "PT45S"),
        ("20s", "PT20S"),
        ("1h30s", "PT1H30S"),
        ("90:00", "PT1H30M"),
        ("PT1H", "PT1H"),
    ],
)
def test_accepted_spellings_normalize_to_canonical_iso(text: str, expected: str) -> None:
    assert normalize_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "90", "1:5", "1:60", "-5s", "5 minutes", "P", "PT", "PTXS", "1x", "1:30s"],
)
def test_garbage_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        normalize_duration(text)


@pytest.mark.parametrize(
    "text",
    [
        # letter case and surrounding spaces matter (DOMAIN.md section 2)
        "pt1m",
        "pt1m30s",
        "Pt1M",
        "PT1m",
        "90S",
        "1H5M",
        "2M",
        " 90s",
        "90s ",
        "  20s ",
        "\t90s",
        "90s\n",
        "1:30\n",
        "PT1M\n",
        # other scripts' digits, fractions, weeks, empty designators, minutes past 59
        "\u0669\u0660s",
        "\uff19\uff10s",
        "PT1.5S",
        "P1W",
        "P1DT",
        "1:75:00",
        "1:30:5",
        "1h 5m",
        "9" * 40 + "s",
    ],
)
def test_other_spellings_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        normalize_duration(text)
    with pytest.raises(ValueError, match="not a duration"):
        normalize_rest(text)
    with pytest.raises(ValueError, match="not a duration"):
        parse_age(text)


@pytest.mark.parametrize("text", ["PT0S", "0s", "0m0s", "0:00", "0:00:00"])
def test_zero_is_rejected_for_work(text: str) -> None:
    with pytest.raises(ValueError, match="longer than zero"):
        normalize_duration(text)


@pytest.mark.parametrize("text", ["PT0S", "0s", "0m0s", "0:00", "0:00:00"])
def test_zero_is_accepted_for_rest(text: str) -> None:
    assert normalize_rest(text) == "PT0S"


def test_rest_durations_follow_the_other_rules() -> None:
    assert normalize_rest("1:30") == "PT1M30S"
    with pytest.raises(ValueError, match="at most 7 days"):
        normalize_rest("169h")
    with pytest.raises(ValueError, match="days are not allowed"):
        normalize_rest("1d")
    with pytest.raises(ValueError, match="duration string"):
        normalize_rest(0)


@pytest.mark.parametrize("text", ["P1D", "1d", "P1DT2H", "P0DT1M"])
def test_days_are_rejected_by_default(text: str) -> None:
    with pytest.raises(ValueError, match="days are not allowed"):
        parse_seconds(text)
    with pytest.raises(ValueError, match="days are not allowed"):
        normalize_duration(text)


def test_days_are_accepted_with_allow_days() -> None:
    assert parse_seconds("P1D", allow_days=True) == 86_400
    assert parse_seconds("1d2h", allow_days=True) == 86_400 + 7_200
    assert parse_seconds("P1DT30M", allow_days=True) == 86_400 + 1_800


@pytest.mark.parametrize("value", [90, 90.0, True, None, b"90s", ["90s"]])
def test_non_strings_are_rejected(value: object) -> None:
    with pytest.raises(ValueError, match="duration string"):
        normalize_duration(value)


def test_longer_than_seven_days_is_rejected() -> None:
    assert normalize_duration("168h") == "PT168H"
    with pytest.raises(ValueError, match="at most 7 days"):
        normalize_duration("169h")


def test_parse_seconds_counts_each_unit() -> None:
    assert parse_seconds("PT1H2M3S") == 3_723
    assert parse_seconds("1h2m3s") == 3_723
    assert parse_seconds("1:02:03") == 3_723


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(1, "PT1S"), (60, "PT1M"), (90, "PT1M30S"), (3_600, "PT1H"), (3_661, "PT1H1M1S")],
)
def test_to_iso_is_canonical(seconds: int, expected: str) -> None:
    assert to_iso(seconds) == expected


# Ages (`olderThan` of the bulk purge)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", timedelta(days=30)),
        ("12h", timedelta(hours=12)),
        ("P30D", timedelta(days=30)),
        ("P1DT12H", timedelta(days=1, hours=12)),
        ("36525d", timedelta(days=36_525)),
    ],
)
def test_ages_take_days(text: str, expected: timedelta) -> None:
    assert parse_age(text) == expected


@pytest.mark.parametrize("text", ["36526d", "1000000d", "P1000000D", "876601h", "9" * 30 + "d"])
def test_ages_beyond_100_years_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="at most 100 years"):
        parse_age(text)


@pytest.mark.parametrize("text", ["0d", "P0D", "PT0S"])
def test_zero_age_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="longer than zero"):
        parse_age(text)


@pytest.mark.parametrize("text", ["30D", "p30d", " 30d", "30d "])
def test_ages_are_case_and_space_sensitive_too(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_age(text)


# The OpenAPI pattern describes the same spellings as the parser

PATTERN_SAMPLES = [
    "PT1M30S",
    "PT90S",
    "PT1H",
    "PT1H5M3S",
    "PT0S",
    "90s",
    "2m",
    "1m30s",
    "1h5m",
    "1h30s",
    "0s",
    "1:30",
    "0:00",
    "1:05:00",
    "90:00",
    "",
    "P",
    "PT",
    "P1D",
    "1d",
    "pt1m",
    "90S",
    " 90s",
    "90s ",
    "90s\n",
    "1:5",
    "1:60",
    "1:75:00",
    "PT1.5S",
    "5",
    "h",
    "1m1h",
]


@pytest.mark.parametrize("text", PATTERN_SAMPLES)
def test_schema_pattern_agrees_with_the_parser(text: str) -> None:
    try:
        parse_seconds(text, allow_zero=True)
        parsed = True
    except ValueError:
        parsed = False
    # ECMA-262 `$` is the end of the text; Python's also matches before a final newline
    assert DURATION_PATTERN.startswith("^") and DURATION_PATTERN.endswith("$")
    assert (re.fullmatch(DURATION_PATTERN[1:-1], text) is not None) is parsed
