"""Exercises and their sets: the leaves of the plan tree."""

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from peakhealth.plan.base import (
    Label,
    Notes,
    OneLine,
    OrderIndex,
    PlanElement,
    PlanModel,
    RestDuration,
    SetNumber,
    Uuid,
    raise_field_errors,
)
from peakhealth.plan.progression import (
    Percent,
    PrescribedBy,
    Progression,
    drop_prescribed_by,
    progression_errors,
)

MAX_SETS = 50

SetType = Literal["working", "warmup", "drop", "failure"]
RepType = Literal["fixed", "range", "time", "max"]
UnilateralMode = Literal["alternating", "sequential", "simultaneous"]
Side = Literal["left", "right"]
ProgressionMethod = Literal[
    "linear",
    "percentage",
    "rpe",
    "time-under-tension",
    "dual-linear",
    "widowmaker",
    "myo-reps",
    "amrap",
    "pyramid",
    "wave-loading",
    "cluster-sets",
    "rest-pause",
]

Reps = Annotated[int, Field(ge=1, le=1000)]
Seconds = Annotated[int, Field(ge=1, le=86_400, description="seconds")]
Weight = Annotated[float, Field(ge=0, le=1000, description="kilograms")]
TempoPhase = Annotated[int, Field(ge=0, le=60, description="seconds")]


Rpe = Annotated[float, Field(ge=1, le=10, description="1-10 in steps of 0.5")]


class Tempo(PlanModel):
    eccentric: TempoPhase
    eccentricPause: TempoPhase
    concentric: TempoPhase
    concentricPause: TempoPhase


class PlannedSet(PlanElement):
    """Fields every set has. `setNumber` is rewritten from array order (1-based)."""

    kind: ClassVar[str] = "these"
    has_range: ClassVar[bool] = True  # a rep range (repsMin, repsMax) is a field of this kind

    setNumber: SetNumber = 1
    setType: SetType = "working"
    repType: RepType
    notes: Notes | None = None
    restAfter: RestDuration | None = None

    @model_validator(mode="after")
    def _rep_type_needs(self) -> "PlannedSet":
        errors: list[tuple[tuple[str | int, ...], str]] = []
        rpe = getattr(self, "rpe", None)
        if rpe is not None and rpe * 2 != int(rpe * 2):
            errors.append((("rpe",), "RPE goes in steps of 0.5"))
        if self.repType == "fixed" and getattr(self, "reps", None) is None:
            errors.append((("reps",), "reps is required when repType is 'fixed'"))
        if self.repType == "time" and getattr(self, "duration", None) is None:
            errors.append((("duration",), "duration is required when repType is 'time'"))
        if self.repType == "range":
            if not self.has_range:
                errors.append((("repType",), f"'range' is not available for {self.kind} sets"))
            else:
                low, high = getattr(self, "repsMin", None), getattr(self, "repsMax", None)
                if low is None:
                    errors.append((("repsMin",), "repsMin is required when repType is 'range'"))
                if high is None:
                    errors.append((("repsMax",), "repsMax is required when repType is 'range'"))
                if low is not None and high is not None and low > high:
                    errors.append((("repsMin",), "repsMin must not exceed repsMax"))
        raise_field_errors(errors, self)
        return self


class StrengthSet(PlannedSet):
    reps: Reps | None = None
    repsMin: Reps | None = None
    repsMax: Reps | None = None
    weight: Weight | None = None
    percentOfOneRepMax: Percent | None = Field(
        default=None,
        description="The load as a percentage of the client's one-rep maximum, computed into"
        " `weight` when sessions are scheduled",
    )
    rpe: Rpe | None = None
    duration: Seconds | None = None
    tempo: Tempo | None = None
    unilateralSide: Side | None = None
    prescribedBy: PrescribedBy | None = Field(
        default=None, description="In session snapshots: the rule that computed this set"
    )

    _server_fields = model_validator(mode="before")(drop_prescribed_by)


class BodyweightSet(PlannedSet):
    reps: Reps | None = None
    repsMin: Reps | None = None
    repsMax: Reps | None = None
    duration: Seconds | None = None
    rpe: Rpe | None = None
    unilateralSide: Side | None = None
    prescribedBy: PrescribedBy | None = Field(
        default=None, description="In session snapshots: the rule that computed this set"
    )

    _server_fields = model_validator(mode="before")(drop_prescribed_by)


class MobilitySet(PlannedSet):
    duration: Seconds | None = None
    reps: Reps | None = None
    holdTime: Seconds | None = None

    kind: ClassVar[str] = "mobility"
    has_range: ClassVar[bool] = False


class ExerciseBase(PlanElement):
    """Fields every exercise has. `orderIndex` is rewritten from array order (0-based)."""

    type: str
    exerciseId: Uuid
    exerciseVariantId: Uuid
    orderIndex: OrderIndex = 0
    unilateralMode: UnilateralMode | None = None
    exerciseName: OneLine | None = Field(
        default=None, description="Copied from the catalog on save"
    )
    variantName: OneLine | None = Field(default=None, description="Copied from the catalog on save")


class _WithSets(ExerciseBase):
    restBetweenSets: RestDuration | None = None
    restAfter: RestDuration | None = None
    notes: Notes | None = None

    @model_validator(mode="after")
    def _number_sets(self) -> "_WithSets":
        sets: list[Any] = getattr(self, "sets", [])
        errors: list[tuple[tuple[str | int, ...], str]] = []
        for number, planned in enumerate(sets, start=1):
            planned.setNumber = number
            side = getattr(planned, "unilateralSide", None)
            if side is not None and self.unilateralMode != "sequential":
                errors.append(
                    (
                        ("sets", number - 1, "unilateralSide"),
                        "unilateralSide is only allowed when unilateralMode is 'sequential'",
                    )
                )
        raise_field_errors(errors, self)
        return self


class StrengthExercise(_WithSets):
    type: Literal["strength"]
    sets: list[StrengthSet] = Field(min_length=1, max_length=MAX_SETS)
    progressionMethod: ProgressionMethod | None = None
    progression: Progression | None = None
    supersetGroupId: Label | None = Field(
        default=None, description="Strength exercises of one section sharing it form a superset"
    )

    @model_validator(mode="after")
    def _progression_fits(self) -> "StrengthExercise":
        raise_field_errors(progression_errors(self.progression, self.sets, bodyweight=False), self)
        return self


class BodyweightExercise(_WithSets):
    type: Literal["bodyweight"]
    sets: list[BodyweightSet] = Field(min_length=1, max_length=MAX_SETS)
    progressionMethod: ProgressionMethod | None = None
    progression: Progression | None = Field(
        default=None, description="Only `linear` with `repsStep` (no weights)"
    )

    @model_validator(mode="after")
    def _progression_fits(self) -> "BodyweightExercise":
        raise_field_errors(progression_errors(self.progression, self.sets, bodyweight=True), self)
        return self


class MobilityExercise(_WithSets):
    type: Literal["mobility"]
    sets: list[MobilitySet] = Field(min_length=1, max_length=MAX_SETS)


class TabataExercise(ExerciseBase):
    """Timed by its tabata section: no sets, no rest fields, no notes."""

    type: Literal["tabata"]


EXERCISE_TYPES: dict[str, type[ExerciseBase]] = {
    "strength": StrengthExercise,
    "bodyweight": BodyweightExercise,
    "mobility": MobilityExercise,
    "tabata": TabataExercise,
}
