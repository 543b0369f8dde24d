"""Who may read or change what (peakhealth.policy), table-driven: for every rule and role, the
documents the check allows are the expected ones, and the rule's MongoDB filter (evaluated by
mongomock's matcher) matches exactly those documents."""

from typing import Any

import pytest
from mongomock.filtering import filter_applies

from peakhealth import policy
from peakhealth.errors import Forbidden
from peakhealth.identity.users import CurrentUser
from peakhealth.policy import Rule

ROLES = {
    "client": CurrentUser("client", role="client"),
    "trainer": CurrentUser("trainer", role="trainer"),
    "admin": CurrentUser("admin", role="admin"),
}

VERSIONS: dict[str, dict[str, Any]] = {
    "client's private": {"createdBy": "client", "isPublic": False, "isArchived": False},
    "trainer's private": {"createdBy": "trainer", "isPublic": False, "isArchived": False},
    "trainer's archived": {"createdBy": "trainer", "isPublic": False, "isArchived": True},
    "another's private": {"createdBy": "someone", "isPublic": False, "isArchived": False},
    "another's public": {"createdBy": "someone", "isPublic": True, "isArchived": False},
    "another's archived public": {"createdBy": "someone", "isPublic": True, "isArchived": True},
    "admin's private": {"createdBy": "admin", "isPublic": False, "isArchived": False},
}
CHAINS: dict[str, dict[str, Any]] = {
    "client's": {"createdBy": "client"},
    "trainer's": {"createdBy": "trainer", "adminOnly": False},
    "trainer's company template": {"createdBy": "trainer", "adminOnly": True},
    "another's": {"createdBy": "someone", "adminOnly": False},
}
TEMPLATES: dict[str, dict[str, Any]] = {
    "another's, copies allowed": {"createdBy": "someone", "allowCopy": True},
    "another's, no copies": {"createdBy": "someone", "allowCopy": False},
    "another's, copies not said": {"createdBy": "someone"},
    "trainer's, no copies": {"createdBy": "trainer", "allowCopy": False},
}
TEMPLATE_TYPES: dict[str, dict[str, Any]] = {
    "a company template": {"templateType": "company"},
    "a trainer template": {"templateType": "trainer"},
    "a template of no stated type": {},
}
USER_ROUTINES: dict[str, dict[str, Any]] = {
    "client's": {"routineType": "user-created", "userId": "client"},
    "trainer's": {"routineType": "user-created", "userId": "trainer"},
    "admin's": {"routineType": "user-created", "userId": "admin"},
    "a template by the client": {"routineType": "template", "createdBy": "client"},
}
# Assignments, and the sessions they schedule (both carry userId and trainerId).
CLIENT_DATA: dict[str, dict[str, Any]] = {
    "client's, by trainer": {"userId": "client", "trainerId": "trainer", "assignedBy": "trainer"},
    "client's, by another": {"userId": "client", "trainerId": "someone", "assignedBy": "someone"},
    "client's, self-made": {"userId": "client", "trainerId": None, "assignedBy": "client"},
    "client's, no trainer field": {"userId": "client", "assignedBy": "client"},
    "trainer's, self-made": {"userId": "trainer", "trainerId": None, "assignedBy": "trainer"},
    "another's, by admin for trainer": {
        "userId": "someone",
        "trainerId": "trainer",
        "assignedBy": "admin",
    },
    "another's, naming client as trainer": {
        "userId": "someone",
        "trainerId": "client",
        "assignedBy": "someone",
    },
    "another's": {"userId": "someone", "trainerId": "other", "assignedBy": "other"},
}
LINKS: dict[str, dict[str, Any]] = {
    "trainer's client": {"trainerId": "trainer", "clientId": "client"},
    "another trainer's": {"trainerId": "someone", "clientId": "client"},
    "admin's client": {"trainerId": "admin", "clientId": "someone"},
    "naming client as trainer": {"trainerId": "client", "clientId": "someone"},
}
WEBHOOKS: dict[str, dict[str, Any]] = {
    "client's": {"ownerId": "client"},
    "trainer's": {"ownerId": "trainer"},
    "admin's": {"ownerId": "admin"},
    "another's": {"ownerId": "someone"},
}
CALENDAR_FEEDS: dict[str, dict[str, Any]] = {
    "client's": {"userId": "client"},
    "trainer's": {"userId": "trainer"},
    "admin's": {"userId": "admin"},
    "another's": {"userId": "someone"},
}
GROUPS: dict[str, dict[str, Any]] = {
    "trainer's": {"trainerId": "trainer"},
    "another trainer's": {"trainerId": "someone"},
    "naming the client as member": {"trainerId": "someone", "memberIds": ["client"]},
}
CLIENTS_OWN = {
    "client's, by trainer",
    "client's, by another",
    "client's, self-made",
    "client's, no trainer field",
}
EVERY = object()  # every sample document
# Who reads an assignment or a session: its client, the trainer who assigned it (or whom an admin
# named), a trainer their own self-made ones, admins all.
CLIENT_DATA_READERS = {
    "client": CLIENTS_OWN,
    "trainer": {"client's, by trainer", "trainer's, self-made", "another's, by admin for trainer"},
    "admin": EVERY,
}
# Who gives feedback on an assignment, or reads the version assigned: its client (a trainer their
# own self-made ones), no admin.
ITS_CLIENT = {"client": CLIENTS_OWN, "trainer": {"trainer's, self-made"}, "admin": set()}
# Who sees, purges or follows archived versions: their creators, admins all.
CREATORS_AND_ADMINS = {
    "client": {"client's private"},
    "trainer": {"trainer's private", "trainer's archived"},
    "admin": EVERY,
}
# Of documents labelled by whose they are: each role its own.
OWNERS = {"client": {"client's"}, "trainer": {"trainer's"}, "admin": {"admin's"}}
OWNERS_AND_ADMINS = {"client": {"client's"}, "trainer": {"trainer's"}, "admin": EVERY}

