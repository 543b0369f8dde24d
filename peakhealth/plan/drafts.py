"""Request bodies for the library and templates: plan content plus publishing fields, with
server-managed fields ignored so a client can GET a version, edit it and PUT it back."""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from peakhealth.plan.base import PlanModel, Tags, drop_server_managed, tagged_union
from peakhealth.plan.routines import TemplateRoutineDraft
from peakhealth.plan.sections import (
    BasicSection,
    CircuitSection,
    CooldownSection,
    EmomSection,
    FartlekSection,
    HillRepeatsSection,
    IntervalsSection,
    TabataSection,
    TempoSection,
    WarmupSection,
)
from peakhealth.plan.workouts import WorkoutDraft


class Publishing(PlanModel):
    """Who may read a library version besides its creator, and how it is found."""

    isPublic: bool = Field(default=False, description="Readable by every trainer")
    tags: Tags = Field(default_factory=list)


# One draft per section type: the section and its publishing fields. Without docstrings, as the
# sections they extend (a docstring would be the schema's description).
class WarmupSectionDraft(WarmupSection, Publishing): ...


class CooldownSectionDraft(CooldownSection, Publishing): ...


class BasicSectionDraft(BasicSection, Publishing): ...


class EmomSectionDraft(EmomSection, Publishing): ...


class TabataSectionDraft(TabataSection, Publishing): ...


class CircuitSectionDraft(CircuitSection, Publishing): ...


class IntervalsSectionDraft(IntervalsSection, Publishing): ...


class TempoSectionDraft(TempoSection, Publishing): ...


class FartlekSectionDraft(FartlekSection, Publishing): ...


class HillRepeatsSectionDraft(HillRepeatsSection, Publishing): ...


SECTION_DRAFTS: dict[str, type[Publishing]] = {
    "warmup": WarmupSectionDraft,
    "cooldown": CooldownSectionDraft,
    "basic": BasicSectionDraft,
    "emom": EmomSectionDraft,
    "tabata": TabataSectionDraft,
    "circuit": CircuitSectionDraft,
    "intervals": IntervalsSectionDraft,
    "tempo": TempoSectionDraft,
    "fartlek": FartlekSectionDraft,
    "hill_repeats": HillRepeatsSectionDraft,
}
SectionDraft: Any = Annotated[
    tagged_union(SECTION_DRAFTS, "section"), BeforeValidator(drop_server_managed)
]


class LibraryWorkoutDraft(WorkoutDraft, Publishing):
    """A library workout as submitted; sections may be section version ids."""


LibraryWorkoutBody: Any = Annotated[LibraryWorkoutDraft, BeforeValidator(drop_server_managed)]


class TemplateDraft(TemplateRoutineDraft, Publishing):
    """A template routine version as submitted, with its publishing fields."""


TemplateRoutineBody: Any = Annotated[TemplateDraft, BeforeValidator(drop_server_managed)]
