"""Stored library versions: `sections` and `workouts` collections."""

from typing import ClassVar

from pymongo import ASCENDING, IndexModel

from peakhealth.plan.reading import IdText
from peakhealth.plan.sections import Section
from peakhealth.plan.workouts import Workout
from peakhealth.versioning.documents import VersionedDocument, describe_content


def _version_indexes(chain_field: str, kind_field: str) -> list[IndexModel]:
    return [
        IndexModel([(chain_field, ASCENDING), ("version", ASCENDING)], unique=True),
        IndexModel([(chain_field, ASCENDING), ("isLatest", ASCENDING)]),
        IndexModel([("isPublic", ASCENDING), (kind_field, ASCENDING), ("tags", ASCENDING)]),
        IndexModel([("createdBy", ASCENDING)]),
        # The change feed: versions by creator, then the feed's order; every version (admins).
        IndexModel([("createdBy", ASCENDING), ("changedAt", ASCENDING)]),
        IndexModel([("changedAt", ASCENDING)]),
    ]


class SectionDocument(VersionedDocument):
    """One version of a library section; the section's fields sit beside the chain fields."""

    chain_field: ClassVar[str] = "parentSectionId"
    kind: ClassVar[str] = "section"
    resource_type: ClassVar[str] = "section"

    parentSectionId: IdText

    class Settings:
        name = "sections"
        indexes = _version_indexes("parentSectionId", "type")


class WorkoutDocument(VersionedDocument):
    """One version of a library workout, its sections embedded."""

    chain_field: ClassVar[str] = "parentWorkoutId"
    kind: ClassVar[str] = "workout"
    resource_type: ClassVar[str] = "workout"

    parentWorkoutId: IdText

    class Settings:
        name = "workouts"
        indexes = _version_indexes("parentWorkoutId", "type")


describe_content(SectionDocument, Section, tree_field="exercises")
describe_content(WorkoutDocument, Workout, tree_field="sections")
