"""Durations: every accepted spelling normalizes to canonical ISO 8601; anything else fails."""

import pytest

from peakhealth.plan.durations import normalize_duration, parse_seconds, to_iso


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT1M30S", "PT1M30S"),
        ("pt1m30s", "PT1M30S"),
        ("PT90S", "PT1M30S"),
        ("90s", "PT1M30S"),
        ("2m", "PT2M"),
        ("1m30s", "PT1M30S"),
        ("1h5m", "PT1H5M"),
        ("1:30", "PT1M30S"),
        ("1:05:00", "PT1H5M"),
        ("0:45", "PT45S"),
        ("  20s ", "PT20S"),
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


@pytest.mark.parametrize("text", ["PT0S", "0s", "0m0s", "0:00", "0:00:00"])
def test_zero_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="longer than zero"):
        normalize_duration(text)


@pytest.mark.parametrize("text", ["P1D", "1d", "P1DT2H"])
def test_days_are_rejected_by_default(text: str) -> None:
    with pytest.raises(ValueError, match="days are not allowed"):
        parse_seconds(text)
    with pytest.raises(ValueError, match="days are not allowed"):
        normalize_duration(text)


def test_days_are_accepted_with_allow_days() -> None:
    assert parse_seconds("P1D", allow_days=True) == 86_400
    assert parse_seconds("1d2h", allow_days=True) == 86_400 + 7_200
    assert parse_seconds("P1DT30M", allow_days=True) == 86_400 + 1_800


def test_non_strings_are_rejected() -> None:
    with pytest.raises(ValueError, match="duration string"):
        normalize_duration(90)


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
