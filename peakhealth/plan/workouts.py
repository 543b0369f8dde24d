"""Workouts: ordered sections of one kind of training (strength, running, trail running)."""

from typing import Any, Literal

from pydantic import Field, model_validator

from peakhealth.plan.base import (
    Name,
    Notes,
    OrderIndex,
    PlanElement,
    Reference,
    Source,
    raise_field_errors,
    tagged_union,
)
from peakhealth.plan.sections import SECTION_TYPES, Section

MAX_SECTIONS = 20

WorkoutType = Literal["strength", "running", "trail-running"]
_RUNNING_SECTIONS = frozenset(
    {"intervals", "tempo", "fartlek", "hill_repeats", "warmup", "cooldown"}
)
ALLOWED_SECTIONS: dict[str, frozenset[str]] = {
    "strength": frozenset({"basic", "emom", "tabata", "circuit", "warmup", "cooldown"}),
    "running": _RUNNING_SECTIONS,
    "trail-running": _RUNNING_SECTIONS,
}

SectionOrReference: Any = tagged_union(SECTION_TYPES, "section", reference=Reference)


class WorkoutFields(PlanElement):
    """Fields every workout has. `orderIndex` is rewritten from array order (0-based)."""

    name: Name
    type: WorkoutType
    orderIndex: OrderIndex = 0
    objective: Notes | None = None
    notes: Notes | None = None
    source: Source | None = None


class Workout(WorkoutFields):
    """A workout as stored: every section embedded."""

    sections: list[Section] = Field(min_length=1, max_length=MAX_SECTIONS)

    @model_validator(mode="after")
    def _check_sections(self) -> "Workout":
        """Section types fit the workout type. Superset groups are checked by each section
        alone: a group id is scoped to its section (the same library section may appear twice)."""
        errors: list[tuple[tuple[str | int, ...], str]] = []
        allowed = ALLOWED_SECTIONS[self.type]
        for index, section in enumerate(self.sections):
            section.orderIndex = index
            if section.type not in allowed:
                errors.append(
                    (
                        ("sections", index, "type"),
                        f"a {self.type} workout takes {', '.join(sorted(allowed))} sections,"
                        f" not {section.type}",
                    )
                )
        raise_field_errors(errors, self)
        return self


class WorkoutDraft(WorkoutFields):
    """A workout as submitted: sections may be library section version ids."""

    sections: list[SectionOrReference] = Field(min_length=1, max_length=MAX_SECTIONS)
