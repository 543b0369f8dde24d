"""The performance log: what a client actually did, pointing into the session's frozen snapshot
(DOMAIN.md section 8). The request models check each value on its own; `validate_log` checks the
log against the snapshot and returns it as stored. Pure: no I/O."""

from collections.abc import Mapping
from typing import Annotated, Any

from bson import ObjectId
from pydantic import Field, model_validator

from peakhealth.errors import FieldError, ValidationFailed
from peakhealth.plan.base import Notes, ObjectIdValue, PlanModel, Uuid, raise_field_errors
from peakhealth.plan.exercises import SetType, Side

MAX_LOGGED_SETS = 100  # the plan's 50 and room for extra sets
MAX_LOGGED_EXERCISES = 40
MAX_LOGGED_SECTIONS = 20

LoggedReps = Annotated[int, Field(ge=0, le=1000)]
LoggedWeight = Annotated[float, Field(ge=0, le=1000, description="kilograms")]
LoggedRpe = Annotated[float, Field(ge=1, le=10, description="1-10 in steps of 0.5")]
LoggedSeconds = Annotated[float, Field(ge=0, le=86_400, description="seconds")]

# The performance fields each exercise type records. Tabata exercises have no planned sets; their
# rounds may be logged as extra sets with the bodyweight fields.
PERFORMANCE_FIELDS: dict[str, tuple[str, ...]] = {
    "strength": ("reps", "weight", "rpe", "duration"),
    "bodyweight": ("reps", "duration", "rpe"),
    "mobility": ("duration", "reps", "holdTime"),
    "tabata": ("reps", "duration", "rpe"),
}
# Fields any logged set may record, whatever its exercise type: the rest taken after it.
EVERY_SET_FIELDS = ("restTaken",)
SIDED_TYPES = frozenset({"strength", "bodyweight"})
RUNNING_WORKOUTS = frozenset({"running", "trail-running"})


class SetPerformance(PlanModel):
    """The numbers of one performed set; which ones apply depends on the exercise type."""

    reps: LoggedReps | None = None
    weight: LoggedWeight | None = None
    rpe: LoggedRpe | None = None
    duration: LoggedSeconds | None = None
    holdTime: LoggedSeconds | None = None
    restTaken: LoggedSeconds | None = Field(
        default=None, description="Seconds of rest actually taken after this set"
    )

    @model_validator(mode="after")
    def _rpe_in_halves(self) -> "SetPerformance":
        if self.rpe is not None and self.rpe * 2 != int(self.rpe * 2):
            raise_field_errors([(("rpe",), "RPE goes in steps of 0.5")], self)
        return self


class SetLog(PlanModel):
    """One performed set: a planned one (`setId`) or one the plan did not have (`extra: true`)."""

    setId: ObjectIdValue | None = Field(
        default=None, description="Id of the planned set in the snapshot; absent on extra sets"
    )
    extra: bool = Field(default=False, description="A set the plan did not have (no setId)")
    setType: SetType | None = Field(
        default=None, description="Defaults to the planned set's; required on extra sets"
    )
    unilateralSide: Side | None = None
    notes: Notes | None = None
    performance: SetPerformance = Field(default_factory=SetPerformance)

    @model_validator(mode="after")
    def _planned_or_extra(self) -> "SetLog":
        errors: list[tuple[tuple[str | int, ...], str]] = []
        if self.setId is None and not self.extra:
            errors.append((("setId",), "give the planned set's setId, or extra: true"))
        if self.setId is not None and self.extra:
            errors.append((("extra",), "an extra set has no setId: the plan did not have it"))
        if self.extra and self.setType is None:
            errors.append((("setType",), "an extra set needs its setType"))
        raise_field_errors(errors, self)
        return self


class ExerciseLog(PlanModel):
    """What was done for one exercise of the snapshot (`exerciseEntryId`); a different variant
    than planned is a substitution."""

    exerciseEntryId: ObjectIdValue = Field(description="Id of the exercise in the snapshot")
    exerciseId: Uuid | None = Field(default=None, description="Defaults to the snapshot's")
    exerciseVariantId: Uuid | None = Field(default=None, description="Defaults to the snapshot's")
    notes: Notes | None = None
    sets: list[SetLog] = Field(default_factory=list, max_length=MAX_LOGGED_SETS)