# rule -> (its sample documents, {role: the documents it allows})
TABLE: dict[str, tuple[dict[str, dict[str, Any]], dict[str, Any]]] = {
    policy.READ_VERSION.name: (
        VERSIONS,
        {
            "client": {"client's private", "another's public", "another's archived public"},
            "trainer": {
                "trainer's private",
                "trainer's archived",
                "another's public",
                "another's archived public",
            },
            "admin": EVERY,
        },
    ),
    policy.SEE_ARCHIVED.name: (VERSIONS, CREATORS_AND_ADMINS),
    policy.CHANGE_CHAIN.name: (CHAINS, OWNERS_AND_ADMINS),
    policy.COPY_TEMPLATE.name: (
        TEMPLATES,
        {
            "client": {"another's, copies allowed"},
            "trainer": {"another's, copies allowed", "trainer's, no copies"},
            "admin": EVERY,
        },
    ),
    policy.OWN_VERSION.name: (
        VERSIONS,
        {
            "client": {"client's private"},
            "trainer": {"trainer's private", "trainer's archived"},
            "admin": {"admin's private"},
        },
    ),
    policy.PURGE_ARCHIVED.name: (VERSIONS, CREATORS_AND_ADMINS),
    policy.FOLLOW_VERSION.name: (VERSIONS, CREATORS_AND_ADMINS),
    policy.PUBLISH_TEMPLATE.name: (
        TEMPLATE_TYPES,
        {
            "client": {"a trainer template", "a template of no stated type"},
            "trainer": {"a trainer template", "a template of no stated type"},
            "admin": EVERY,
        },
    ),
    policy.USE_USER_ROUTINE.name: (USER_ROUTINES, OWNERS),
    policy.READ_ASSIGNMENT.name: (CLIENT_DATA, CLIENT_DATA_READERS),
    policy.CHANGE_ASSIGNMENT.name: (
        CLIENT_DATA,
        {
            "client": {"client's, self-made", "client's, no trainer field"},
            "trainer": {"client's, by trainer", "trainer's, self-made"},
            "admin": EVERY,
        },
    ),
    policy.READ_ASSIGNED_VERSION.name: (CLIENT_DATA, ITS_CLIENT),
    policy.GIVE_FEEDBACK.name: (CLIENT_DATA, ITS_CLIENT),
    policy.READ_SESSION.name: (CLIENT_DATA, CLIENT_DATA_READERS),
    policy.CHANGE_SESSION.name: (
        CLIENT_DATA,
        {"client": CLIENTS_OWN, "trainer": {"trainer's, self-made"}, "admin": EVERY},
    ),
    policy.READ_LINK.name: (
        LINKS,
        {"client": set(), "trainer": {"trainer's client"}, "admin": {"admin's client"}},
    ),
    policy.CHANGE_LINK.name: (LINKS, {"client": set(), "trainer": set(), "admin": EVERY}),
    policy.READ_WEBHOOK.name: (WEBHOOKS, OWNERS_AND_ADMINS),
    policy.CHANGE_WEBHOOK.name: (WEBHOOKS, OWNERS),
    policy.USE_CALENDAR_FEED.name: (CALENDAR_FEEDS, OWNERS),
    # Only the group's trainer and admins: a member reads nothing of the group.
    policy.USE_GROUP.name: (GROUPS, {"client": set(), "trainer": {"trainer's"}, "admin": EVERY}),
}
RULES = {rule.name: rule for rule in policy.RULES}


