"""Over TCP: `python -m peakhealth serve` on a free port of 127.0.0.1, loaded by 8 concurrent
clients (asyncio: 8 keep-alive connections, each a worker sending
its next GET when the last answer is read), beside the framework floor
(benchmarks.floor_app under uvicorn, answering the service's own answers) on another free port.
Rounds of the service and of the floor alternate; throughput is requests over the wall time of
the rounds, latency is per request."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks import plans
from benchmarks.measure import Timings

RATE_LIMIT = "100000000/minute"
CONCURRENCY = 8


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def clean_environment() -> dict[str, str]:
    """This environment without a real database or Supabase project, and no rate limit to hit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB_", "SUPABASE_"))}
    env["RATE_LIMIT"] = RATE_LIMIT
    env.pop("EMBEDDED_INTERLEAVE", None)
    return env


@contextmanager
def server(arguments: list[str], probe: str) -> Iterator[str]:
    """A Python server started with `arguments` on a free port (appended as --port); its base
    URL once `probe` answers 200. Always stopped (terminate, then kill)."""
    port = free_port()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [sys.executable, *arguments, "--host", "127.0.0.1", "--port", str(port)],
            env=clean_environment(),
            cwd=Path(__file__).resolve().parent.parent,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}{probe}", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    errors.seek(0)
                    raise RuntimeError(f"{arguments} did not start: {errors.read()[-2000:]!r}")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@dataclass
class Load:
    """One target's rounds: per-request latencies, requests and the rounds' wall time."""

    latencies: Timings
    requests: int = 0
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class RawConnection:
    """A keep-alive HTTP/1.1 connection sending one pre-encoded GET: far cheaper per request
    than httpx, so the load generator (on the second core) does not cap the floor's
    throughput (httpx.AsyncClient tops out near 1,000 requests/s here, the bare app serves
    about 2,500)."""

    def __init__(self, base: str, path: str, headers: dict[str, str]) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self) -> None:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *fields = head.decode("latin-1").split("\r\n")
        length = None
        for field in fields:
            name, _, value = field.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"no Content-Length in {head!r}")
        body = await self.reader.readexactly(length)
        if status_line.split(" ")[1] != "200":
            raise RuntimeError(f"{status_line}: {body[:200]!r}")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


class HttpxConnection:
    """The same GET through a shared httpx.AsyncClient (`--httpx-client`)."""

    def __init__(self, http: httpx.AsyncClient, path: str, headers: dict[str, str]) -> None:
        self.http, self.path, self.headers = http, path, headers

    async def get(self) -> None:
        response = await self.http.get(self.path, headers=self.headers)
        if response.status_code != 200:
            raise RuntimeError(f"GET {self.path}: {response.status_code} {response.text[:200]}")

    async def close(self) -> None:
        pass


Connection = RawConnection | HttpxConnection


async def _round(connections: list[Connection], total: int) -> tuple[list[float], float]:
    """`total` GETs by one worker per connection; their latencies and the wall time."""
    remaining = total
    latencies: list[float] = []

    async def worker(connection: Connection) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            begin = time.perf_counter()
            await connection.get()
            latencies.append(time.perf_counter() - begin)

    began = time.perf_counter()
    await asyncio.gather(*(worker(connection) for connection in connections))
    return latencies, time.perf_counter() - began


async def _alternate(
    targets: dict[str, tuple[str, str, dict[str, str]]],
    rounds: int,
    per_round: int,
    warmup: int,
    use_httpx: bool,
) -> dict[str, Load]:
    """Alternate rounds over the targets (name: base URL, path, headers), CONCURRENCY
    connections each."""
    loads = {name: Load(Timings()) for name in targets}
    pool = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    clients: list[httpx.AsyncClient] = []
    connections: dict[str, list[Connection]] = {}
    for name, (base, path, headers) in targets.items():
        if use_httpx:
            clients.append(httpx.AsyncClient(base_url=base, limits=pool, timeout=30))
            connections[name] = [HttpxConnection(clients[-1], path, headers)] * CONCURRENCY
        else:
            connections[name] = [RawConnection(base, path, headers) for _ in range(CONCURRENCY)]
    try:
        for name in targets:
            await _round(connections[name], warmup)
        names = list(targets)
        for index in range(rounds):
            order = names if index % 2 == 0 else names[::-1]
            for name in order:
                latencies, seconds = await _round(connections[name], per_round)
                load = loads[name]
                load.latencies.samples.extend(latencies)
                load.requests += len(latencies)
                load.seconds += seconds
    finally:
        for group in connections.values():
            for connection in group:
                await connection.close()
        for client in clients:
            await client.aclose()
    return loads


def _prepare(base: str) -> dict[str, tuple[str, plans.Caller, object]]:
    """Through the API: a template of 3 workouts, assigned to a linked client; the paths of the
    template and of one session, who reads them, and their answers."""
    admin, trainer, client = plans.caller("admin"), plans.caller("trainer"), plans.caller("client")
    with httpx.Client(base_url=base, timeout=30) as http:

        def ok(response: httpx.Response, status: int = 200) -> object:
            if response.status_code != status:
                raise RuntimeError(f"{response.request.url}: {response.text[:300]}")
            return response.json() if response.content else None

        ok(http.put(f"/api/trainers/{trainer.id}/clients/{client.id}", headers=admin.headers), 204)
        body = plans.embedded_template(3)
        routine: dict = ok(  # type: ignore[assignment]
            http.post("/api/templates/routines", json=body, headers=trainer.headers), 201
        )
        assignment: dict = ok(  # type: ignore[assignment]
            http.post(
                "/api/routine-assignments",
                json={
                    "routineVersionId": routine["id"],
                    "userId": client.id,
                    "startDate": plans.START,
                },
                headers=trainer.headers,
            ),
            201,
        )
        page: dict = ok(  # type: ignore[assignment]
            http.get(
                f"/api/workout-sessions?routineAssignmentId={assignment['id']}&limit=1",
                headers=client.headers,
            )
        )
        template_path = f"/api/templates/routines/{routine['id']}"
        session_path = f"/api/workout-sessions/{page['data'][0]['id']}"
        return {
            "GET one template": (
                template_path,
                trainer,
                ok(http.get(template_path, headers=trainer.headers)),
            ),
            "GET one session": (
                session_path,
                client,
                ok(http.get(session_path, headers=client.headers)),
            ),
        }


@dataclass
class TcpCell:
    operation: str
    size: str
    service: Load
    floor: Load


def run(rounds: int, per_round: int, warmup: int, use_httpx: bool = False) -> list[TcpCell]:
    cells: list[TcpCell] = []
    with server(["-m", "peakhealth", "serve"], "/ready") as service_base:
        prepared = _prepare(service_base)
        with tempfile.TemporaryDirectory() as scratch:
            answers = Path(scratch, "answers.json")
            answers.write_text(json.dumps({path: answer for path, _, answer in prepared.values()}))
            floor_arguments = ["-m", "benchmarks.floor_app", "--answers", str(answers)]
            first_path = next(iter(prepared.values()))[0]
            with server(floor_arguments, first_path) as floor_base:
                for operation, (path, who, _) in prepared.items():
                    loads = asyncio.run(
                        _alternate(
                            {
                                "service": (service_base, path, who.headers),
                                "floor": (floor_base, path, who.headers),
                            },
                            rounds,
                            per_round,
                            warmup,
                            use_httpx,
                        )
                    )
                    size = "3 workouts" if "template" in operation else "1 of 36"
                    cells.append(TcpCell(operation, size, loads["service"], loads["floor"]))
    return cells
