"""Entity tags and conditional headers, without HTTP: parsing per RFC 9110 (lists, `*`, weak
tags, empty list elements), strong comparison for If-Match, weak for If-None-Match, and the
query condition a write carries."""

import pytest

from peakhealth.revisions import BEFORE_REVISIONS, Expected, etag, parse, revision_of


def test_a_tag_is_the_quoted_revision() -> None:
    assert etag(3) == '"3"'
    assert revision_of({"revision": 7}) == 7
    assert revision_of({}) == BEFORE_REVISIONS == 0  # stored before revisions


@pytest.mark.parametrize(
    ("value", "tags"),
    [
        ('"3"', ((False, "3"),)),
        ('W/"3"', ((True, "3"),)),
        ('"1", W/"2" ,"3"', ((False, "1"), (True, "2"), (False, "3"))),
        (' , "1",, "2" , ', ((False, "1"), (False, "2"))),  # empty list elements are ignored
        ('""', ((False, ""),)),
        ('"abc"', ((False, "abc"),)),
    ],
)
def test_lists_of_tags_parse(value: str, tags: tuple[tuple[bool, str], ...]) -> None:
    parsed = parse(value)
    assert not parsed.any
    assert parsed.tags == tags


def test_star_is_any() -> None:
    assert parse("*").any
    assert parse(" * ").any


@pytest.mark.parametrize(
    "value",
    [
        "3",  # unquoted
        '"3',
        "W/3",
        'w/"3"',  # W is case-sensitive
        'W/ "3"',
        '"3" "4"',  # no comma between tags
        '*, "3"',  # `*` stands alone
        "**",
        'garbage "3"',
        '"a b"',  # a space is no etagc
        '"\u00e9"',  # outside ASCII
        "",
        '"1",' * 300,  # over the length limit
    ],
)
def test_malformed_values_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse(value)


def test_if_match_compares_strongly() -> None:
    assert Expected.of(parse('"3"')).allows(3)
    assert not Expected.of(parse('W/"3"')).allows(3)  # a weak tag never matches a write
    assert not Expected.of(parse('"abc"')).allows(3)
    listed = Expected.of(parse('"1", "3"'))
    assert listed.allows(1) and listed.allows(3) and not listed.allows(2)
    anything = Expected.of(parse("*"))
    assert anything.allows(0) and anything.allows(12)


def test_if_none_match_compares_weakly() -> None:
    assert parse('W/"3"').weakly_names(3)
    assert parse('"3"').weakly_names(3)
    assert parse('"1", W/"3"').weakly_names(3)
    assert not parse('"4"').weakly_names(3)
    assert parse("*").weakly_names(3)


def test_the_condition_of_a_write() -> None:
    assert Expected.of(parse("*")).condition() == {}
    assert Expected.of(parse('"2", "1"')).condition() == {"revision": {"$in": [1, 2]}}
    # Revision 0 is a document stored before revisions: it has no field, which null matches.
    assert Expected.of(parse('"0"')).condition() == {"revision": {"$in": [0, None]}}
    # Only weak tags: nothing can match, so the write matches no document.
    assert Expected.of(parse('W/"2"')).condition() == {"revision": {"$in": []}}
