"""Durations: the spellings trainers type, normalized to canonical ISO 8601 (`PT1M30S`)."""

import re

_ISO = re.compile(r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$")
_UNITS = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
_CLOCK = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>\d+):(?P<s>[0-5]\d)$")

MAX_SECONDS = 7 * 24 * 3600


def parse_seconds(text: str, *, allow_days: bool = False) -> int:
    """Seconds in a duration written as ISO 8601, `1m30s`-style units or `m:ss` / `h:mm:ss`."""
    value = text.strip()
    match = _ISO.match(value.upper()) if value.upper().startswith("P") else None
    if match is None and value.upper().startswith("P"):
        raise ValueError(f"'{text}' is not a duration such as PT1M30S, 90s, 1m30s or 1:30")
    match = match or _UNITS.match(value.lower()) or _CLOCK.match(value)
    if match is None or not any(match.groupdict().values()) or value in ("P", "PT"):
        raise ValueError(f"'{text}' is not a duration such as PT1M30S, 90s, 1m30s or 1:30")
    parts = {k: int(v) for k, v in match.groupdict(default="0").items()}
    if parts.get("d") and not allow_days:
        raise ValueError(f"'{text}': days are not allowed here; use hours, minutes or seconds")
    seconds = parts.get("d", 0) * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]
    if seconds <= 0:
        raise ValueError(f"'{text}' must be longer than zero")
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


def normalize_duration(value: object) -> str:
    """Validator body for plan durations: a string in any accepted spelling, returned canonical."""
    if not isinstance(value, str):
        raise ValueError("must be a duration string such as PT1M30S, 90s, 1m30s or 1:30")
    seconds = parse_seconds(value)
    if seconds > MAX_SECONDS:
        raise ValueError("must be at most 7 days")
    return to_iso(seconds)
