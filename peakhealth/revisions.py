"""Revisions and entity tags (DOMAIN.md section 12): a mutable document's `revision` counts the
changes a reader could see, its entity tag is `"<revision>"`, and the conditional headers
(`If-Match`, `If-None-Match`) name tags. Pure: parsing and matching per RFC 9110 section 8.8.3
and 13.1, and the query conditions a repository adds to a write.

Hand-written rather than borrowed: the libraries that parse entity tags (werkzeug's
`parse_etags`) accept unquoted tags silently, where this service answers a malformed header
with a 422 naming it (README, "Revisions and preconditions")."""

import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field

FIELD = "revision"
FIRST = 1  # a new document's revision
# A document stored before documents had revisions has none: it reads as 0, and its first
# change (`$inc` on a missing field starts from 0) makes it 1, so its tag changes too.
BEFORE_REVISIONS = 0

# The `revision` field of every document the API changes (stored and answered alike).
Revision = Annotated[int, Field(ge=0, description="Counts the changes; the ETag is its value")]
BUMP: dict[str, dict[str, int]] = {"$inc": {FIELD: 1}}  # in every update that changes a document

# entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; etagc = "!" / %x23-7E (obs-text is refused: tags
# here are digits, and a header outside ASCII is more likely garbage than a tag).
_TAG = r'(?:W/)?"[!#-~]*"'
# `*`, or a list of tags; RFC 9110 section 5.6.1 asks a recipient to accept empty list elements.
PATTERN = rf"^[ \t]*(?:\*|[ \t,]*{_TAG}(?:[ \t]*,[ \t,]*{_TAG})*[ \t,]*)[ \t]*$"
MAX_LENGTH = 1024  # far more tags than a client holds of one document
_WHOLE = re.compile(PATTERN)
_ONE = re.compile(r'(W/)?"([!#-~]*)"')


def revision_of(stored: dict[str, Any]) -> int:
    """The revision of a stored document (or of the fields read of it)."""
    return int(stored.get(FIELD) or BEFORE_REVISIONS)


def etag(revision: int) -> str:
    """The strong entity tag of a revision, as the `ETag` header carries it."""
    return f'"{revision}"'


@dataclass(frozen=True)
class Tags:
    """The tags a conditional header names: any current representation (`*`), or a list of
    (weak, opaque tag) pairs."""

    any: bool
    tags: tuple[tuple[bool, str], ...] = ()

    def strong_revisions(self) -> frozenset[int]:
        """The revisions the strong tags name; weak tags and tags that are no revision never
        match a write's precondition (strong comparison, RFC 9110 section 8.8.3.2)."""
        return frozenset(int(tag) for weak, tag in self.tags if not weak and _is_revision(tag))

    def weakly_names(self, revision: int) -> bool:
        """True when the header names the revision by weak comparison (`W/"3"` matches `"3"`),
        or is `*`: what `If-None-Match` asks."""
        return self.any or any(tag == str(revision) for _, tag in self.tags)


def _is_revision(tag: str) -> bool:
    return tag.isascii() and tag.isdigit() and len(tag) <= 18  # an int64 at most


def parse(value: str) -> Tags:
    """The tags of an `If-Match` or `If-None-Match` value; ValueError when it is malformed
    (an unquoted tag, a stray character, over MAX_LENGTH)."""
    if len(value) > MAX_LENGTH:
        raise ValueError(f"at most {MAX_LENGTH} characters")
    if _WHOLE.fullmatch(value) is None:
        raise ValueError('must be "*" or a list of quoted entity tags such as "3" or W/"3"')
    if value.strip(" \t") == "*":
        return Tags(any=True)
    return Tags(any=False, tags=tuple((bool(w), tag) for w, tag in _ONE.findall(value)))


@dataclass(frozen=True)
class Expected:
    """What `If-Match` asks of a write to one document: any existing document (`*`), or one of
    these revisions."""

    revisions: frozenset[int] | None  # None: any

    @classmethod
    def of(cls, tags: Tags) -> "Expected":
        return cls(None if tags.any else tags.strong_revisions())

    def allows(self, revision: int) -> bool:
        return self.revisions is None or revision in self.revisions

    def condition(self) -> dict[str, Any]:
        """The query condition a write adds to its filter, so that the check and the write are
        one operation. A document stored before revisions has no field: `null` in `$in`
        matches a missing field on MongoDB and on the embedded store alike."""
        if self.revisions is None:
            return {}
        wanted: list[int | None] = [*sorted(self.revisions)]
        if BEFORE_REVISIONS in self.revisions:
            wanted.append(None)
        return {FIELD: {"$in": wanted}}


def condition(expected: Expected | None) -> dict[str, Any]:
    """The filter condition of an optional precondition (none without one)."""
    return {} if expected is None else expected.condition()
