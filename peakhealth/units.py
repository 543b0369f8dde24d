"""Metric and imperial units (DOMAIN.md section 14): what a weight or a distance is called in a
JSON body, and the conversion of whole bodies both ways. Pure: the HTTP edge (`http/units.py`)
decides which system a request speaks and calls these on the bodies it reads and answers.

Everything is stored metric: weights in kg (rounded to 0.001 on the way in), distances in km or
metres as the plan tree says. An imperial answer shows lb, mi and yd rounded to 0.01, and an
imperial body is read in the same units. A value read back from an imperial answer converts to
the same stored number it came from within 0.001, so GET in pounds, PUT back, GET again shows the
same pounds (the stored kg may move by a gram: 100 kg reads 220.46 lb, which is 99.999 kg)."""

from collections.abc import Callable
from typing import Any, Literal

UnitSystem = Literal["metric", "imperial"]
UNIT_SYSTEMS: tuple[UnitSystem, ...] = ("metric", "imperial")
METRIC: UnitSystem = "metric"

KG_PER_LB = 0.45359237  # exact, by definition of the international pound
KM_PER_MI = 1.609344
M_PER_YD = 0.9144

STORED_DECIMALS = 3  # kg, km and m as stored
SHOWN_DECIMALS = 2  # lb, mi and yd as answered

Unit = Literal["kg", "km", "m"]

# Fields holding a weight wherever they appear (kg): planned and logged sets, history, targets,
# progression steps, rounding, the maximum a percentage was taken of, volumes (kg x reps).
WEIGHT_FIELDS = frozenset(
    {
        "weight",
        "weightStep",
        "cycleIncrement",
        "roundTo",
        "maximum",
        "volume",
        "plannedVolume",
        "loggedVolume",
    }
)
# Distances in metres: interval and hill lengths, and everything a logged running section's
# `metrics` holds (`distance` there is metres, where a tempo section's `distance` is km).
METRE_FIELDS = frozenset({"workDistance", "hillLength", "elevationGain"})
LOGGED_METRICS = "metrics"
# `value` and `previous` are a weight in a client metric (`kind`) and in the personal records
# (`type`) measured in kg or kg x reps; `mostReps` counts reps.
WEIGHT_METRIC_KINDS = frozenset({"oneRepMax", "bodyweight"})
WEIGHT_RECORD_TYPES = frozenset(
    {"estimatedOneRepMax", "heaviestWeight", "bestSetVolume", "sessionVolume"}
)
VALUE_FIELDS = frozenset({"value", "previous"})


def unit_of(field: str, holder: dict[str, Any], parent: str | None) -> Unit | None:
    """The metric unit of `holder[field]` (None: not a weight or a distance); `parent` is the
    field whose value `holder` is (or is an item of)."""
    if field in WEIGHT_FIELDS:
        return "kg"
    if field == "distance":
        return "m" if parent == LOGGED_METRICS else "km"
    if field in METRE_FIELDS:
        return "m"
    if field in VALUE_FIELDS and (
        holder.get("kind") in WEIGHT_METRIC_KINDS or holder.get("type") in WEIGHT_RECORD_TYPES
    ):
        return "kg"
    return None


_PER_IMPERIAL: dict[Unit, float] = {"kg": KG_PER_LB, "km": KM_PER_MI, "m": M_PER_YD}


def to_imperial(value: float, unit: Unit) -> float:
    """A stored metric number as an imperial answer shows it (lb, mi, yd; 0.01)."""
    return round(value / _PER_IMPERIAL[unit], SHOWN_DECIMALS)


def to_metric(value: float, unit: Unit) -> float:
    """An imperial number read from a body as it is stored (kg, km, m; 0.001)."""
    return round(value * _PER_IMPERIAL[unit], STORED_DECIMALS)


def _is_number(value: Any) -> bool:
    """bool is an int to Python, and a string is no number: both stay for validation to name."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _convert(node: Any, parent: str | None, change: Callable[[float, Unit], float]) -> Any:
    if isinstance(node, list):
        return [_convert(item, parent, change) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for field, value in node.items():
        unit = unit_of(field, node, parent)
        if unit is not None and _is_number(value):
            out[field] = change(value, unit)
        elif unit is not None and isinstance(value, dict):
            # A version diff's `fields: {weight: {from, to}}`: both sides of one weight.
            out[field] = {
                side: change(number, unit) if _is_number(number) else number
                for side, number in value.items()
            }
        else:
            out[field] = _convert(value, field, change)
    return out


def answer_in(system: UnitSystem, body: Any) -> Any:
    """A JSON answer (stored units) as `system` shows it."""
    return body if system == METRIC else _convert(body, None, to_imperial)


def read_in(system: UnitSystem, body: Any) -> Any:
    """A JSON request body written in `system`, in stored units."""
    return body if system == METRIC else _convert(body, None, to_metric)
