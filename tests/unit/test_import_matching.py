"""Matching written names against the bundled catalog (pure): DOMAIN.md section 15's confidences,
and the corpus that chose the scorer (`fuzz.ratio`, see `peakhealth/imports/matching.py`)."""

import pytest

from peakhealth.catalog.embedded import EmbeddedCatalog
from peakhealth.imports.matching import CatalogNames, normalize

CATALOG = EmbeddedCatalog()
NAMES = CatalogNames(exercise for _, _, exercise in CATALOG._exercises)


@pytest.mark.parametrize(
    ("written", "confidence", "matched"),
    [
        # high: equal ignoring case, punctuation and a plural s
        ("Squat", "high", "Squat"),
        ("squats", "high", "Squat"),
        ("SQUAT", "high", "Squat"),
        ("Pull-ups", "high", "Pull-up"),
        ("pull ups", "high", "Pull-up"),
        ("Pullups", "high", "Pullup"),
        ("Farmers carry", "high", "Farmer's Carry"),
        ("Romanian deadlift", "high", "Romanian Deadlift"),
        ("Back squat", "high", "Back Squat"),
        ("Hammer curls", "high", "Hammer Curl"),
        ("Run", "high", "Run"),
        # medium: typos and a missing space
        ("Benchpress", "medium", "Bench Press"),
        ("Romanain deadlift", "medium", "Romanian Deadlift"),
        ("Dumbell curl", "medium", "Dumbbell Curl"),
        ("Bulgarian split sqaut", "medium", "Bulgarian Split Squat"),
        ("Skullcrushers", "medium", "Skull Crusher"),
        ("Overhead pres", "medium", "Overhead Press"),
        # low: 70 to 85
        ("Tricep pushdown", "low", "Cable Triceps Pushdown"),
        ("Sissy squat", "low", "Split Squat"),
    ],
)
def test_confidence_of_written_names(written: str, confidence: str, matched: str) -> None:
    match = NAMES.match(written)
    assert match is not None
    assert (match.confidence, match.matchedName) == (confidence, matched)
    if confidence == "medium":
        assert 85 <= match.score < 100
    if confidence == "low":
        assert 70 <= match.score < 85


@pytest.mark.parametrize(
    "written", ["Jefferson curl", "Zercher carry", "Underwater basket weaving", "RDL", "OHP"]
)
def test_names_below_70_are_not_guessed(written: str) -> None:
    assert NAMES.match(written) is None


def test_a_variant_named_gets_that_variant_else_the_main_variant() -> None:
    squat = CATALOG._by_id["f2a91df2-4c31-5add-9e8a-15c61a54dbbb"]
    by_exercise = NAMES.match("Squat")
    by_variant = NAMES.match("Front squat")
    assert by_exercise is not None and by_variant is not None
    assert by_exercise.variantId == str(squat.mainVariantId)
    front = next(variant for variant in squat.variants if variant.name == "Front Squat")
    assert (by_variant.exerciseId, by_variant.variantId) == (str(squat.id), str(front.id))


def test_a_name_both_alternative_and_variant_gets_the_variant() -> None:
    """`Chin-up` is an alternative name of Pull-up and the name of its Chin-up variant."""
    pull_up = CATALOG._by_id["49af0ede-72e1-50ba-a155-5882a7f8e420"]
    chin_up = next(variant for variant in pull_up.variants if variant.name == "Chin-up")
    match = NAMES.match("Chin-ups")
    assert match is not None and match.variantId == str(chin_up.id) != str(pull_up.mainVariantId)


def test_normalize_drops_punctuation_and_separates_hyphenated_words() -> None:
    assert normalize("  Farmer's   Carry ") == "farmers carry"
    assert normalize("Pull-Up") == "pull up"
    assert normalize("90/90 Hip Stretch") == "90 90 hip stretch"
