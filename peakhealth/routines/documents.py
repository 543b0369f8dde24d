"""Stored routines: template versions in the `routines` collection (`routineType: template`)."""

from typing import Any, ClassVar, Literal

from pymongo import ASCENDING, IndexModel

from peakhealth.plan.reading import IdText
from peakhealth.plan.routines import TemplateRoutine
from peakhealth.versioning.documents import VersionedDocument, describe_content

TEMPLATE: dict[str, str] = {"routineType": "template"}


class TemplateRoutineDocument(VersionedDocument):
    """One published version of a template routine, fully embedded."""

    chain_field: ClassVar[str] = "parentRoutineId"
    kind: ClassVar[str] = "template routine"
    resource_type: ClassVar[str] = "template"
    content_has_id: ClassVar[bool] = False
    scope: ClassVar[dict[str, str]] = TEMPLATE
    policy_fields: ClassVar[tuple[str, ...]] = ("templateType",)

    parentRoutineId: IdText
    routineType: Literal["template"] = "template"

    @classmethod
    def admin_only(cls, stored: dict[str, Any]) -> bool:
        """A chain whose latest version is a company template is changed by admins only."""
        return stored.get("templateType") == "company"

    class Settings:
        name = "routines"
        indexes = [
            # Sparse, not partial: user routines (in the same collection) have neither field
            # and stay out of it, and the embedded store honours sparse but not partial indexes.
            IndexModel(
                [("parentRoutineId", ASCENDING), ("version", ASCENDING)],
                unique=True,
                sparse=True,
                name="template_chain_version",
            ),
            IndexModel([("parentRoutineId", ASCENDING), ("isLatest", ASCENDING)]),
            IndexModel([("isPublic", ASCENDING), ("templateType", ASCENDING), ("tags", ASCENDING)]),
            IndexModel([("userId", ASCENDING), ("isActive", ASCENDING)]),
            IndexModel([("userId", ASCENDING), ("isFavorite", ASCENDING)]),
            IndexModel([("createdBy", ASCENDING)]),
            # The change feed: versions by creator, then the feed's order; every routine (the
            # admins' feed of template versions). User routines declare their own.
            IndexModel([("createdBy", ASCENDING), ("changedAt", ASCENDING)]),
            IndexModel([("changedAt", ASCENDING)]),
        ]


describe_content(TemplateRoutineDocument, TemplateRoutine, tree_field="workouts")