def allowed(rule_name: str, role: str) -> set[str]:
    documents, expected = TABLE[rule_name]
    chosen = expected[role]
    return set(documents) if chosen is EVERY else set(chosen)


CASES = [
    pytest.param(rule_name, role, label, id=f"{role}-{rule_name}-{label}")
    for rule_name, (documents, _) in TABLE.items()
    for role in ROLES
    for label in documents
]


def test_every_rule_has_a_row() -> None:
    assert set(TABLE) == set(RULES)


@pytest.mark.parametrize(("rule_name", "role", "label"), CASES)
def test_the_check_allows_what_the_table_says(rule_name: str, role: str, label: str) -> None:
    documents, _ = TABLE[rule_name]
    rule: Rule = RULES[rule_name]
    assert rule.allows(ROLES[role], documents[label]) is (label in allowed(rule_name, role))


@pytest.mark.parametrize(("rule_name", "role", "label"), CASES)
def test_the_filter_matches_what_the_check_allows(rule_name: str, role: str, label: str) -> None:
    documents, _ = TABLE[rule_name]
    rule: Rule = RULES[rule_name]
    user, document = ROLES[role], {"_id": label, **documents[label]}
    assert filter_applies(rule.filter(user), document) is rule.allows(user, document)


@pytest.mark.parametrize(
    ("role", "forkable"),
    [
        ("client", {"client's private", "another's public"}),
        ("trainer", {"trainer's private", "trainer's archived", "another's public"}),
        ("admin", set(VERSIONS)),
    ],
)
def test_a_readable_version_is_forked_an_archived_one_by_its_creator_or_an_admin(
    role: str, forkable: set[str]
) -> None:
    assert {label for label, v in VERSIONS.items() if policy.may_fork(ROLES[role], v)} == forkable


def test_changing_a_chain_is_refused_with_the_reason() -> None:
    trainer = ROLES["trainer"]
    policy.check_may_change_chain(trainer, CHAINS["trainer's"], kind="section")
    with pytest.raises(Forbidden, match="published by the company"):
        policy.check_may_change_chain(trainer, CHAINS["trainer's company template"], kind="x")
    with pytest.raises(Forbidden, match="only the creator of this section"):
        policy.check_may_change_chain(trainer, CHAINS["another's"], kind="section")


