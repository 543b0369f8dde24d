"""Matching an exercise name as written against the catalog (DOMAIN.md section 15), pure.

`high`: the name equals an exercise's name, a variant's name or an alternative name, ignoring
case, punctuation and a plural `s` (so `squats` is `high` for `Squat`); `medium`: a fuzzy score of
at least 85; `low`: 70 to 85; below 70 unmatched. Names are normalized once (`normalize`: case
folded, a hyphen or slash separates words, other punctuation dropped, spaces collapsed), and the
fuzzy score is `rapidfuzz.fuzz.ratio` (an edit-distance similarity of the whole name) on the
normalized names. Why `ratio` and not `WRatio` or `token_set_ratio`: those score a name holding a
catalog word as a near match (`Sissy squat` and `Jefferson curl` 90-100 against `Squat` and
`Curl`, `Zercher carry` 85.5 against `Dumbbell Farmer's Carry`), that is, they guess; `ratio`
scores such names 56-73 while typos stay above 90 (`Benchpress` 95, `Romanain deadlift` 94,
`Dumbell curl` 96). The corpus is in tests/unit/test_import_matching.py.

A variant's name gives that variant; an exercise's name or alternative name gives its main
variant. Equal scores prefer a variant (the more precise name)."""

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process

from peakhealth.catalog.models import CatalogExercise

Confidence = Literal["high", "medium", "low"]
MEDIUM = 85.0
LOW = 70.0

_SEPARATORS = re.compile(r"[-/_]+")
_DROPPED = str.maketrans("", "", string.punctuation.replace("-", "").replace("/", ""))


def normalize(name: str) -> str:
    """The name as compared: case folded, `-` `/` `_` separate words, other punctuation
    dropped (`Farmer's` = `Farmers`), whitespace collapsed."""
    spaced = _SEPARATORS.sub(" ", name.casefold())
    return " ".join(spaced.translate(_DROPPED).split())


@dataclass(frozen=True)
class Candidate:
    key: str  # normalized
    name: str  # as the catalog writes it
    exerciseId: str
    variantId: str


@dataclass(frozen=True)
class Match:
    confidence: Confidence
    score: float
    exerciseId: str
    variantId: str
    matchedName: str


class CatalogNames:
    """Every name of the catalog to match against, built once per catalog listing."""

    def __init__(self, exercises: Iterable[CatalogExercise]) -> None:
        variants: list[Candidate] = []
        exercise_names: list[Candidate] = []
        for exercise in exercises:
            if not exercise.variants:
                continue
            main = str(exercise.mainVariantId or exercise.variants[0].id)
            exercise_id = str(exercise.id)
            for variant in exercise.variants:
                variants.append(
                    Candidate(normalize(variant.name), variant.name, exercise_id, str(variant.id))
                )
            for name in (exercise.name, *exercise.alternativeNames):
                exercise_names.append(Candidate(normalize(name), name, exercise_id, main))
        # Variants first: extractOne answers the first of equal scores.
        self.candidates: list[Candidate] = [*variants, *exercise_names]
        self._keys = [candidate.key for candidate in self.candidates]
        self._exact: dict[str, Candidate] = {}
        for candidate in self.candidates:
            self._exact.setdefault(candidate.key, candidate)

    def match(self, written: str) -> Match | None:
        """The best catalog name for `written` and its confidence; None below 70."""
        key = normalize(written)
        # Equal, or equal but for a plural `s` written (not one taken off a catalog name:
        # `Overhead pres` is a typo of `Overhead Press`, not its singular).
        same = [key, key[:-1]] if key.endswith("s") else [key]
        exact = next((self._exact[name] for name in same if name in self._exact), None)
        if exact is not None:
            return Match("high", 100.0, exact.exerciseId, exact.variantId, exact.name)
        best = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=LOW)
        if best is None:
            return None
        _, score, index = best
        chosen = self.candidates[index]
        confidence: Confidence = "medium" if score >= MEDIUM else "low"
        return Match(confidence, round(score, 1), chosen.exerciseId, chosen.variantId, chosen.name)
