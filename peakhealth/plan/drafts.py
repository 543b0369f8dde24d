"""Request bodies for the library and templates: plan content plus publishing fields, with
server-managed fields ignored so a client can GET a version, edit it and PUT it back."""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, create_model

from peakhealth.plan.base import PlanModel, Tags, drop_server_managed, tagged_union
from peakhealth.plan.routines import TemplateRoutineDraft
from peakhealth.plan.sections import SECTION_TYPES
from peakhealth.plan.workouts import WorkoutDraft


class Publishing(PlanModel):
    """Who may read a library version besides its creator, and how it is found."""

    isPublic: bool = Field(default=False, description="Readable by every trainer")
    tags: Tags = Field(default_factory=list)


SECTION_DRAFTS: dict[str, type[PlanModel]] = {
    key: create_model(f"{cls.__name__}Draft", __base__=(cls, Publishing))
    for key, cls in SECTION_TYPES.items()
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
