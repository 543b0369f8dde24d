"""Snapshot on save: references to library versions become embedded deep copies.

Each level of the tree is fetched with one `$in` query for all its ids, whatever their number, so
saving a plan costs a constant number of queries. Copies get fresh element ids and record their
`source`; the stored plan holds no references and never changes when the library does."""

from collections.abc import Sequence
from typing import Any

import bson
from beanie import PydanticObjectId
from pydantic import BaseModel, ValidationError

from peakhealth import policy
from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.catalog.references import check_exercise_references
from peakhealth.errors import FieldError, ValidationFailed, field_errors, format_path
from peakhealth.identity.users import CurrentUser
from peakhealth.library.documents import SectionDocument, WorkoutDocument
from peakhealth.plan.base import PlanObjectId, Source
from peakhealth.plan.routines import TemplateRoutine, TemplateRoutineDraft
from peakhealth.plan.tree import Path, duplicate_ids, renew_ids
from peakhealth.plan.workouts import Workout, WorkoutDraft
from peakhealth.storage import versions
from peakhealth.versioning.documents import MAX_DOCUMENT_BYTES, VersionedDocument

Wanted = list[tuple[Path, str]]
Found = dict[Path, tuple[VersionedDocument, int]]  # a referenced version and its BSON size


async def _fetch(
    cls: type[VersionedDocument], wanted: Wanted, user: CurrentUser, errors: list[FieldError]
) -> Found:
    """The referenced versions the caller may use, by the path that referenced them, with the
    size each adds to the document (one query for all of them)."""
    if not wanted:
        return {}
    ids = list({PydanticObjectId(ref) for _, ref in wanted})
    rows = await versions.referenced(cls, ids)
    by_id = {row["_id"]: row for row in rows}
    found: Found = {}
    for path, ref in wanted:
        row = by_id.get(PydanticObjectId(ref))
        if row is None or not policy.READ_VERSION.allows(user, row):
            errors.append(FieldError(format_path(path), f"no {cls.kind} version with id {ref}"))
        elif row.get("isArchived"):
            errors.append(FieldError(format_path(path), f"{cls.kind} version {ref} is archived"))
        else:
            found[path] = (cls.model_validate(row), len(bson.encode(row)))
    return found


def _check_size(*found: Found) -> None:
    """Refuse, before copying anything, a document whose references alone pass the limit;
    the error names the reference that crossed it."""
    total = 0
    for path, (_, size) in sorted(item for batch in found for item in batch.items()):
        total += size
        if total > MAX_DOCUMENT_BYTES:
            raise ValidationFailed(
                [
                    FieldError(
                        format_path(path),
                        f"with this reference the document would exceed"
                        f" {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB",
                    )
                ]
            )


def _copies(cls: type[VersionedDocument], found: Found) -> dict[Path, Any]:
    """Deep copies of the found versions, with fresh element ids and their `source`."""
    copies: dict[Path, Any] = {}
    for path, (document, _) in found.items():
        copy = renew_ids(document.content())  # content() builds a new model each call
        copy.source = Source(
            kind=cls.kind,  # type: ignore[arg-type]
            id=PlanObjectId(document.version_id),
            parentId=PlanObjectId(document.chain_id),
            version=document.version,
        )
        copies[path] = copy
    return copies


def _section_refs(draft: WorkoutDraft, path: Path) -> Wanted:
    return [
        ((*path, "sections", index), item)
        for index, item in enumerate(draft.sections)
        if isinstance(item, str)
    ]


def _embed_workout(draft: WorkoutDraft, path: Path, sections: dict[Path, Any]) -> dict[str, Any]:
    fields = {name: getattr(draft, name) for name in Workout.model_fields if name != "sections"}
    fields["sections"] = [
        sections.get((*path, "sections", index), item) for index, item in enumerate(draft.sections)
    ]
    return fields


def _validated(model: type[BaseModel], fields: dict[str, Any], path: Sequence[str | int]) -> Any:
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        raise ValidationFailed(field_errors(error, path)) from error


async def _finish(plan: BaseModel, catalog: ExerciseCatalog, errors: list[FieldError]) -> None:
    errors.extend(FieldError(format_path(path), message) for path, message in duplicate_ids(plan))
    errors.extend(await check_exercise_references(plan, catalog))
    if errors:
        raise ValidationFailed(errors)


async def check_section(section: Any, catalog: ExerciseCatalog) -> Any:
    """A library section holds no references; it gets the same id and catalog checks."""
    await _finish(section, catalog, [])
    return section


async def resolve_workout(
    draft: WorkoutDraft, user: CurrentUser, catalog: ExerciseCatalog
) -> Workout:
    """The workout with every section reference replaced by a copy of that section version."""
    errors: list[FieldError] = []
    found = await _fetch(SectionDocument, _section_refs(draft, ()), user, errors)
    if errors:
        raise ValidationFailed(errors)
    _check_size(found)
    sections = _copies(SectionDocument, found)
    workout: Workout = _validated(Workout, _embed_workout(draft, (), sections), ())
    await _finish(workout, catalog, errors)
    return workout


async def resolve_template(
    draft: TemplateRoutineDraft, user: CurrentUser, catalog: ExerciseCatalog
) -> TemplateRoutine:
    """The routine with workout references and section references (inside embedded workouts)
    replaced by copies: one query for all workouts, one for all sections."""
    errors: list[FieldError] = []
    workout_refs: Wanted = []
    section_refs: Wanted = []
    for index, item in enumerate(draft.workouts):
        if isinstance(item, str):
            workout_refs.append((("workouts", index), item))
        else:
            section_refs.extend(_section_refs(item, ("workouts", index)))
    found_workouts = await _fetch(WorkoutDocument, workout_refs, user, errors)
    found_sections = await _fetch(SectionDocument, section_refs, user, errors)
    if errors:
        raise ValidationFailed(errors)
    _check_size(found_workouts, found_sections)
    workouts = _copies(WorkoutDocument, found_workouts)
    sections = _copies(SectionDocument, found_sections)
    embedded: list[Any] = []
    for index, item in enumerate(draft.workouts):
        path: Path = ("workouts", index)
        if isinstance(item, str):
            embedded.append(workouts[path])
        else:
            embedded.append(_validated(Workout, _embed_workout(item, path, sections), path))
    fields = {name: getattr(draft, name) for name in TemplateRoutine.model_fields}
    fields["workouts"] = embedded
    routine: TemplateRoutine = _validated(TemplateRoutine, fields, ())
    await _finish(routine, catalog, errors)
    return routine
