"""Durations: the spellings trainers type, normalized to canonical ISO 8601 (`PT1M30S`).

Accepted, exactly as DOMAIN.md section 2 writes them (letter case matters, no surrounding spaces,
ASCII digits only): `PT1M30S` (ISO 8601), `90s`, `2m`, `1m30s`, `1h5m` (units), `1:30` (m:ss) and
`1:05:00` (h:mm:ss). Ages (`olderThan`) also take days: `30d`, `P30D`."""

import re
from datetime import timedelta

_N = "[0-9]+"  # ASCII digits: `\\d` would also take other scripts' digits
_ISO = re.compile(
    rf"P(?:(?P<d>{_N})D)?(?:T(?=[0-9])(?:(?P<h>{_N})H)?(?:(?P<m>{_N})M)?(?:(?P<s>{_N})S)?)?"
)
_UNITS = re.compile(rf"(?:(?P<d>{_N})d)?(?:(?P<h>{_N})h)?(?:(?P<m>{_N})m)?(?:(?P<s>{_N})s)?")
_MINUTES_CLOCK = re.compile(rf"(?P<m>{_N}):(?P<s>[0-5][0-9])")
_HOURS_CLOCK = re.compile(rf"(?P<h>{_N}):(?P<m>[0-5][0-9]):(?P<s>[0-5][0-9])")
_SPELLINGS = (_ISO, _UNITS, _MINUTES_CLOCK, _HOURS_CLOCK)
_UNIT_SECONDS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}

# The same language (without days) as one ECMA-262 pattern, for the OpenAPI document.
DURATION_PATTERN = (
    "^(?:PT(?:[0-9]+H(?:[0-9]+M)?(?:[0-9]+S)?|[0-9]+M(?:[0-9]+S)?|[0-9]+S)"
    "|[0-9]+h(?:[0-9]+m)?(?:[0-9]+s)?|[0-9]+m(?:[0-9]+s)?|[0-9]+s"
    "|[0-9]+:[0-5][0-9](?::[0-5][0-9])?)$"
)

MAX_TEXT = 32  # longer than any sensible duration; keeps int() far from its digit limit
MAX_SECONDS = 7 * 24 * 3600
MAX_AGE_DAYS = 36_525  # 100 years: an `olderThan` beyond it is surely a mistake


def _not_a_duration(text: str) -> ValueError:
    return ValueError(
        f"{text!r} is not a duration such as PT1M30S, 90s, 1m30s or 1:30"
        " (letter case as shown, no spaces)"
    )


def _parts(text: str) -> dict[str, int] | None:
    """The numbers of the first spelling that matches the whole text, by unit letter."""
    for spelling in _SPELLINGS:
        match = spelling.fullmatch(text)
        if match is not None:
            found = {
                key: int(value) for key, value in match.groupdict().items() if value is not None
            }
            if found:  # an empty match ("", "P") names no number
                return found
    return None


def parse_seconds(text: str, *, allow_days: bool = False, allow_zero: bool = False) -> int:
    """Seconds in a duration written as ISO 8601, `1m30s`-style units or `m:ss` / `h:mm:ss`.

    Zero is refused unless `allow_zero`; a day component (`1d`, `P1D`) unless `allow_days`."""
    if len(text) > MAX_TEXT:
        raise _not_a_duration(text[:MAX_TEXT] + "...")
    parts = _parts(text)
    if parts is None:
        raise _not_a_duration(text)
    if "d" in parts and not allow_days:
        raise ValueError(f"{text!r}: days are not allowed here; use hours, minutes or seconds")
    seconds = sum(_UNIT_SECONDS[unit] * count for unit, count in parts.items())
    if seconds == 0 and not allow_zero:
        raise ValueError(f"{text!r} must be longer than zero")
    return seconds


def to_iso(seconds: int) -> str:
    """Canonical ISO 8601 spelling of a number of seconds (`PT1H5M`, `PT90S` is never produced)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or out == "PT":
        out += f"{secs}S"
    return out


def _normalize(value: object, *, allow_zero: bool) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a duration string such as PT1M30S, 90s, 1m30s or 1:30")
    seconds = parse_seconds(value, allow_zero=allow_zero)
    if seconds > MAX_SECONDS:
        raise ValueError("must be at most 7 days")
    return to_iso(seconds)


def normalize_duration(value: object) -> str:
    """Validator body for work durations (`workInterval`, ...): positive, returned canonical."""
    return _normalize(value, allow_zero=False)


def normalize_rest(value: object) -> str:
    """Validator body for rest durations (`restAfter`, ...): zero allowed, returned canonical."""
    return _normalize(value, allow_zero=True)


def parse_age(text: str) -> timedelta:
    """An age such as `30d`, `12h` or `P30D` (days allowed), positive and at most 100 years."""
    seconds = parse_seconds(text, allow_days=True)
    if seconds > MAX_AGE_DAYS * 86_400:
        raise ValueError(f"must be at most 100 years ({MAX_AGE_DAYS}d)")
    return timedelta(seconds=seconds)
