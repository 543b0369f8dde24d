"""Who may read or change what, in one place. For each kind of stored document and action a
`Rule` gives both the MongoDB filter a query adds (what the caller may see of a collection) and
the check of one loaded document; the two are written side by side and a test holds them to the
same answer for every role (tests/unit/test_policy.py). Pure: fields as stored, no I/O.

Roles: a client, a trainer, an admin (`CurrentUser.role`); relations: a version's or chain's
creator (`createdBy`), a user routine's owner and an assignment's or session's client
(`userId`), an assignment's author (`assignedBy`) and the trainer it was made for (`trainerId`),
a trainer-client link's trainer (`trainerId`)."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from peakhealth.errors import Forbidden
from peakhealth.identity.users import CurrentUser

Filter = dict[str, Any]
Stored = Mapping[str, Any]

# Matches no document (every document has an `_id`); the filter of a rule that refuses a role.
NOTHING: Filter = {"_id": {"$in": []}}
EVERYTHING: Filter = {}


@dataclass(frozen=True)
class Rule:
    """One action on one kind of document: `filter(user)` matches exactly the stored documents
    for which `allows(user, document)` is true."""

    name: str
    filter: Callable[[CurrentUser], Filter]
    allows: Callable[[CurrentUser, Stored], bool]


def admin_or_field_is_caller(name: str, field: str) -> Rule:
    """The rule "an admin, or the document's `field` is the caller": both halves from one
    field name."""
    return Rule(
        name,
        lambda user: EVERYTHING if user.is_admin else {field: user.id},
        lambda user, stored: user.is_admin or stored.get(field) == user.id,
    )


# ----- versions of library components and template routines ------------------------------------


def _read_version_filter(user: CurrentUser) -> Filter:
    if user.is_admin:
        return EVERYTHING
    return {"$or": [{"isPublic": True}, {"createdBy": user.id}]}


def _may_read_version(user: CurrentUser, version: Stored) -> bool:
    return user.is_admin or version.get("createdBy") == user.id or version.get("isPublic") is True


READ_VERSION = Rule("read a version", _read_version_filter, _may_read_version)
"""Own, public, or anything for admins (sections, workouts, template routine versions)."""


SEE_ARCHIVED = admin_or_field_is_caller("see the archived versions of a chain", "createdBy")
"""Archived versions show in a chain's version list, and may be forked, for its creator and
admins only."""


def _change_chain_filter(user: CurrentUser) -> Filter:
    if user.is_admin:
        return EVERYTHING
    return {"createdBy": user.id, "adminOnly": {"$ne": True}}


CHANGE_CHAIN = Rule(
    "change a version chain",
    _change_chain_filter,
    lambda user, head: (
        user.is_admin or (head.get("createdBy") == user.id and head.get("adminOnly") is not True)
    ),
)
"""Only the creator or an admin changes a chain (its head: `createdBy`, `adminOnly`); only an
admin when the latest version is reserved to admins (a company template)."""


def _copy_template_filter(user: CurrentUser) -> Filter:
    if user.is_admin:
        return EVERYTHING
    return {"$or": [{"allowCopy": True}, {"createdBy": user.id}]}


COPY_TEMPLATE = Rule(
    "copy a template version into a user routine",
    _copy_template_filter,
    lambda user, version: (
        user.is_admin or version.get("allowCopy") is True or version.get("createdBy") == user.id
    ),
)
"""When it allows copies, or by its creator, or by an admin (reading it is checked first)."""


OWN_VERSION = Rule(
    "a version the caller created",
    lambda user: {"createdBy": user.id},
    lambda user, version: version.get("createdBy") == user.id,
)
"""The caller's own versions, admins' included (the `mine` listings, and the archived versions
a library listing adds): a relation, not a permission, so admins get no more."""

PURGE_ARCHIVED = admin_or_field_is_caller("purge archived versions in bulk", "createdBy")
"""The bulk purge removes the caller's own archived versions; an admin's, every creator's."""

FOLLOW_VERSION = admin_or_field_is_caller("follow the changes of versions", "createdBy")
"""The change feed's versions (and their tombstones): the caller's own, every one for admins;
a client also follows the template versions assigned to them (`READ_ASSIGNED_VERSION`). Public
versions of others are read, not followed: their changes are not the caller's to sync."""


