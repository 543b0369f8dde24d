"""User-created routines: plain mutable documents in `routines` (`routineType: user-created`),
private to `userId`. Their content, the request bodies, the stored document and how it is shown.

The stored layout is that of a template version: routine fields flat, `workouts` embedded with
element ids under `_id`, `counts` of the tree beside them. The single active routine of a user is
kept by the database itself, by a unique index on (`userId`, `activeKey`): `activeKey` is the user
id on the active routine and the routine's own `_id` on every other, so a second active routine of
the same user is refused and inactive ones never collide. The index starts with `userId`, the
shard key `routines` is meant to have (README, "Scaling out"): MongoDB keeps a unique index on a
sharded collection only when its key starts with the shard key."""

from typing import Annotated, Any, ClassVar, Literal

from beanie import Document
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    create_model,
    model_validator,
)
from pydantic.fields import FieldInfo
from pymongo import ASCENDING, IndexModel

from peakhealth.plan.base import drop_server_managed
from peakhealth.plan.reading import ReadWithId
from peakhealth.plan.routines import MAX_WORKOUTS, RoutineFields, WorkoutOrReference
from peakhealth.plan.workouts import Workout
from peakhealth.policy import USER_ROUTINE_SCOPE
from peakhealth.revisions import BEFORE_REVISIONS, Revision
from peakhealth.timestamps import Stamped, UtcDatetime
from peakhealth.versioning.documents import (
    SCHEMA_VERSION,
    CopiedFrom,
    CopiedFromRead,
    plan_views,
    present_view,
)

USER_CREATED: dict[str, Any] = USER_ROUTINE_SCOPE
# The user id on the active routine; on every other, the routine's own _id (an ObjectId: unique,
# and never equal to a user id, which is a string).
ACTIVE_KEY = "activeKey"
ACTIVE_INDEX = "one_active_routine_per_user"


# ----- content and request bodies --------------------------------------------------------------


class UserRoutineContent(RoutineFields):
    """A user routine's plan as stored: every workout and section embedded."""

    workouts: list[Workout] = Field(min_length=1, max_length=MAX_WORKOUTS)

    @model_validator(mode="after")
    def _complete(self) -> "UserRoutineContent":
        for index, workout in enumerate(self.workouts):
            workout.orderIndex = index
        self._fill_schedule(len(self.workouts))
        return self


class UserRoutineDraft(RoutineFields):
    """A user routine as submitted: workouts may be workout version ids, and sections inside
    embedded workouts may be section version ids. No publishing fields: it is private."""

    workouts: list[WorkoutOrReference] = Field(min_length=1, max_length=MAX_WORKOUTS)


UserRoutineBody: Any = Annotated[UserRoutineDraft, BeforeValidator(drop_server_managed)]

# The top-level fields PATCH may change, with the rules they have in a whole routine.
PATCHABLE = ("name", "description", "difficulty", "goal", "duration", "objectives", "schedule")


