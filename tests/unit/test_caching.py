"""Rules of `peakhealth.caching` that the tests of the caches' users do not spell out."""

from peakhealth import caching


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_attempt_cools_down_for_its_own_seconds() -> None:
    clock = Clock()
    cooling = caching.cooling_down(4, lambda _, loaded: 60 if loaded else 5, clock=clock)
    cooling["refetch"] = True
    cooling["first load"] = False
    clock.now = 4.9
    assert "refetch" in cooling and "first load" in cooling
    clock.now = 5
    assert "refetch" in cooling and "first load" not in cooling
    clock.now = 60
    assert "refetch" not in cooling