class RunMetrics(PlanModel):
    """Measured over a section of a running or trail-running workout."""

    distance: Annotated[float, Field(ge=0, le=1_000_000, description="metres")] | None = None
    duration: LoggedSeconds | None = None
    avgHeartRate: Annotated[float, Field(ge=30, le=250, description="beats per minute")] | None = (
        None
    )
    elevationGain: Annotated[float, Field(ge=0, le=100_000, description="metres")] | None = None


class SectionLog(PlanModel):
    sectionId: ObjectIdValue = Field(description="Id of the section in the snapshot")
    exercises: list[ExerciseLog] = Field(default_factory=list, max_length=MAX_LOGGED_EXERCISES)
    metrics: RunMetrics | None = None


class PerformanceLog(PlanModel):
    """The whole log; it may be partial (what is not done yet is absent) and each PUT replaces
    it."""

    sections: list[SectionLog] = Field(default_factory=list, max_length=MAX_LOGGED_SECTIONS)


def _by_id(items: Any) -> dict[ObjectId, dict[str, Any]]:
    return {item["_id"]: item for item in items or [] if isinstance(item, dict) and "_id" in item}


def _planned_once(
    planned: Mapping[ObjectId, dict[str, Any]],
    seen: set[ObjectId],
    id: ObjectId,
    path: str,
    errors: list[FieldError],
    *,
    missing: str,
    what: str,
) -> dict[str, Any] | None:
    """The planned element (section, exercise, set) a log entry names by `id`, the first time
    the log names it; None, with an error at `path`, when the snapshot has no such element here
    (`missing`) or the log named it before."""
    element = planned.get(id)
    if element is None:
        errors.append(FieldError(path, missing))
    elif id in seen:
        errors.append(FieldError(path, f"this {what} is already logged"))
        return None
    else:
        seen.add(id)
    return element


def substituted_variants(log: PerformanceLog, snapshot: Mapping[str, Any]) -> set[str]:
    """The variant ids the log names in place of the snapshot's: the ones to look up in the
    catalog (with one call) before `validate_log`."""
    planned = {
        exercise["_id"]: str(exercise.get("exerciseVariantId", "")).lower()
        for section in snapshot.get("sections") or []
        for exercise in section.get("exercises") or []
    }
    return {
        entry.exerciseVariantId
        for section in log.sections
        for entry in section.exercises
        if entry.exerciseVariantId is not None
        and entry.exerciseEntryId in planned
        and entry.exerciseVariantId != planned[entry.exerciseEntryId]
    }


def validate_log(
    log: PerformanceLog,
    snapshot: Mapping[str, Any],
    catalog_variants: Mapping[str, str] | None = None,
    *,
    prefix: str = "performanceLog",
) -> dict[str, Any]:
    """The log as stored (ids as ObjectIds, library ids filled in, each set's `setType`
    defaulted to the planned one), after checking that every id exists in the snapshot at the
    place the log names it, that each set records only its exercise type's fields, and that the
    ids are not repeated. `catalog_variants` maps substituted variant ids that exist to their
    exercise id (None: the catalog was not asked). Raises ValidationFailed with every problem."""
    errors: list[FieldError] = []
    sections = _by_id(snapshot.get("sections"))
    section_of_exercise = {
        exercise_id: section_id
        for section_id, section in sections.items()
        for exercise_id in _by_id(section.get("exercises"))
    }
    running = snapshot.get("type") in RUNNING_WORKOUTS
    seen_sections: set[ObjectId] = set()
    stored_sections: list[dict[str, Any]] = []
    for s_index, section_log in enumerate(log.sections):
        s_path = f"{prefix}.sections[{s_index}]"
        section = _planned_once(
            sections,
            seen_sections,
            section_log.sectionId,
            f"{s_path}.sectionId",
            errors,
            missing="no section with this id",
            what="section",
        )
        if section is None:
            continue
        stored_section: dict[str, Any] = {"sectionId": section_log.sectionId, "exercises": []}
        if section_log.metrics is not None:
            if running:
                stored_section["metrics"] = section_log.metrics.model_dump(exclude_none=True)
            else:
                message = "metrics are logged on running workouts only"
                errors.append(FieldError(f"{s_path}.metrics", message))
        exercises = _by_id(section.get("exercises"))
        seen_exercises: set[ObjectId] = set()
        for e_index, entry in enumerate(section_log.exercises):
            where = (
                "it belongs to another section"
                if entry.exerciseEntryId in section_of_exercise
                else "no exercise with this id"
            )
            exercise = _planned_once(
                exercises,
                seen_exercises,
                entry.exerciseEntryId,
                f"{s_path}.exercises[{e_index}].exerciseEntryId",
                errors,
                missing=f"not an exercise of this section: {where}",
                what="exercise",
            )
            if exercise is None:
                continue
            stored_section["exercises"].append(
                _exercise_entry(
                    entry, exercise, catalog_variants, f"{s_path}.exercises[{e_index}]", errors
                )
            )
        stored_sections.append(stored_section)
    if errors:
        raise ValidationFailed(errors)
    return {"sections": stored_sections}


