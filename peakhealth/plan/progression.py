"""Loads from a maximum and progression rules as plan fields (DOMAIN.md section 13): what a
trainer writes on a strength or bodyweight exercise, validated on save like every plan field.
The computation they drive lives in `peakhealth.assignments.progression` (at scheduling) and
`peakhealth.sessions.targets` (double progression, at a session's start); both round loads
here."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from peakhealth.plan.base import PlanModel, raise_field_errors, tagged_union
from peakhealth.units import KG_PER_LB

DEFAULT_ROUND_TO = 2.5  # kg, an assignment's `roundTo` unless it says otherwise
GRAM = Decimal("0.001")
MAX_WEIGHT = Decimal(1000)  # the plan's and the log's bound: a long linear rule stops there
# The steps a client rounds to: kg, and 1, 2.5, 5 and 10 lb. The unit layer turns an imperial
# body into kg to the gram (2.5 lb arrives as 1.134), so each pound step is known by that gram
# value and rounds by its exact kg: loads come out whole pounds (300 lb, never 300.27).
KG_STEPS = ("0.5", "1", "1.25", "2.5", "5")
POUND_STEPS = ("1", "2.5", "5", "10")
_EXACT_STEPS: dict[Decimal, Decimal] = {Decimal(kg): Decimal(kg) for kg in KG_STEPS} | {
    (Decimal(pounds) * Decimal(repr(KG_PER_LB))).quantize(GRAM, ROUND_HALF_UP): Decimal(pounds)
    * Decimal(repr(KG_PER_LB))
    for pounds in POUND_STEPS
}
ROUND_TO_CHOICES: tuple[float, ...] = tuple(float(step) for step in _EXACT_STEPS)
MAX_WAVE_WEEKS = 12
MAX_WAVE_SETS = 50  # the most sets an exercise has (plan.exercises.MAX_SETS)

Percent = Annotated[float, Field(ge=1, le=120, description="percent of the one-rep maximum")]
Step = Annotated[float, Field(gt=0, le=1000, description="kilograms")]
RepsStep = Annotated[int, Field(ge=1, le=1000)]
Every = Annotated[int, Field(ge=1, le=12, description="weeks")]


class Deload(PlanModel):
    """Every `everyWeeks`-th week lifts `percent` less (after the week's step)."""

    everyWeeks: Annotated[int, Field(ge=2, le=12, description="weeks")]
    percent: Annotated[float, Field(ge=5, le=50)]


class LinearProgression(PlanModel):
    """Add `weightStep` kg and/or `repsStep` reps to the working sets every `everyWeeks` weeks."""

    type: Literal["linear"]
    weightStep: Step | None = None
    repsStep: RepsStep | None = None
    everyWeeks: Every = 1
    deload: Deload | None = None

    @model_validator(mode="after")
    def _some_step(self) -> "LinearProgression":
        if self.weightStep is None and self.repsStep is None:
            raise_field_errors([(("weightStep",), "give weightStep, repsStep or both")], self)
        return self


class WaveSet(PlanModel):
    """One set of one week of a wave: its load as a percentage of the training maximum."""

    percentOfOneRepMax: Percent
    reps: Annotated[int, Field(ge=1, le=1000)] | None = None


class WaveProgression(PlanModel):
    """Weeks of loads that repeat; each cycle adds `cycleIncrement` kg to the training maximum
    (`trainingMaxPercent` of the one-rep maximum)."""

    type: Literal["wave"]
    weeks: list[Annotated[list[WaveSet], Field(min_length=1, max_length=MAX_WAVE_SETS)]] = Field(
        min_length=1,
        max_length=MAX_WAVE_WEEKS,
        description="One list per week, with exactly one entry per set of the exercise"
        " (warm-up sets included), in order",
    )
    trainingMaxPercent: Annotated[float, Field(ge=50, le=100)] = 100
    cycleIncrement: Annotated[float, Field(ge=0, le=1000, description="kilograms")] | None = None


class DoubleProgression(PlanModel):
    """Reps climb through the working sets' range; once every set reaches its top, the weight
    goes up by `weightStep` kg and the reps start again at the bottom. Decided at each
    session's start."""

    type: Literal["double"]
    weightStep: Step


PROGRESSION_TYPES: dict[str, type[PlanModel]] = {
    "linear": LinearProgression,
    "wave": WaveProgression,
    "double": DoubleProgression,
}
Progression = tagged_union(PROGRESSION_TYPES, "progression")


class PrescribedBy(PlanModel):
    """Written by the server into a session's snapshot on each set whose load or reps a rule
    computed; never read from a plan."""

    rule: Literal["linear", "wave", "percentage"]
    week: Annotated[int, Field(ge=1, le=52, description="the session's weekIndex")]
    maximum: Annotated[float, Field(ge=0, le=2000)] | None = Field(
        default=None, description="kilograms the percentage was taken of"
    )


def drop_prescribed_by(value: Any) -> Any:
    """Before-validator of a set: `prescribedBy` is the server's, so a plan that carries one (a
    snapshot's set pasted back) is read without it."""
    if isinstance(value, dict) and "prescribedBy" in value:
        return {key: item for key, item in value.items() if key != "prescribedBy"}
    return value


def progression_errors(
    progression: Any, sets: list[Any], *, bodyweight: bool
) -> list[tuple[tuple[str | int, ...], str]]:
    """What a progression rule asks of the exercise it is on: a wave has one entry per set in
    every week; a double progression's working sets are ranges; a bodyweight exercise takes
    only a linear rule of reps."""
    errors: list[tuple[tuple[str | int, ...], str]] = []
    if progression is None:
        return errors
    if bodyweight:
        if not isinstance(progression, LinearProgression):
            errors.append((("progression", "type"), "bodyweight exercises take only 'linear'"))
        elif progression.weightStep is not None:
            errors.append(
                (("progression", "weightStep"), "bodyweight exercises have no weight to step")
            )
        elif progression.repsStep is None:
            errors.append((("progression", "repsStep"), "required on bodyweight exercises"))
        return errors
    if isinstance(progression, WaveProgression):
        for week, entries in enumerate(progression.weeks):
            if len(entries) != len(sets):
                errors.append(
                    (
                        ("progression", "weeks", week),
                        f"has {len(entries)} entries; the exercise has {len(sets)} sets"
                        " (one entry per set, warm-up sets included)",
                    )
                )
    if isinstance(progression, DoubleProgression):
        for index, planned in enumerate(sets):
            if planned.setType != "warmup" and planned.repType != "range":
                errors.append(
                    (
                        ("sets", index, "repType"),
                        "double progression needs 'range' working sets",
                    )
                )
    return errors


def decimal(value: float | int) -> Decimal:
    """A stored number as the decimal it was written as (its shortest text)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def rounding_step(round_to: float) -> Decimal:
    """The exact step an assignment's `roundTo` (one of ROUND_TO_CHOICES) rounds loads to."""
    given = decimal(round_to)
    return _EXACT_STEPS.get(given, given)


def round_load(kg: Decimal, step: Decimal) -> Decimal:
    """`kg` to the nearest multiple of `step`, halves up, to the gram."""
    multiples = (kg / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return min(multiples * step, MAX_WEIGHT).quantize(GRAM, rounding=ROUND_HALF_UP)