def test_changing_an_assignment_is_refused_to_others() -> None:
    policy.check_may_change_assignment(ROLES["trainer"], CLIENT_DATA["client's, by trainer"])
    with pytest.raises(Forbidden):
        policy.check_may_change_assignment(ROLES["trainer"], CLIENT_DATA["client's, by another"])


def test_user_routine_queries_name_scope_and_owner() -> None:
    query = policy.own_user_routines(ROLES["client"], _id=1, isActive=True)
    assert query == {"_id": 1, "isActive": True, "routineType": "user-created", "userId": "client"}


# Assigning (DOMAIN.md section 7): role, to whom, whether the directory links them, and the
# trainerId recorded (or the refusal).
ASSIGNING = [
    ("client", "client", False, None),
    ("client", "someone", False, Forbidden),
    ("client", "someone", True, Forbidden),
    ("trainer", "trainer", False, None),
    ("trainer", "client", True, "trainer"),
    ("trainer", "client", False, Forbidden),
    ("admin", "admin", False, None),
    ("admin", "client", False, None),
]


@pytest.mark.parametrize(("role", "client_id", "linked", "expected"), ASSIGNING)
def test_who_may_assign_to_whom(role: str, client_id: str, linked: bool, expected: Any) -> None:
    user = ROLES[role]
    if expected is Forbidden:
        with pytest.raises(Forbidden):
            policy.check_may_assign(user, client_id, linked=linked)
    else:
        assert policy.check_may_assign(user, client_id, linked=linked) == expected


@pytest.mark.parametrize(("role", "client_id", "linked", "expected"), ASSIGNING)
def test_the_link_is_asked_for_only_when_it_decides(
    role: str, client_id: str, linked: bool, expected: Any
) -> None:
    """The directory is asked (a round trip) only by a trainer assigning to someone else, and
    whenever it is not asked, the decision is the same either way."""
    user = ROLES[role]
    needed = role == "trainer" and client_id != user.id
    assert policy.assigning_needs_link(user, client_id) is needed
    if needed:
        return
    for either in (False, True):
        try:
            decided: Any = policy.check_may_assign(user, client_id, linked=either)
        except Forbidden:
            decided = Forbidden
        assert decided == expected


@pytest.mark.parametrize(
    ("role", "assignment", "recorded"),
    [
        ("admin", "another's, by admin for trainer", "trainer"),
        ("admin", "client's, self-made", None),
        ("trainer", "client's, by trainer", "assigned"),
        ("client", "client's, self-made", "assigned"),
    ],
)
def test_an_admin_upgrading_keeps_the_assignments_trainer(
    role: str, assignment: str, recorded: str | None
) -> None:
    trainer = policy.trainer_after_upgrade(ROLES[role], CLIENT_DATA[assignment], "assigned")
    assert trainer == recorded


# A client's metrics and records (DOMAIN.md section 13): role, whose, whether the directory links
# the caller (a trainer) to them, and whether the caller may record and read them.
COACHING = [
    ("client", "client", False, True),
    ("client", "someone", False, False),
    ("client", "someone", True, False),  # a link names trainers only
    ("trainer", "trainer", False, True),
    ("trainer", "client", True, True),
    ("trainer", "client", False, False),
    ("admin", "admin", False, True),
    ("admin", "client", False, True),
]


@pytest.mark.parametrize(("role", "client_id", "linked", "allowed"), COACHING)
def test_who_coaches_whom(role: str, client_id: str, linked: bool, allowed: bool) -> None:
    assert policy.may_coach(ROLES[role], client_id, linked=linked) is allowed


@pytest.mark.parametrize(("role", "client_id", "linked", "allowed"), COACHING)
def test_the_coaching_link_is_asked_for_only_when_it_decides(
    role: str, client_id: str, linked: bool, allowed: bool
) -> None:
    user = ROLES[role]
    needed = role == "trainer" and client_id != user.id
    assert policy.coaching_needs_link(user, client_id) is needed
    if not needed:
        assert {policy.may_coach(user, client_id, linked=either) for either in (False, True)} == {
            allowed
        }
