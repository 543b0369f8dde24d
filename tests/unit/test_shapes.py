"""One field list per entity: every field a document stores is in its answer, because both
derive from one declaration; every section type has its draft."""

from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from peakhealth.assignments.router import AssignmentView
from peakhealth.library.documents import SectionDocument, WorkoutDocument
from peakhealth.plan.drafts import SECTION_DRAFTS, Publishing
from peakhealth.plan.sections import SECTION_TYPES
from peakhealth.routines.documents import TemplateRoutineDocument
from peakhealth.routines.user_documents import (
    UserRoutineDocument,
    UserRoutineSummary,
    UserRoutineView,
)
from peakhealth.sessions.documents import WorkoutSession
from peakhealth.sessions.models import SessionRead, SessionSummary
from peakhealth.storage.assignments import AssignmentFields, RoutineAssignment

NOT_ANSWERED = frozenset({"revision_id"})  # beanie's own, never shown


def models_of(annotation: Any) -> list[type[BaseModel]]:
    """The models of a response model: itself, or the members of a (tagged) union."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) in (Annotated, Union):
        return [model for arg in get_args(annotation) for model in models_of(arg)]
    return []


def unanswered(document: type[BaseModel], answer: Any, shown_elsewhere: frozenset[str]) -> set[str]:
    """The fields `document` stores that no model of `answer` shows."""
    stored = set(document.model_fields) - NOT_ANSWERED - shown_elsewhere
    return {
        name for model in models_of(answer) for name in stored if name not in model.model_fields
    }


# (document, answer, what that answer leaves to another view of the same document)
ANSWERS: list[tuple[type[BaseModel], Any, frozenset[str]]] = [
    *(
        pair
        for document in (SectionDocument, WorkoutDocument, TemplateRoutineDocument)
        for pair in (
            (document, document.full_model, frozenset({"counts"})),  # in the summary
            (document, document.summary_model, frozenset()),
        )
    ),
    (UserRoutineDocument, UserRoutineView, frozenset()),
    (UserRoutineDocument, UserRoutineSummary, frozenset()),
    (RoutineAssignment, AssignmentView, frozenset()),
    (WorkoutSession, SessionRead, frozenset()),
    (WorkoutSession, SessionSummary, frozenset({"performanceLog"})),  # in the whole session
]


@pytest.mark.parametrize(
    ("document", "answer", "shown_elsewhere"),
    ANSWERS,
    ids=[f"{document.__name__}-{models_of(answer)[0].__name__}" for document, answer, _ in ANSWERS],
)
def test_every_stored_field_is_answered(
    document: type[BaseModel], answer: Any, shown_elsewhere: frozenset[str]
) -> None:
    assert models_of(answer), "no response model found"
    assert unanswered(document, answer, shown_elsewhere) == set()


def test_a_field_stored_without_its_answer_is_found() -> None:
    class Widened(AssignmentFields):  # what a document would store, with one field more
        reminderSent: bool = False

    assert unanswered(Widened, AssignmentView, frozenset()) == {"reminderSent"}


def test_every_section_type_has_its_draft() -> None:
    assert SECTION_DRAFTS.keys() == SECTION_TYPES.keys()
    for key, draft in SECTION_DRAFTS.items():
        section = SECTION_TYPES[key]
        assert issubclass(draft, section) and issubclass(draft, Publishing)
        assert draft.__name__ == f"{section.__name__}Draft"  # its name in the OpenAPI document
        assert draft.model_fields.keys() == section.model_fields.keys() | {"isPublic", "tags"}