def _library_ids(
    entry: ExerciseLog,
    exercise: Mapping[str, Any],
    catalog_variants: Mapping[str, str] | None,
    path: str,
    errors: list[FieldError],
) -> tuple[str, str]:
    """The library exercise and variant performed: the snapshot's unless substituted."""
    planned_exercise = str(exercise.get("exerciseId", "")).lower()
    planned_variant = str(exercise.get("exerciseVariantId", "")).lower()
    variant = entry.exerciseVariantId or planned_variant
    if variant == planned_variant:
        if entry.exerciseId is not None and entry.exerciseId != planned_exercise:
            errors.append(
                FieldError(
                    f"{path}.exerciseId",
                    "another exercise than planned needs its exerciseVariantId too",
                )
            )
        return planned_exercise, variant
    if catalog_variants is None:
        return entry.exerciseId or planned_exercise, variant
    owner = catalog_variants.get(variant)
    if owner is None:
        errors.append(FieldError(f"{path}.exerciseVariantId", "no such exercise variant"))
        return entry.exerciseId or planned_exercise, variant
    if entry.exerciseId is not None and entry.exerciseId != owner:
        errors.append(FieldError(f"{path}.exerciseId", f"this variant belongs to exercise {owner}"))
    return owner, variant


def _exercise_entry(
    entry: ExerciseLog,
    exercise: Mapping[str, Any],
    catalog_variants: Mapping[str, str] | None,
    path: str,
    errors: list[FieldError],
) -> dict[str, Any]:
    kind = str(exercise.get("type"))
    exercise_id, variant_id = _library_ids(entry, exercise, catalog_variants, path, errors)
    stored: dict[str, Any] = {
        "exerciseEntryId": entry.exerciseEntryId,
        "exerciseId": exercise_id,
        "exerciseVariantId": variant_id,
    }
    if entry.notes is not None:
        stored["notes"] = entry.notes
    planned_sets = _by_id(exercise.get("sets"))
    allowed = PERFORMANCE_FIELDS.get(kind, ())
    seen: set[ObjectId] = set()
    stored_sets: list[dict[str, Any]] = []
    for t_index, set_log in enumerate(entry.sets):
        t_path = f"{path}.sets[{t_index}]"
        set_type = set_log.setType
        if set_log.setId is not None:
            planned = _planned_once(
                planned_sets,
                seen,
                set_log.setId,
                f"{t_path}.setId",
                errors,
                missing="not a set of this exercise",
                what="set",
            )
            if planned is None:
                continue
            set_type = set_type or planned.get("setType") or "working"
        performance = set_log.performance.model_dump(exclude_none=True)
        for name in performance:
            if name not in allowed and name not in EVERY_SET_FIELDS:
                errors.append(
                    FieldError(
                        f"{t_path}.performance.{name}",
                        f"not recorded for {kind} exercises (they take {', '.join(allowed)})",
                    )
                )
        stored_set: dict[str, Any] = {"extra": set_log.extra, "setType": set_type}
        if set_log.setId is not None:
            stored_set = {"setId": set_log.setId, **stored_set}
        if set_log.unilateralSide is not None:
            if kind in SIDED_TYPES:
                stored_set["unilateralSide"] = set_log.unilateralSide
            else:
                errors.append(
                    FieldError(f"{t_path}.unilateralSide", f"not recorded for {kind} exercises")
                )
        if set_log.notes is not None:
            stored_set["notes"] = set_log.notes
        stored_set["performance"] = performance
        stored_sets.append(stored_set)
    stored["sets"] = stored_sets
    return stored
