"""Sections: the blocks of a workout (warm-up, EMOM, intervals, ...), discriminated by `type`."""

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from peakhealth.plan.base import (
    Duration,
    Label,
    Name,
    Notes,
    OrderIndex,
    PlanElement,
    RestDuration,
    Source,
    raise_field_errors,
    tagged_union,
)
from peakhealth.plan.exercises import EXERCISE_TYPES

MAX_EXERCISES = 40

Minutes = Annotated[int, Field(ge=1, le=120, description="minutes")]
Rounds = Annotated[int, Field(ge=1, le=100)]
Metres = Annotated[float, Field(gt=0, le=100_000, description="metres")]
Kilometres = Annotated[float, Field(gt=0, le=1000, description="kilometres")]
Pace = Annotated[
    str,
    # ASCII digits: `\d` (Rust and Python regex alike) also takes other scripts' digits.
    Field(pattern=r"^[0-9]{1,2}:[0-5][0-9]/(km|mi)$", description="Time per unit, e.g. 4:45/km"),
]
Exercise: Any = tagged_union(EXERCISE_TYPES, "exercise")

STRENGTH_FAMILY = frozenset({"strength", "bodyweight", "mobility"})


class SectionBase(PlanElement):
    """Fields every section has. `orderIndex` is rewritten from array order (0-based)."""

    allowed_exercises: ClassVar[frozenset[str]] = STRENGTH_FAMILY
    exercises_required: ClassVar[bool] = True

    type: str
    name: Name
    orderIndex: OrderIndex = 0
    restAfter: RestDuration | None = None
    notes: Notes | None = None
    source: Source | None = None
    exercises: list[Exercise] = Field(default_factory=list, max_length=MAX_EXERCISES)

    @model_validator(mode="after")
    def _check_exercises(self) -> "SectionBase":
        errors: list[tuple[tuple[str | int, ...], str]] = []
        if self.exercises_required and not self.exercises:
            errors.append((("exercises",), f"a {self.type} section needs at least one exercise"))
        groups: dict[str, list[int]] = {}
        for index, exercise in enumerate(self.exercises):
            exercise.orderIndex = index
            if exercise.type not in self.allowed_exercises:
                allowed = ", ".join(sorted(self.allowed_exercises))
                errors.append(
                    (
                        ("exercises", index, "type"),
                        f"a {self.type} section takes {allowed} exercises, not {exercise.type}",
                    )
                )
            group = getattr(exercise, "supersetGroupId", None)
            if group is not None:
                groups.setdefault(group, []).append(index)
        for group, members in groups.items():
            if len(members) < 2:
                errors.append(
                    (
                        ("exercises", members[0], "supersetGroupId"),
                        f"superset '{group}' needs at least two exercises in this section",
                    )
                )
        raise_field_errors(errors, self)
        return self


class WarmupSection(SectionBase):
    type: Literal["warmup"]
    targetMuscleGroups: list[Label] = Field(default_factory=list, max_length=20)
    duration: Minutes
    intensity: Literal["light", "moderate"]


class CooldownSection(SectionBase):
    type: Literal["cooldown"]
    duration: Minutes
    stretchingFocus: list[Label] | None = Field(default=None, max_length=20)


class BasicSection(SectionBase):
    type: Literal["basic"]


class EmomSection(SectionBase):
    type: Literal["emom"]
    emomDuration: Minutes
    rounds: Rounds
    restBetweenRounds: RestDuration | None = None


class TabataSection(SectionBase):
    allowed_exercises: ClassVar[frozenset[str]] = frozenset({"tabata"})

    type: Literal["tabata"]
    workInterval: Duration = "PT20S"
    restInterval: RestDuration = "PT10S"
    rounds: Rounds = 8


class CircuitSection(SectionBase):
    type: Literal["circuit"]
    rounds: Rounds
    restBetweenRounds: RestDuration
    restBetweenExercises: RestDuration | None = None


class _RunningSection(SectionBase):
    exercises_required: ClassVar[bool] = False


class IntervalsSection(_RunningSection):
    type: Literal["intervals"]
    rounds: Rounds
    workDistance: Metres | None = None
    workDuration: Duration | None = None
    restDuration: RestDuration
    intensity: Literal["aerobic", "anaerobic", "vo2max"]

    @model_validator(mode="after")
    def _work_is_measured(self) -> "IntervalsSection":
        if self.workDistance is None and self.workDuration is None:
            raise_field_errors(
                [(("workDistance",), "give workDistance or workDuration (or both)")], self
            )
        return self


class TempoSection(_RunningSection):
    type: Literal["tempo"]
    distance: Kilometres | None = None
    duration: Duration
    targetPace: Pace


class FartlekSection(_RunningSection):
    type: Literal["fartlek"]
    duration: Duration
    description: Notes


class HillRepeatsSection(_RunningSection):
    type: Literal["hill_repeats"]
    repeats: Rounds
    hillLength: Metres | None = None
    restType: Literal["jog_down", "walk_down", "static"]


SECTION_TYPES: dict[str, type[SectionBase]] = {
    "warmup": WarmupSection,
    "cooldown": CooldownSection,
    "basic": BasicSection,
    "emom": EmomSection,
    "tabata": TabataSection,
    "circuit": CircuitSection,
    "intervals": IntervalsSection,
    "tempo": TempoSection,
    "fartlek": FartlekSection,
    "hill_repeats": HillRepeatsSection,
}
Section: Any = tagged_union(SECTION_TYPES, "section")