def _no_default_shown(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _optional(name: str) -> Any:
    """The field `name` of a whole routine, absent unless given: its type and bounds kept, so a
    null stays a validation error where the field takes none."""
    info = RoutineFields.model_fields[name]
    optional = FieldInfo.merge_field_infos(
        info, default=None, default_factory=None, json_schema_extra=_no_default_shown
    )
    return (info.annotation, optional)


UserRoutinePatch: type[RoutineFields] = create_model(
    "UserRoutinePatch",
    __base__=RoutineFields,
    __doc__="Some top-level fields of a user routine; `workouts` is changed with PUT only."
    " `description: null` removes it; `schedule: null` or `{}` restores the default week.",
    **{name: _optional(name) for name in PATCHABLE},
)
UserRoutinePatchBody: Any = Annotated[UserRoutinePatch, BeforeValidator(drop_server_managed)]

# Stored keys that hold the routine's content (a replacement rewrites exactly these).
CONTENT_KEYS: frozenset[str] = frozenset({*UserRoutineContent.model_fields, "counts"})

# ----- storage ---------------------------------------------------------------------------------


class UserRoutineFields(BaseModel):
    """What every stored user routine holds besides its plan, and every answer shows: the one
    list of these fields (`UserRoutineDocument` stores them, `UserRoutineMeta` answers them)."""

    routineType: Literal["user-created"] = "user-created"
    userId: str
    isActive: bool = False
    isFavorite: bool = False
    completedWorkouts: int = 0
    totalWorkouts: int = 0
    lastUsed: UtcDatetime | None = None
    copiedFrom: CopiedFrom | None = None  # the template version it was copied from
    revision: Revision = BEFORE_REVISIONS
    schemaVersion: int
    createdAt: UtcDatetime
    updatedAt: UtcDatetime


class UserRoutineDocument(Document, Stamped, UserRoutineFields):
    """A user's own routine. Content fields are stored flat beside these (extra fields)."""

    # Beanie declares its `model_config` under an `if`, which mypy takes for an instance variable
    # once a second model is a base.
    model_config = ConfigDict(extra="allow", populate_by_name=True)  # type: ignore[misc]

    scope: ClassVar[dict[str, Any]] = USER_CREATED

    schemaVersion: int = SCHEMA_VERSION  # a new routine's

    class Settings:
        name = "routines"
        # (userId, isActive) and (userId, isFavorite) are declared with the template documents
        # of the same collection.
        indexes = [
            # At most one active routine per user. Sparse, so template versions (no userId, no
            # activeKey) stay out: unique and not sparse, they would all be (null, null) and
            # collide. On MongoDB a sparse compound index still holds every document that has
            # ANY of its keys, so an inactive routine without activeKey would be (userId, null)
            # and collide with the user's next one: inactive routines carry their own _id
            # instead of no value. Sparse rather than partial: the embedded store (mongomock)
            # ignores `partialFilterExpression` and would apply the index to every document.
            IndexModel(
                [("userId", ASCENDING), (ACTIVE_KEY, ASCENDING)],
                unique=True,
                sparse=True,
                name=ACTIVE_INDEX,
            ),
            # The change feed (`GET /api/changes`): the owner, then the feed's order.
            IndexModel([("userId", ASCENDING), ("changedAt", ASCENDING)]),
        ]

    def stored(self) -> dict[str, Any]:
        """The document as MongoDB holds it."""
        stored = self.model_dump(exclude={"id", "revision_id"})
        stored["_id"] = self.id
        return stored


async def give_inactive_routines_their_key(database: Any) -> int:
    """Before the (userId, activeKey) index is built: routines stored before it existed have no
    `activeKey` while inactive (the active one already has the user id). Two of one user would
    collide in the new index and refuse to build it, so each gets its own `_id` first. Runs while
    the index is missing (an index that exists proves it ran), so a start never scans the
    collection again. Returns how many routines changed."""
    routines = database[UserRoutineDocument.Settings.name]
    if ACTIVE_INDEX in await routines.index_information():
        return 0
    result = await routines.update_many(
        {**USER_CREATED, ACTIVE_KEY: {"$exists": False}},
        [{"$set": {ACTIVE_KEY: "$_id"}}],  # an update pipeline: each document's own _id
    )
    return int(result.modified_count)


# ----- how a user routine is shown -------------------------------------------------------------


class UserRoutineMeta(UserRoutineFields, ReadWithId):
    """What every user routine shows besides its plan."""

    copiedFrom: CopiedFromRead | None = None  # CopiedFrom, as the OpenAPI document names it


UserRoutineView, UserRoutineSummary = plan_views(
    UserRoutineContent, meta=UserRoutineMeta, tree_field="workouts", name="UserRoutine"
)
_VIEWS: tuple[TypeAdapter[Any], TypeAdapter[Any]] = (
    TypeAdapter(UserRoutineView),
    TypeAdapter(UserRoutineSummary),
)


def present_user_routine(stored: dict[str, Any], *, full: bool = True) -> BaseModel:
    """A stored user routine (raw, as MongoDB returns it) read into its view."""
    return present_view(_VIEWS, stored, full=full)
