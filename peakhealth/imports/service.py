"""Text import: parse, match against the cached catalog, and answer the draft (dry run) or
create the user routine with its audit log (DOMAIN.md section 15)."""

from collections import Counter
from typing import Any

from beanie import PydanticObjectId
from pydantic import BaseModel, ValidationError

from peakhealth.catalog.port import ExerciseCatalog
from peakhealth.errors import FieldError, NotFound, ValidationFailed
from peakhealth.identity.users import CurrentUser
from peakhealth.imports.drafts import ImportedLine, build_draft
from peakhealth.imports.matching import CatalogNames
from peakhealth.imports.parse import parse_text
from peakhealth.plan.reading import IdText, ReadWithId
from peakhealth.routines import user_service
from peakhealth.routines.user_documents import UserRoutineDraft
from peakhealth.storage import import_logs
from peakhealth.storage.import_logs import ImportLog, ImportLogFields
from peakhealth.timestamps import utc_now


class Imported(BaseModel):
    draft: UserRoutineDraft  # validated
    body: dict[str, Any]  # as built: what the dry run answers (a body for POST /api/routines)
    lines: list[ImportedLine]


async def catalog_names(catalog: ExerciseCatalog) -> CatalogNames:
    """Every exercise of the catalog, through the catalog's cache (no database call)."""
    return CatalogNames(await catalog.all_exercises())


async def parse(text: str, name: str | None, catalog: ExerciseCatalog) -> Imported:
    """The draft and the report of each line; 422 naming `text` when nothing was imported."""
    draft, lines = build_draft(parse_text(text), await catalog_names(catalog), name)
    try:
        body = UserRoutineDraft.model_validate(draft)
    except ValidationError as invalid:  # a line the parser let through that the plan refuses
        raise ValidationFailed(
            [FieldError("text", f"{error['loc']}: {error['msg']}") for error in invalid.errors()]
        ) from invalid
    return Imported(draft=body, body=draft, lines=lines)


def unmatched(lines: list[ImportedLine]) -> list[ImportedLine]:
    return [line for line in lines if line.status in ("unmatched", "unparsed", "skipped")]


async def create(user: CurrentUser, text: str, imported: Imported, catalog: ExerciseCatalog) -> Any:
    """The user routine of the draft and its log: log (pending), routine, log done; a failure
    in between is undone before it is raised (storage/import_logs.py says why)."""
    content = await user_service.build_routine(imported.draft, user, catalog)
    routine_id, now = PydanticObjectId(), utc_now()
    lines = [line.model_dump(exclude_none=True) for line in imported.lines]
    counted = Counter(line.confidence for line in imported.lines if line.confidence)
    log = ImportLog(
        userId=user.id,
        text=text,
        lines=lines,
        confidences={level: counted.get(level, 0) for level in ("high", "medium", "low")},
        routineId=routine_id,
        createdAt=now,
        updatedAt=now,
    )
    log.id = PydanticObjectId()
    await import_logs.add_pending(log)
    try:
        routine = await user_service.create(user, content, routine_id=routine_id)
        await import_logs.mark_done(log.id)
    except BaseException:
        await _undo(user, routine_id, log.id)
        raise
    return routine


async def _undo(user: CurrentUser, routine_id: PydanticObjectId, log_id: PydanticObjectId) -> None:
    """After a failure: the routine deleted (its insert may have run with its answer lost), then
    its pending log. When the database stays away, both stay: a routine with a hidden log."""
    try:
        await user_service.delete(user, str(routine_id))
    except NotFound:
        pass  # never inserted
    except Exception:
        return  # keep the log while the routine may exist
    try:
        await import_logs.drop(log_id)
    except Exception:
        return  # a hidden pending log of no routine: harmless


async def list_logs(user: CurrentUser, *, skip: int, limit: int) -> tuple[list[Any], int]:
    rows, total = await import_logs.page(user.id, skip=skip, limit=limit)
    return [
        ImportLogView.model_validate({**row, "routineId": str(row["routineId"])}) for row in rows
    ], total


class ImportLogView(ImportLogFields, ReadWithId):
    """An import log as answered."""

    lines: list[ImportedLine]  # type: ignore[assignment]
    routineId: IdText  # type: ignore[assignment]
