"""Snapshot on save: references to library versions become embedded deep copies.

Each level of the tree is fetched with one `$in` query for all its ids, whatever their number, so
saving a plan costs a constant number of queries. Copies get fresh element ids and record their
`source`; the stored plan holds no references and never changes when the library does."""

from collections.abc import Sequence
from typing import Any

from beanie import PydanticObjectId
from pydantic import BaseModel, ValidationError

from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.catalog.references import check_exercise_references
from peakhealth.errors import FieldError, ValidationFailed, field_errors, format_path
from peakhealth.identity.users import CurrentUser
from peakhealth.library.documents import SectionDocument, WorkoutDocument
from peakhealth.plan.base import Source
from peakhealth.plan.routines import TemplateRoutine, TemplateRoutineDraft
from peakhealth.plan.tree import Path, duplicate_ids, with_fresh_ids
from peakhealth.plan.workouts import Workout, WorkoutDraft
from peakhealth.versioning import VersionedDocument, can_read

Wanted = list[tuple[Path, str]]


async def _fetch_copies(
    cls: type[VersionedDocument], wanted: Wanted, user: CurrentUser, errors: list[FieldError]
) -> dict[Path, Any]:
    """Deep copies of the referenced versions, by the path that referenced them (one query)."""
    if not wanted:
        return {}
    ids = {PydanticObjectId(ref) for _, ref in wanted}
    found = {doc.id: doc for doc in await cls.find({"_id": {"$in": list(ids)}}).to_list()}
    copies: dict[Path, Any] = {}
    for path, ref in wanted:
        document = found.get(PydanticObjectId(ref))
        if document is None or not can_read(document, user):
            errors.append(FieldError(format_path(path), f"no {cls.kind} version with id {ref}"))
        elif document.isArchived:
            errors.append(FieldError(format_path(path), f"{cls.kind} version {ref} is archived"))
        else:
            copy = with_fresh_ids(document.content())
            copy.source = Source(
                kind=cls.kind,
                id=document.version_id,
                parentId=document.chain_id,
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
    sections = await _fetch_copies(SectionDocument, _section_refs(draft, ()), user, errors)
    if errors:
        raise ValidationFailed(errors)
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
    workouts = await _fetch_copies(WorkoutDocument, workout_refs, user, errors)
    sections = await _fetch_copies(SectionDocument, section_refs, user, errors)
    if errors:
        raise ValidationFailed(errors)
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
