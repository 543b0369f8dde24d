"""Routine content: the weeks-long plan that groups workouts and says on which days they fall."""

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from peakhealth.plan.base import (
    WEEKDAYS,
    Label,
    Name,
    Notes,
    PlanModel,
    Weekday,
    raise_field_errors,
    reference_or,
)
from peakhealth.plan.workouts import Workout, WorkoutDraft

MAX_WORKOUTS = 14

Difficulty = Literal["beginner", "intermediate", "advanced"]
Goal = Literal[
    "strength",
    "hypertrophy",
    "endurance",
    "weight-loss",
    "general-fitness",
    "mobility",
    "sport-performance",
]

# The default week for n workouts: spread so that rest days fall between training days.
DEFAULT_TRAINING_DAYS: dict[int, tuple[Weekday, ...]] = {
    1: ("mon",),
    2: ("mon", "thu"),
    3: ("mon", "wed", "fri"),
    4: ("mon", "tue", "thu", "fri"),
    5: ("mon", "tue", "wed", "fri", "sat"),
    6: ("mon", "tue", "wed", "thu", "fri", "sat"),
}


def default_training_days(workout_count: int) -> list[Weekday]:
    """Training days when a routine names none: `len(workouts)` days spread over the week."""
    return list(DEFAULT_TRAINING_DAYS.get(max(workout_count, 1), WEEKDAYS))


class Schedule(PlanModel):
    trainingDays: list[Weekday] = Field(
        min_length=1, max_length=7, description="Weekdays mon..sun; returned in week order"
    )

    @model_validator(mode="after")
    def _week_order(self) -> "Schedule":
        if len(set(self.trainingDays)) != len(self.trainingDays):
            raise_field_errors([(("trainingDays",), "each weekday may appear once")], self)
        self.trainingDays = sorted(self.trainingDays, key=WEEKDAYS.index)
        return self


class RoutineFields(PlanModel):
    """Fields of every routine, template or user-created."""

    name: Name
    description: Notes | None = None
    difficulty: Difficulty
    goal: Goal
    duration: int = Field(ge=1, le=52, description="weeks")
    objectives: list[Label] = Field(default_factory=list, max_length=20)
    schedule: Schedule | None = Field(
        default=None, description="Defaults to len(workouts) days spread over the week"
    )

    @field_validator("schedule", mode="before")
    @classmethod
    def _empty_schedule_is_absent(cls, value: Any) -> Any:
        """`schedule: {}` names no training days: it gets the default like an absent one."""
        return None if value == {} else value

    def _fill_schedule(self, workout_count: int) -> None:
        if self.schedule is None:
            self.schedule = Schedule(trainingDays=default_training_days(workout_count))


class TemplateFields(RoutineFields):
    templateType: Literal["trainer", "company"] = "trainer"
    allowCopy: bool = False
    targetAudience: Notes | None = None


def _order_workouts(workouts: list[Any]) -> None:
    for index, workout in enumerate(workouts):
        if not isinstance(workout, str):
            workout.orderIndex = index


class TemplateRoutine(TemplateFields):
    """A template routine version as stored: every workout and section embedded."""

    workouts: list[Workout] = Field(min_length=1, max_length=MAX_WORKOUTS)

    @model_validator(mode="after")
    def _complete(self) -> "TemplateRoutine":
        _order_workouts(self.workouts)
        self._fill_schedule(len(self.workouts))
        return self


WorkoutOrReference: Any = reference_or(WorkoutDraft, "workout")


class TemplateRoutineDraft(TemplateFields):
    """A template routine as submitted: workouts may be workout version ids, and sections inside
    embedded workouts may be section version ids."""

    workouts: list[WorkoutOrReference] = Field(min_length=1, max_length=MAX_WORKOUTS)
