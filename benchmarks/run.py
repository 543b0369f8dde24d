"""`scripts/bench`: the service's time per operation beside floors measured in the same run, and
its database calls per operation; one table on stdout, the same rows as JSON with `--json FILE`.

    python -m benchmarks.run [--quick] [--json FILE] [--only TEXT] [--profile TEXT]

In process (httpx.ASGITransport, embedded store): each operation at two sizes, timed in turn
with its driver floor (the same documents through one collection call of the same store) and
its framework floor (a bare FastAPI app answering the same JSON). ratio = service median / floor
median. Over TCP (`peakhealth serve` and the bare app under uvicorn, 8 concurrent clients):
ratio = floor throughput / service throughput. `--profile TEXT` profiles the service runs of the
first cell whose name contains TEXT with cProfile instead, and prints its top entries."""

import argparse
import asyncio
import cProfile
import io
import json
import os
import platform
import pstats
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from benchmarks import inprocess, tcp, webhooks
from benchmarks.measure import DRIVER, FRAMEWORK, SERVICE, UNKEYED, describe_calls


@dataclass(frozen=True)
class Plan:
    iterations: int  # in process: timed runs per cell at most (after `warmup` untimed ones)
    warmup: int
    budget: float  # in process: seconds per cell after which a cell stops early
    rounds: int  # over TCP: alternating rounds per target
    per_round: int  # over TCP: requests per round
    tcp_warmup: int


DEFAULT = Plan(iterations=200, warmup=10, budget=12.0, rounds=4, per_round=125, tcp_warmup=50)
QUICK = Plan(iterations=4, warmup=1, budget=0.2, rounds=1, per_round=16, tcp_warmup=8)


def _scrub_environment() -> None:
    """The embedded store and the development tokens, whatever this shell has set."""
    for name in list(os.environ):
        if name.startswith(("MONGODB_", "SUPABASE_")) or name == "EMBEDDED_INTERLEAVE":
            del os.environ[name]


def _in_process_rows(cell: inprocess.Cell) -> list[dict[str, Any]]:
    service = cell.result.timings[SERVICE]
    text, by_name = describe_calls(cell.result.calls)
    rows = []
    for floor in (DRIVER, FRAMEWORK, UNKEYED):
        if floor not in cell.result.timings:
            continue
        timings = cell.result.timings[floor]
        rows.append(
            {
                "operation": cell.operation,
                "size": cell.size,
                "transport": "in-process",
                "iterations": len(service.samples),
                "floor": floor,
                "service_median_ms": round(service.median_ms, 3),
                "service_p95_ms": round(service.p95_ms, 3),
                "floor_median_ms": round(timings.median_ms, 3),
                "floor_p95_ms": round(timings.p95_ms, 3),
                "ratio": round(service.median_ms / timings.median_ms, 2),
                "db_calls": by_name.get("total"),
                "db_calls_text": text,
                "db_calls_by_name": {
                    k: v for k, v in by_name.items() if k not in ("total", "range")
                },
                "db_calls_range": by_name.get("range"),
                "service_rps": None,
                "floor_rps": None,
                "notes": cell.notes,
            }
        )
    return rows


def _tcp_row(cell: tcp.TcpCell) -> dict[str, Any]:
    return {
        "operation": f"TCP: {cell.operation}",
        "size": cell.size,
        "transport": "tcp",
        "iterations": cell.service.requests,
        "floor": "framework",
        "service_median_ms": round(cell.service.latencies.median_ms, 3),
        "service_p95_ms": round(cell.service.latencies.p95_ms, 3),
        "floor_median_ms": round(cell.floor.latencies.median_ms, 3),
        "floor_p95_ms": round(cell.floor.latencies.p95_ms, 3),
        "ratio": round(cell.floor.throughput / cell.service.throughput, 2),
        "db_calls": None,
        "db_calls_text": "",
        "db_calls_by_name": {},
        "db_calls_range": None,
        "service_rps": round(cell.service.throughput, 1),
        "floor_rps": round(cell.floor.throughput, 1),
        "notes": {"floorRequests": cell.floor.requests},
    }


