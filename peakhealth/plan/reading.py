"""Read models: lenient twins of the plan models, for plan content read back from storage.

Input models enforce today's rules on what a client submits. Stored data was checked when it was
written, possibly under older rules, so reading it must not check it again: a read model has the
same fields, types and names (and so the same OpenAPI schema shape and JSON output) but no
bounds, no rules, no strict types, and it ignores fields it does not know. Each read model is
derived from its input model, so the two never drift apart."""

from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from bson import ObjectId
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    Tag,
    TypeAdapter,
    WithJsonSchema,
    create_model,
)
from pydantic.fields import FieldInfo
from pydantic_core import core_schema

from peakhealth.plan.base import PlanObjectId

ID_PATTERN = "^[0-9a-f]{24}$"


def _id_from_text(value: str) -> ObjectId:
    return ObjectId(value)  # bson's InvalidId is a ValueError: a validation error


class _StoredId:
    """How a read model takes an id: the ObjectId MongoDB returns is kept as it is (checked in
    pydantic's core, no Python call per id, which matters in trees of hundreds of elements); a
    text id is parsed. Written as its 24 hex characters."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> Any:
        text = core_schema.no_info_after_validator_function(_id_from_text, core_schema.str_schema())
        return core_schema.json_or_python_schema(
            json_schema=text,
            python_schema=core_schema.union_schema(
                [core_schema.is_instance_schema(ObjectId), text]
            ),
            serialization=core_schema.to_string_ser_schema(when_used="json"),
        )


# An id as the API shows it: always 24 lower-case hex characters.
IdText = Annotated[
    ObjectId,
    _StoredId,
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN, "description": "24 hex characters"}),
]

READ_CONFIG = ConfigDict(extra="ignore", populate_by_name=True, strict=False)


class ReadWithId(BaseModel):
    """Base of an answer read from a stored document: read leniently, its `_id` shown as `id`.
    An answer lists it last among its bases, after the stored fields it shows, so that `id`
    comes first."""

    model_config = READ_CONFIG

    id: IdText = Field(validation_alias=AliasChoices("_id", "id"), serialization_alias="id")


def render(view: TypeAdapter[Any], stored: dict[str, Any]) -> bytes:
    """Stored data read into `view` (a read model) and written as the JSON bytes the API
    answers: field names, ids as hex, absent fields left out."""
    return view.dump_json(view.validate_python(stored), by_alias=True, exclude_none=True)


_read_models: dict[type[BaseModel], type[BaseModel]] = {}


def _documentation(meta: Any) -> Any | None:
    """Keep what documents a type (description, pattern), drop what validates it."""
    if isinstance(meta, Tag | Discriminator | WithJsonSchema):
        return meta
    if isinstance(meta, FieldInfo) and (meta.description or meta.json_schema_extra):
        return Field(description=meta.description, json_schema_extra=meta.json_schema_extra)
    return None


def lenient(annotation: Any) -> Any:
    """`annotation` with plan models replaced by their read models and validation dropped."""
    if annotation is PlanObjectId:
        return IdText
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return read_model(annotation)
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *metadata = get_args(annotation)
        kept = [m for m in (_documentation(item) for item in metadata) if m is not None]
        base = lenient(inner)
        return Annotated[(base, *kept)] if kept else base
    if origin in (Union, UnionType):
        return Union[tuple(lenient(arg) for arg in get_args(annotation))]  # noqa: UP007
    if origin is list:
        (item,) = get_args(annotation)
        return list[lenient(item)]  # type: ignore[misc]
    return annotation


def _field(name: str, info: FieldInfo) -> Any:
    """The lenient twin of a plan field: read by the same names, always shown by its own name
    (a storage alias such as `_id` never reaches a response)."""
    documented = [m for m in (_documentation(item) for item in info.metadata) if m is not None]
    options: dict[str, Any] = {
        "alias": info.alias,
        "validation_alias": info.validation_alias,
        "serialization_alias": name,
        "description": info.description,
        "json_schema_extra": info.json_schema_extra,
    }
    for meta in documented:
        if isinstance(meta, FieldInfo):
            options["description"] = options["description"] or meta.description
            options["json_schema_extra"] = options["json_schema_extra"] or meta.json_schema_extra
    if info.default_factory is not None:
        options["default_factory"] = info.default_factory
    elif not info.is_required():
        options["default"] = info.default
    return Field(**options)


def read_fields(model: type[BaseModel], *, leave_out: frozenset[str] = frozenset()) -> Any:
    """The lenient field definitions of `model`, for `create_model`."""
    return {
        name: (lenient(info.annotation), _field(name, info))
        for name, info in model.model_fields.items()
        if name not in leave_out
    }


def read_model(model: type[BaseModel]) -> type[BaseModel]:
    """The read model of a plan model (made once, then reused)."""
    if model not in _read_models:
        _read_models[model] = create_model(
            f"{model.__name__}Read",
            __config__=READ_CONFIG,
            __doc__=model.__doc__,
            __module__=__name__,
            **read_fields(model),
        )
    return _read_models[model]


class TreeCounts(BaseModel):
    """How big a plan is, shown in list summaries instead of the tree itself."""

    workouts: int = 0
    sections: int = 0
    exercises: int = 0
    sets: int = 0


_COUNTED = {"workouts": "workouts", "sections": "sections", "exercises": "exercises"}


def count_tree(stored: dict[str, Any]) -> TreeCounts:
    """Workouts, sections, exercises and sets below a stored (or submitted) plan document."""
    counts = TreeCounts()

    def visit(node: dict[str, Any]) -> None:
        for key, attribute in _COUNTED.items():
            for child in node.get(key) or []:
                if isinstance(child, dict):
                    setattr(counts, attribute, getattr(counts, attribute) + 1)
                    visit(child)
        counts.sets += len(node.get("sets") or [])

    visit(stored)
    return counts