def _publish_template_filter(user: CurrentUser) -> Filter:
    return EVERYTHING if user.is_admin else {"templateType": {"$ne": "company"}}


PUBLISH_TEMPLATE = Rule(
    "publish a template routine",
    _publish_template_filter,
    lambda user, template: user.is_admin or template.get("templateType") != "company",
)
"""Company templates are published by admins only; any other by any plan author."""


def may_fork(user: CurrentUser, version: Stored) -> bool:
    """A readable version may be forked; an archived one only by its creator or an admin."""
    if not READ_VERSION.allows(user, version):
        return False
    return version.get("isArchived") is not True or SEE_ARCHIVED.allows(user, version)


def check_may_change_chain(user: CurrentUser, head: Stored, *, kind: str) -> None:
    """Forbidden, saying why, unless `CHANGE_CHAIN` allows it."""
    if CHANGE_CHAIN.allows(user, head):
        return
    if head.get("adminOnly") is True and not user.is_admin:
        raise Forbidden(f"this {kind} is published by the company; only an admin may change it")
    raise Forbidden(f"only the creator of this {kind} or an admin may change it")


# ----- user routines ---------------------------------------------------------------------------

USER_ROUTINE_SCOPE: Filter = {"routineType": "user-created"}

USE_USER_ROUTINE = Rule(
    "read or change a user routine",
    lambda user: {**USER_ROUTINE_SCOPE, "userId": user.id},
    lambda user, routine: (
        routine.get("routineType") == "user-created" and routine.get("userId") == user.id
    ),
)
"""A user routine is its owner's alone, admins included."""


def own_user_routines(user: CurrentUser, **query: Any) -> Filter:
    """A query on the caller's user routines: scope and owner always together."""
    return {**query, **USE_USER_ROUTINE.filter(user)}


# ----- assignments and the sessions they schedule ----------------------------------------------


def assigning_needs_link(user: CurrentUser, client_id: str) -> bool:
    """Whether `check_may_assign` depends on a trainer-client link, so the service asks the
    directory only then."""
    return client_id != user.id and not user.is_admin and user.role == "trainer"


def check_may_assign(user: CurrentUser, client_id: str, *, linked: bool) -> str | None:
    """Who may assign to whom (DOMAIN.md section 7): anyone to themselves, an admin to anyone, a
    trainer to their clients (`linked`: the directory links them). Returns the `trainerId` the
    assignment records (None when no trainer made it for the client); Forbidden otherwise."""
    if client_id == user.id or user.is_admin:
        return None
    if user.role == "trainer":
        if linked:
            return user.id
        raise Forbidden("this user is not one of your clients")
    raise Forbidden("a client assigns routines to themselves only")


def trainer_after_upgrade(
    user: CurrentUser, assignment: Stored, trainer_id: str | None
) -> str | None:
    """The `trainerId` an upgraded assignment records: an admin upgrading someone else's acts for
    its trainer, who keeps reading it; anyone else records what assigning would (`trainer_id`)."""
    if user.is_admin and assignment.get("userId") != user.id:
        return assignment.get("trainerId")
    return trainer_id


def _read_client_data_filter(user: CurrentUser) -> Filter:
    if user.is_admin:
        return EVERYTHING
    if user.authors_plans:
        return {"$or": [{"trainerId": user.id}, {"userId": user.id}]}
    return {"userId": user.id}


def _may_read_client_data(user: CurrentUser, stored: Stored) -> bool:
    if user.is_admin or stored.get("userId") == user.id:
        return True
    return user.authors_plans and stored.get("trainerId") == user.id


READ_ASSIGNMENT = Rule("read an assignment", _read_client_data_filter, _may_read_client_data)
"""A client reads their own assignments; a trainer the ones made for them as trainer (and their
own); an admin every one."""

READ_SESSION = Rule("read a workout session", _read_client_data_filter, _may_read_client_data)
"""As assignments: sessions carry their assignment's client and trainer."""


CHANGE_ASSIGNMENT = admin_or_field_is_caller("change or replace an assignment", "assignedBy")
"""Who made an assignment, or an admin, changes it (status, upgrade, notes) and replaces it
(DOMAIN.md section 7)."""