def _webhook_row(cell: webhooks.WebhookCell) -> dict[str, Any]:
    """The whole run as one sample: milliseconds to deliver them all (target: under 10 s)."""
    return {
        "operation": f"TCP: {cell.deliveries:,} webhook deliveries",
        "size": f"{cell.rounds} worker rounds",
        "transport": "tcp",
        "iterations": 1,
        "floor": "httpx",
        "service_median_ms": round(cell.service_seconds * 1000, 1),
        "service_p95_ms": round(cell.service_seconds * 1000, 1),
        "floor_median_ms": round(cell.floor_seconds * 1000, 1),
        "floor_p95_ms": round(cell.floor_seconds * 1000, 1),
        "ratio": round(cell.service_seconds / cell.floor_seconds, 2),
        "db_calls": cell.db_calls,
        "db_calls_text": f"{cell.db_calls} in all",
        "db_calls_by_name": {},
        "db_calls_range": None,
        "service_rps": round(cell.deliveries / cell.service_seconds, 1),
        "floor_rps": round(cell.deliveries / cell.floor_seconds, 1),
        "notes": {"targetSeconds": 10},
    }


WIDTH = 37  # the operation column


def render(rows: list[dict[str, Any]]) -> str:
    """The table: one line per (operation, size, floor); an operation's own columns are shown
    on its first line."""
    header = (
        f"{'operation':<{WIDTH}} {'size':<20} {'n':>4}  {'floor':<9} {'service ms':>15}  "
        f"{'floor ms':>15}  {'ratio':>7}  {'req/s svc/floor':>15}  db calls per operation"
    )
    columns = f"{'median':>7} {'p95':>7}"
    under = f"{'':<{WIDTH}} {'':<20} {'':>4}  {'':<9} {columns}  {columns}"
    lines = [header, under, "-" * len(header)]
    previous = None
    for row in rows:
        key = (row["operation"], row["size"])
        first = key != previous
        previous = key
        service = (
            f"{row['service_median_ms']:>7.2f} {row['service_p95_ms']:>7.2f}" if first else " " * 15
        )
        floor = f"{row['floor_median_ms']:>7.2f} {row['floor_p95_ms']:>7.2f}"
        rps = f"{row['service_rps']:.0f}/{row['floor_rps']:.0f}" if row["service_rps"] else ""
        lines.append(
            f"{row['operation'] if first else '':<{WIDTH}} {row['size'] if first else '':<20} "
            f"{row['iterations'] if first else '':>4}  {row['floor']:<9} {service}  {floor}  "
            f"{row['ratio']:>6.1f}x  {rps:>15}  {row['db_calls_text'] if first else ''}"
        )
    lines.append("-" * len(header))
    lines.append(
        "ratio: in process, service median / floor median (driver: the same documents through one"
        " collection call; framework: bare FastAPI answering the same JSON; unkeyed: the same"
        " POST without its Idempotency-Key);"
    )
    lines.append(
        "       TCP rows: floor req/s / service req/s, with latencies per request under"
        f" {tcp.CONCURRENCY} concurrent keep-alive clients. n: timed service runs (requests"
        " over TCP)."
    )
    return "\n".join(line.rstrip() for line in lines)


