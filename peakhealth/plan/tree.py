"""Walking a plan tree: every element with its path, fresh ids for copies, duplicate ids."""

from collections.abc import Iterator
from typing import TypeVar

from pydantic import BaseModel

from peakhealth.errors import format_path
from peakhealth.plan.base import PlanElement, PlanObjectId
from peakhealth.plan.exercises import ExerciseBase

Path = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


_children: dict[type[BaseModel], tuple[str, ...]] = {}


def _child_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of `cls` that can hold plan models (the rest are scalars: never walked)."""
    if cls not in _children:
        _children[cls] = tuple(
            name for name, info in cls.model_fields.items() if _holds_models(info.annotation)
        )
    return _children[cls]


def _holds_models(annotation: object) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, BaseModel)
    return any(_holds_models(arg) for arg in getattr(annotation, "__args__", ()))


def walk(model: BaseModel, path: Path = ()) -> Iterator[tuple[Path, BaseModel]]:
    """Every plan model below (and including) `model`, depth first, with its path."""
    yield path, model
    for name in _child_fields(type(model)):
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from walk(value, (*path, name))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from walk(item, (*path, name, index))


def elements(model: BaseModel, path: Path = ()) -> Iterator[tuple[Path, PlanElement]]:
    for where, node in walk(model, path):
        if isinstance(node, PlanElement):
            yield where, node


def exercises(model: BaseModel, path: Path = ()) -> Iterator[tuple[Path, ExerciseBase]]:
    for where, node in walk(model, path):
        if isinstance(node, ExerciseBase):
            yield where, node


def renew_ids(model: M) -> M:
    """Give every element of `model` a new id, in place, so one library component can appear
    twice in a plan; for a model that is already a private copy."""
    for _, element in elements(model):
        element.id = PlanObjectId()
    return model


def with_fresh_ids(model: M) -> M:
    """A deep copy whose every element has a new id."""
    return renew_ids(model.model_copy(deep=True))


def duplicate_ids(model: BaseModel, path: Path = ()) -> list[tuple[Path, str]]:
    """Errors for element ids used more than once in one document."""
    first_seen: dict[PlanObjectId, Path] = {}
    errors: list[tuple[Path, str]] = []
    for where, element in elements(model, path):
        if where == path:
            continue  # the document's own id is not an element id
        if element.id in first_seen:
            errors.append(
                (
                    (*where, "id"),
                    f"id {element.id} is already used at {format_path(first_seen[element.id])}",
                )
            )
        else:
            first_seen[element.id] = where
    return errors
