"""Shared building blocks of the plan tree: ids, text limits, provenance, field-level errors.

Plan models are strict (DOMAIN.md section 3): a number given as a string or a boolean, or a
boolean given as a string or a number, is a validation error naming the field; an integer where a
float is expected is fine. Ids arrive as 24-hex strings over HTTP and as bson ObjectIds from
storage; nothing else is an id (not null, not bytes, not a string with a trailing newline).
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from bson import ObjectId
from bson.errors import InvalidId
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    Tag,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

from peakhealth.plan.durations import DURATION_PATTERN, normalize_duration, normalize_rest

MAX_NAME = 200
MAX_NOTES = 5000
MAX_TAGS = 20
MAX_TAG_LENGTH = 50
# Integers below this fit BSON's int64: the bound of any integer without a domain maximum. An
# exclusive bound because the OpenAPI document writes bounds as floats, and 2**63 is one exactly
# (2**63 - 1 is not).
INT64_LIMIT = 2**63

# Control characters (Unicode category Cc: U+0000-U+001F, U+007F-U+009F). A NUL breaks C clients
# and MongoDB regexes; the others are invisible junk. Free text (notes, descriptions) keeps
# newline and tab, as imported plan text does (DOMAIN.md section 15); names, labels and tags are
# one line. Refused, never stripped: the client learns its text was not what it meant.
_CONTROLS = "\\x00-\\x1f\\x7f-\\x9f"
_CONTROLS_BUT_NEWLINE_TAB = "\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f"
ONE_LINE_PATTERN = f"^[^{_CONTROLS}]*$"
MULTI_LINE_PATTERN = f"^[^{_CONTROLS_BUT_NEWLINE_TAB}]*$"
_CONTROL = re.compile(f"[{_CONTROLS}]")
_CONTROL_BUT_NEWLINE_TAB = re.compile(f"[{_CONTROLS_BUT_NEWLINE_TAB}]")


@dataclass(frozen=True)
class NoControlCharacters:
    """Marker of a text type: control characters are a validation error (newline and tab
    allowed when `multiline`), checked on the text as sent, before any trimming; the OpenAPI
    schema shows the rule as a `pattern`. Place it after the type's `StringConstraints`."""

    multiline: bool = False

    def _check(self, value: object) -> object:
        if not isinstance(value, str):
            return value  # the str schema it wraps names the wrong type
        found = (_CONTROL_BUT_NEWLINE_TAB if self.multiline else _CONTROL).search(value)
        if found is not None:
            allowed = " other than newline and tab" if self.multiline else ""
            raise PydanticCustomError(
                "control_character",
                "must not contain control characters{allowed} (found U+{code})",
                {"allowed": allowed, "code": f"{ord(found.group()):04X}"},
            )
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = MULTI_LINE_PATTERN if self.multiline else ONE_LINE_PATTERN
        return json_schema


