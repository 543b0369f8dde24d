"""`POST /api/routines/import` (a plan as text: a dry run answers the draft, else the user
routine is created and logged) and `GET /api/import-logs` (the caller's imports)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, StringConstraints

from peakhealth.http.dependencies import Catalog, User
from peakhealth.http.pagination import Page, Pages, page_of
from peakhealth.http.preconditions import tagged
from peakhealth.http.responses import created_response, json_bytes, json_response, location
from peakhealth.imports import service
from peakhealth.imports.drafts import ImportedLine
from peakhealth.imports.service import ImportLogView
from peakhealth.plan.base import MULTI_LINE, Name, PlanModel
from peakhealth.routines.user_documents import UserRoutineView

router = APIRouter(tags=["Routines"])


MAX_TEXT = 100_000  # characters: a plan of thousands of lines, far beyond a routine's limits


class ImportBody(PlanModel):
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT), MULTI_LINE] = Field(
        description="The plan, one line each: day headings (`Day 1 - Lower`, `Monday:`,"
        " `# Push`), then exercises (`Squat 5x5 @ 100kg`, `Bench press 3 x 8-10 @ RPE 8`,"
        " `Plank 3x60s`, `Run 5 min`, `Pull-ups 3xAMRAP`, `A1`/`A2` for a superset)."
        " Newline and tab are the only control characters allowed."
    )
    name: Name | None = Field(default=None, description="The routine's name")


class ImportDraft(BaseModel):
    # The createRoutine request body; not its schema by reference, whose answer form would
    # show the stored `_id` alias of plan elements.
    draft: dict[str, Any] = Field(
        description="A body for POST /api/routines (operation createRoutine), as imported"
    )
    lines: list[ImportedLine]
    unmatched: list[ImportedLine] = Field(
        description="The lines that did not become part of the routine (unmatched, unparsed,"
        " skipped), also listed in `lines`"
    )


class ImportedRoutine(BaseModel):
    routine: UserRoutineView
    lines: list[ImportedLine]
    unmatched: list[ImportedLine]


class ImportLogPage(Page[ImportLogView]): ...


@router.post(
    "/api/routines/import",
    status_code=201,
    response_model=ImportedRoutine,
    responses={200: {"model": ImportDraft, "description": "The dry run's draft"}},
    operation_id="importRoutine",
    summary="Import a plan written as text: a draft (dryRun=true) or a new user routine",
)
async def import_routine(
    request: Request,
    user: User,
    body: ImportBody,
    catalog: Catalog,
    dryRun: Annotated[
        bool, Query(description="true: answer the draft and write nothing (no log)")
    ] = False,
) -> Response:
    """Each exercise line is matched against the catalog's names with a confidence (`high`,
    `medium`, `low`); lines below 70 are listed as unmatched, never guessed. Without `dryRun`
    the routine is created as by `POST /api/routines` and the import is logged."""
    imported = await service.parse(body.text, body.name, catalog)
    left_out = service.unmatched(imported.lines)
    if dryRun:
        return json_response(
            ImportDraft(draft=imported.body, lines=imported.lines, unmatched=left_out)
        )
    routine = await service.create(user, body.text, imported, catalog)
    answer = ImportedRoutine(routine=routine, lines=imported.lines, unmatched=left_out)
    created = created_response(json_bytes(answer), location(request, "getRoutine", routine.id))
    return tagged(created, routine.revision)


@router.get(
    "/api/import-logs",
    response_model=ImportLogPage,
    operation_id="listImportLogs",
    summary="The caller's text imports that created a routine, newest first",
)
async def list_import_logs(user: User, pages: Pages) -> Response:
    """Only the author reads an import's log: the text, the report of each line, the count of
    each confidence and the routine made."""
    items, total = await service.list_logs(user, skip=pages.skip, limit=pages.limit)
    return json_response(page_of(items, total, pages))