READ_ASSIGNED_VERSION = Rule(
    "read a template version through one's own assignment",
    lambda user: {"userId": user.id},
    lambda user, assignment: assignment.get("userId") == user.id,
)
"""A template version an assignment of the caller points to is theirs to read among their
routines, whoever published it (the rule is over the assignments; admins not excepted)."""

GIVE_FEEDBACK = Rule(
    "write feedback on an assignment",
    lambda user: {"userId": user.id},
    lambda user, assignment: assignment.get("userId") == user.id,
)
"""Feedback is written by the client the routine is assigned to, admins not excepted."""


CHANGE_SESSION = admin_or_field_is_caller("log or change a workout session", "userId")
"""The session's client logs it and changes it; an admin may too."""


def check_may_change_assignment(user: CurrentUser, assignment: Stored) -> None:
    if not CHANGE_ASSIGNMENT.allows(user, assignment):
        raise Forbidden("only whoever made this assignment, or an admin, may change it")


# ----- a client's coaching data: metrics and personal records -----------------------------------


def coaching_needs_link(user: CurrentUser, client_id: str) -> bool:
    """Whether `may_coach` depends on a trainer-client link, so the service asks the directory
    only then."""
    return client_id != user.id and not user.is_admin and user.role == "trainer"


def may_coach(user: CurrentUser, client_id: str, *, linked: bool) -> bool:
    """Who records and reads a client's metrics and personal records (DOMAIN.md section 13): the
    client, their linked trainer (`linked`: the directory links them) and admins. Anyone else
    is answered as if the client did not exist (404), so ids of users do not leak."""
    if client_id == user.id or user.is_admin:
        return True
    return user.role == "trainer" and linked


# ----- trainer-client links --------------------------------------------------------------------


def _read_links_filter(user: CurrentUser) -> Filter:
    return {"trainerId": user.id} if user.authors_plans else NOTHING


READ_LINK = Rule(
    "read a trainer-client link",
    _read_links_filter,
    lambda user, link: user.authors_plans and link.get("trainerId") == user.id,
)
"""Trainers (and admins, as trainers) read the links to their own clients; clients none."""

CHANGE_LINK = Rule(
    "link or unlink a trainer and a client",
    lambda user: EVERYTHING if user.is_admin else NOTHING,
    lambda user, link: user.is_admin,
)
"""Admins only (where the service keeps the links)."""

# ----- webhook subscriptions -------------------------------------------------------------------

READ_WEBHOOK = admin_or_field_is_caller("read a webhook subscription", "ownerId")
"""A subscription and its delivery log are its subscriber's; admins read every one."""

CHANGE_WEBHOOK = Rule(
    "change a webhook subscription",
    lambda user: {"ownerId": user.id},
    lambda user, subscription: subscription.get("ownerId") == user.id,
)
"""Only the subscriber changes, rotates, tests or deletes a subscription, admins not excepted:
its secret is shown to whoever rotates it."""

# ----- calendar feeds --------------------------------------------------------------------------

USE_CALENDAR_FEED = Rule(
    "read or change a calendar feed",
    lambda user: {"userId": user.id},
    lambda user, feed: feed.get("userId") == user.id,
)
"""A feed is its user's alone, admins not excepted: rotating it shows its secret."""
# ----- groups ----------------------------------------------------------------------------------

USE_GROUP = admin_or_field_is_caller("read or change a group", "trainerId")
"""A group is its trainer's alone, and admins'; anyone else (its members included) sees none."""


def check_may_keep_groups(user: CurrentUser) -> None:
    """Trainers (and admins) keep groups of their clients; a client has none."""
    if not user.authors_plans:
        raise Forbidden("groups are kept by trainers")


RULES: tuple[Rule, ...] = (
    READ_VERSION,
    SEE_ARCHIVED,
    CHANGE_CHAIN,
    COPY_TEMPLATE,
    OWN_VERSION,
    PURGE_ARCHIVED,
    FOLLOW_VERSION,
    PUBLISH_TEMPLATE,
    USE_USER_ROUTINE,
    READ_ASSIGNMENT,
    READ_ASSIGNED_VERSION,
    CHANGE_ASSIGNMENT,
    GIVE_FEEDBACK,
    READ_SESSION,
    CHANGE_SESSION,
    READ_LINK,
    CHANGE_LINK,
    READ_WEBHOOK,
    CHANGE_WEBHOOK,
    USE_CALENDAR_FEED,
    USE_GROUP,
)