async def _in_process(
    counts: inprocess.Counts, quick: bool, only: str | None
) -> list[inprocess.Cell]:
    measured = []
    for operation, size, scenario in inprocess.cells(quick):
        if only and only.lower() not in f"{operation} [{size}]".lower():
            continue
        began = time.perf_counter()
        cell = await inprocess.measure(operation, size, scenario, counts)
        print(
            f"  {cell.key}: {time.perf_counter() - began:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        measured.append(cell)
    return measured


async def _profile(text: str, runs: int) -> str:
    """cProfile over `runs` service runs of the first cell matching `text` (prepare and clean-up
    not profiled); the top 10 cumulative entries inside peakhealth, beanie and pydantic, then
    the top 12 by own time, inside those and overall."""
    matching = [
        cell
        for cell in inprocess.cells(quick=False)
        if text.lower() in f"{cell[0]} [{cell[1]}]".lower()
    ]
    if not matching:
        raise SystemExit(f"no cell matches {text!r}")
    operation, size, scenario = matching[0]
    profiler = cProfile.Profile()
    async with inprocess.harness() as bench:
        steps, _ = await scenario(bench)
        step = steps[SERVICE]
        for index in range(runs + 5):
            if step.prepare is not None:
                await step.prepare(index)
            if index >= 5:
                profiler.enable()
            await step.run(index)
            if index >= 5:
                profiler.disable()
            if step.cleanup is not None:
                await step.cleanup(index)
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    entries = stats.stats  # type: ignore[attr-defined]
    ours = ("/peakhealth/", "/beanie/", "/pydantic/", "/pydantic_core/", "pydantic_core")

    def line(key: Any, value: Any, own: bool = False) -> str:
        filename, number, name = key
        calls, cumulative = value[1], value[2] if own else value[3]
        where = filename.split("site-packages/")[-1].split("/main/")[-1]
        return (
            f"{cumulative / runs * 1000:9.3f} ms/run {cumulative / total * 100:5.1f}%"
            f" {calls / runs:8.1f} calls/run  {where}:{number}({name})"
        )

    ranked = sorted(entries.items(), key=lambda item: item[1][3], reverse=True)
    inside = [
        item for item in ranked if any(part in item[0][0] or part in item[0][2] for part in ours)
    ]
    by_own_time = sorted(inside, key=lambda item: item[1][2], reverse=True)
    out = io.StringIO()
    print(
        f"profile of {operation} [{size}]: {runs} service runs,"
        f" {total / runs * 1000:.2f} ms/run under cProfile (which slows calls down; read shares)",
        file=out,
    )
    print("top 10 cumulative inside peakhealth / beanie / pydantic:", file=out)
    for key, value in inside[:10]:
        print("  " + line(key, value), file=out)
    print("top 10 by own time inside peakhealth / beanie / pydantic:", file=out)
    for key, value in by_own_time[:10]:
        print("  " + line(key, value, own=True), file=out)
    print("top 12 by own time overall:", file=out)
    for key, value in sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:12]:
        print("  " + line(key, value, own=True), file=out)
    print("(calls of a coroutine count each of its resumptions)", file=out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="tiny counts, one size each")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--only", metavar="TEXT", help="only cells whose name contains TEXT")
    parser.add_argument("--no-tcp", action="store_true", help="skip the TCP cells")
    parser.add_argument(
        "--httpx-client", action="store_true", help="load the TCP servers with httpx (slower)"
    )
    parser.add_argument("--profile", metavar="TEXT", help="profile one in-process cell instead")
    parser.add_argument("--profile-runs", type=int, default=50)
    args = parser.parse_args(argv)
    _scrub_environment()
    if args.profile:
        print(asyncio.run(_profile(args.profile, args.profile_runs)))
        return
    plan = QUICK if args.quick else DEFAULT
    counts = inprocess.Counts(plan.iterations, plan.warmup, plan.budget)
    began = time.perf_counter()
    cells = asyncio.run(_in_process(counts, args.quick, args.only))
    rows = [row for cell in cells for row in _in_process_rows(cell)]
    if not args.no_tcp and (not args.only or "tcp" in args.only.lower()):
        tcp_began = time.perf_counter()
        for cell in tcp.run(plan.rounds, plan.per_round, plan.tcp_warmup, args.httpx_client):
            rows.append(_tcp_row(cell))
        print(f"  TCP: {time.perf_counter() - tcp_began:.1f} s", file=sys.stderr, flush=True)
    if not args.no_tcp and (not args.only or "webhook" in args.only.lower()):
        rows.append(_webhook_row(webhooks.run(100 if args.quick else webhooks.DELIVERIES)))
    seconds = time.perf_counter() - began
    sys.stderr.flush()
    print(render(rows))
    print(f"total {seconds:.1f} s ({'quick' if args.quick else 'default'} run)")
    if args.json:
        document = {
            "meta": {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "mode": "quick" if args.quick else "default",
                "seconds": round(seconds, 1),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "units": "milliseconds; req/s",
                "ratio": "in-process: service median / floor median;"
                " tcp: floor req/s / service req/s",
                "counts": asdict(plan),
            },
            "rows": rows,
        }
        with open(args.json, "w", encoding="utf-8") as target:
            json.dump(document, target, indent=2)
            target.write("\n")


if __name__ == "__main__":
    main()
