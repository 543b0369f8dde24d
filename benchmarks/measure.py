"""Timing: samples, their median and p95, and the interleaved loop that times the service and
its floors turn about within one cell, so drift (heat, the store's size) hits all of them alike."""

import gc
import math
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

SERVICE = "service"
DRIVER = "driver"
FRAMEWORK = "framework"
# The same POST without an Idempotency-Key: the floor of the keyed rows, so their ratio is
# what the key costs, measured in the same loop.
UNKEYED = "unkeyed"


def p95(samples: list[float]) -> float:
    """The nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Timings:
    samples: list[float] = field(default_factory=list)  # seconds

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return p95(self.samples) * 1000


@dataclass
class Step:
    """One timed action and its untimed preparation and clean-up (each iteration)."""

    run: Callable[[int], Awaitable[Any]]
    prepare: Callable[[int], Awaitable[Any]] | None = None
    cleanup: Callable[[int], Awaitable[Any]] | None = None


@dataclass
class CellResult:
    timings: dict[str, Timings]
    calls: list[Counter[str]]  # database calls of each timed service iteration, by name


async def interleaved(
    steps: dict[str, Step],
    *,
    iterations: int,
    warmup: int,
    calls: Callable[[], Counter[str]],
    budget_seconds: float,
) -> CellResult:
    """Run every step once per iteration, rotating which goes first; the first `warmup`
    iterations are not recorded. Stops early (keeping at least a fifth of `iterations`, and at
    least 5) once `budget_seconds` have passed. `calls` reads the store's counter, whose change
    over each timed service run is kept."""
    kinds = list(steps)
    result = CellResult({kind: Timings() for kind in kinds}, [])
    gc.collect()
    started = time.perf_counter()
    floor = min(iterations, max(5, iterations // 5))
    for index in range(warmup + iterations):
        shift = index % len(kinds)
        for kind in kinds[shift:] + kinds[:shift]:
            step = steps[kind]
            if step.prepare is not None:
                await step.prepare(index)
            before = Counter(calls())
            begin = time.perf_counter()
            await step.run(index)
            elapsed = time.perf_counter() - begin
            after = Counter(calls())
            if step.cleanup is not None:
                await step.cleanup(index)
            if index >= warmup:
                result.timings[kind].samples.append(elapsed)
                if kind == SERVICE:
                    result.calls.append(after - before)
        recorded = index + 1 - warmup
        if recorded >= floor and time.perf_counter() - started > budget_seconds:
            break
    return result


def describe_calls(per_iteration: list[Counter[str]]) -> tuple[str, dict[str, Any]]:
    """The calls of one service run as `total (name n, ...)`, from the most frequent pattern,
    and as JSON (`range` when runs differed)."""
    if not per_iteration:
        return "-", {}
    patterns = Counter(tuple(sorted(item.items())) for item in per_iteration)
    common = dict(patterns.most_common(1)[0][0])
    totals = [sum(item.values()) for item in per_iteration]
    total = sum(common.values())
    spread = f"{min(totals)}-{max(totals)}" if min(totals) != max(totals) else str(total)
    short = {
        "count_documents": "count",
        "find_one_and_update": "find1&upd",
        "find_one": "find1",
        "insert_many": "insMany",
        "insert_one": "ins1",
        "update_one": "upd1",
        "update_many": "updMany",
        "delete_many": "delMany",
        "delete_one": "del1",
    }
    parts = " ".join(
        f"{short.get(name, name)}{'x' + str(n) if n > 1 else ''}"
        for name, n in sorted(common.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return f"{spread}: {parts}", {"total": total, "range": [min(totals), max(totals)], **common}