ONE_LINE = NoControlCharacters()
MULTI_LINE = NoControlCharacters(multiline=True)

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME), ONE_LINE
]
Notes = Annotated[str, StringConstraints(max_length=MAX_NOTES), MULTI_LINE]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME), ONE_LINE
]
# One line of text of any length (query parameters give their own `max_length`).
OneLine = Annotated[str, ONE_LINE]
# Positions the server rewrites from array order; whatever a client sends must still be an int64.
OrderIndex = Annotated[
    int, Field(ge=0, lt=INT64_LIMIT, description="Rewritten from array position, from 0")
]
SetNumber = Annotated[
    int, Field(ge=1, lt=INT64_LIMIT, description="Rewritten from array position, from 1")
]
Duration = Annotated[
    str,
    BeforeValidator(normalize_duration),
    Field(
        description="Work duration, longer than zero; accepts PT1M30S, 90s, 2m, 1m30s, 1h5m,"
        " 1:30 (m:ss), 1:05:00 (h:mm:ss); returned as ISO 8601 (PT1M30S)",
        json_schema_extra={"pattern": DURATION_PATTERN},
    ),
]
RestDuration = Annotated[
    str,
    BeforeValidator(normalize_rest),
    Field(
        description="Rest duration, zero allowed (0s, PT0S, 0:00); accepts PT1M30S, 90s, 2m,"
        " 1m30s, 1h5m, 1:30 (m:ss), 1:05:00 (h:mm:ss); returned as ISO 8601 (PT1M30S)",
        json_schema_extra={"pattern": DURATION_PATTERN},
    ),
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Always `fullmatch`: with `match`, `$` also matches before a trailing newline.
_UUID_TEXT = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_UUID = re.compile(_UUID_TEXT)
UUID_PATTERN = f"^{_UUID_TEXT}$"
_OBJECT_ID = re.compile("[0-9a-fA-F]{24}")


def _uuid(value: str) -> str:
    if not _UUID.fullmatch(value):
        raise ValueError("must be a UUID")
    return value.lower()


def _normalize_tags(tags: list[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        cleaned = tag.strip().lower()
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    return seen


Uuid = Annotated[
    str,
    AfterValidator(_uuid),
    Field(description="Supabase UUID", json_schema_extra={"pattern": f"^{_UUID_TEXT}$"}),
]
TagText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_TAG_LENGTH), ONE_LINE
]
Tags = Annotated[
    list[TagText],
    Field(max_length=MAX_TAGS, description="Trimmed, lower-cased, de-duplicated"),
    AfterValidator(_normalize_tags),
]


def is_object_id(value: object) -> bool:
    """True for a 24-hex-character string, the only spelling of an id over HTTP."""
    return isinstance(value, str) and _OBJECT_ID.fullmatch(value) is not None


class PlanObjectId(ObjectId):
    """An id in a plan model: the same core and JSON schema as beanie's `PydanticObjectId` (so
    the OpenAPI document still names it `PydanticObjectId`), without importing beanie, which
    loads motor and pymongo into the pure core. A bson ObjectId to MongoDB and to every
    comparison."""

    @classmethod
    def _validate(cls, value: Any) -> "PlanObjectId":
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        try:
            return cls(value)
        except (InvalidId, TypeError):
            raise ValueError("Id must be of type PydanticObjectId") from None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        # A definition named as beanie names its own: both meet in one document's schema.
        definition = core_schema.definition_reference_schema("PydanticObjectId")
        return core_schema.definitions_schema(
            definition,
            [
                core_schema.json_or_python_schema(
                    python_schema=core_schema.no_info_plain_validator_function(cls._validate),
                    json_schema=core_schema.no_info_after_validator_function(
                        cls._validate,
                        core_schema.str_schema(
                            pattern="^[0-9a-f]{24}$", min_length=24, max_length=24
                        ),
                    ),
                    serialization=core_schema.plain_serializer_function_ser_schema(
                        str, when_used="json"
                    ),
                    ref=definition["schema_ref"],
                )
            ],
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        handler.resolve_ref_schema(json_schema).update(example="5eb7cf5a86d9755df3a6c593")
        return json_schema


def _object_id(value: object) -> object:
    """An ObjectId read from storage, or a 24-hex string from a request; nothing else (plain
    PlanObjectId would take bytes)."""
    if isinstance(value, ObjectId) or is_object_id(value):
        return value
    raise PydanticCustomError("object_id", "must be an id of 24 hex characters")


def _element_id(value: object) -> object:
    """An element's id: absent or null means a fresh one."""
    return PlanObjectId() if value is None else _object_id(value)


ObjectIdValue = Annotated[PlanObjectId, BeforeValidator(_object_id)]
ElementId = Annotated[
    PlanObjectId,
    BeforeValidator(_element_id, json_schema_input_type=PlanObjectId | None),
]


def _reference(value: str) -> str:
    if not is_object_id(value):
        raise ValueError("must be a version id of 24 hex characters")
    return value.lower()


Reference = Annotated[
    str,
    AfterValidator(_reference),
    Field(
        description="Version id of a library component",
        json_schema_extra={"pattern": "^[0-9a-fA-F]{24}$"},
    ),
]


def raise_field_errors(errors: Iterable[tuple[tuple[str | int, ...], str]], value: Any) -> None:
    """Raise one ValidationError whose entries point at the given fields (paths relative to the
    model being validated), so API errors name `sets[2].reps` rather than the whole set."""
    details = [
        InitErrorDetails(type=PydanticCustomError("plan_rule", message), loc=loc, input=value)
        for loc, message in errors
    ]
    if details:
        raise ValidationError.from_exception_data("plan", details)


class PlanModel(BaseModel):
    """Base of every plan model: camelCase field names as stored and served, unknown fields
    rejected (a typo must not silently drop a trainer's data)."""

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, validate_assignment=False, strict=True
    )


class Source(PlanModel):
    """Provenance of an element copied from the library when the plan was saved."""

    kind: Literal["section", "workout"]
    id: ObjectIdValue
    parentId: ObjectIdValue
    version: int = Field(ge=1, lt=INT64_LIMIT)


def element_id_field() -> Any:
    """An embedded element's id: `id` over HTTP (requests and the OpenAPI document), `_id` still
    read; written `_id` by alias, as MongoDB keeps it (responses use the read models, which
    write `id`); fresh when absent or null."""
    return Field(
        default_factory=PlanObjectId,
        alias="_id",
        validation_alias=AliasChoices("id", "_id"),
        description="Element id (24 hex characters); kept when submitted, generated when absent"
        " or null",
    )


class PlanElement(PlanModel):
    """An element of the plan tree with its own id."""

    id: ElementId = element_id_field()


def tagged_union(
    members: Mapping[str, type[BaseModel]], what: str, *, reference: Any = None
) -> Any:
    """A union discriminated by `type` (or, with `reference`, a string id in its place).

    Tags carry a space ("emom section") so error paths can drop them: no field name has one."""
    tags = {key: f"{key} {what}" for key in members}
    expected = ", ".join(members)

    def pick(value: Any) -> str | None:
        if reference is not None and isinstance(value, str):
            return f"{what} reference"
        kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
        return tags.get(kind) if isinstance(kind, str) else None

    choices: list[Any] = [Annotated[cls, Tag(tags[key])] for key, cls in members.items()]
    if reference is not None:
        choices.append(Annotated[reference, Tag(f"{what} reference")])
    message = f"type must be one of: {expected}"
    if reference is not None:
        message = f"must be a {what} version id or a {what} whose type is one of: {expected}"
    return Annotated[
        Union[tuple(choices)],  # noqa: UP007 - built at run time
        Discriminator(pick, custom_error_type="invalid_type", custom_error_message=message),
    ]


def reference_or(model: type[BaseModel], what: str) -> Any:
    """A library version id, or the embedded element itself."""

    def pick(value: Any) -> str | None:
        if isinstance(value, str):
            return f"{what} reference"
        return f"embedded {what}" if isinstance(value, dict | BaseModel) else None

    return Annotated[
        Union[  # noqa: UP007 - built at run time
            Annotated[Reference, Tag(f"{what} reference")],
            Annotated[model, Tag(f"embedded {what}")],
        ],
        Discriminator(
            pick,
            custom_error_type="invalid_type",
            custom_error_message=f"must be a {what} version id or an embedded {what}",
        ),
    ]


# Fields the server owns. Bodies may carry them (a GET, edited, PUT back) and they are ignored.
SERVER_MANAGED = frozenset(
    {
        "id",
        "_id",
        "version",
        "isLatest",
        "parentSectionId",
        "parentWorkoutId",
        "parentRoutineId",
        "createdBy",
        "createdAt",
        "updatedAt",
        "isArchived",
        "archivedAt",
        "purgeAt",
        "schemaVersion",
        "revision",  # a write's precondition is If-Match, never the body
        "routineType",
        "copiedFrom",
        "orderIndex",
        # user-created routines
        "userId",
        "isActive",
        "isFavorite",
        "completedWorkouts",
        "totalWorkouts",
        "lastUsed",
    }
)


def drop_server_managed(value: Any) -> Any:
    """Before-validator for request bodies: forget the fields the server owns."""
    if isinstance(value, dict):
        return {key: item for key, item in value.items() if key not in SERVER_MANAGED}
    return value
