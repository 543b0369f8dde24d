"""Stored library versions: `sections` and `workouts` collections."""

from typing import Any, ClassVar

from beanie import PydanticObjectId
from pydantic import TypeAdapter
from pymongo import ASCENDING, IndexModel

from peakhealth.plan.sections import Section
from peakhealth.plan.workouts import Workout
from peakhealth.versioning import VersionedDocument


def _version_indexes(chain_field: str, kind_field: str) -> list[IndexModel]:
    return [
        IndexModel([(chain_field, ASCENDING), ("version", ASCENDING)], unique=True),
        IndexModel([(chain_field, ASCENDING), ("isLatest", ASCENDING)]),
        IndexModel([("isPublic", ASCENDING), (kind_field, ASCENDING), ("tags", ASCENDING)]),
        IndexModel([("createdBy", ASCENDING)]),
    ]


class SectionDocument(VersionedDocument):
    """One version of a library section; the section's fields sit beside the chain fields."""

    chain_field: ClassVar[str] = "parentSectionId"
    kind: ClassVar[str] = "section"
    content_type: ClassVar[TypeAdapter[Any]] = TypeAdapter(Section)

    parentSectionId: PydanticObjectId

    class Settings:
        name = "sections"
        indexes = _version_indexes("parentSectionId", "type")


class WorkoutDocument(VersionedDocument):
    """One version of a library workout, its sections embedded."""

    chain_field: ClassVar[str] = "parentWorkoutId"
    kind: ClassVar[str] = "workout"
    content_type: ClassVar[TypeAdapter[Any]] = TypeAdapter(Workout)

    parentWorkoutId: PydanticObjectId

    class Settings:
        name = "workouts"
        indexes = _version_indexes("parentWorkoutId", "type")
