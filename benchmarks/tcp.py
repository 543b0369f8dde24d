"""Over TCP: `python -m peakhealth serve` on a free port of 127.0.0.1, loaded by 8 concurrent
clients (asyncio: 8 keep-alive connections, each a worker sending its next request when the last
answer is read), beside the framework floor (benchmarks.floor_app under uvicorn, answering the
service's own answers) on another free port. Rounds of the service and of the floor alternate;
throughput is requests over the wall time of the rounds, latency is per request.

Operations: the reads (a template, a session, a month of calendar, exercise history, an explore
page) and publishing a template. Assigning and logging are measured in process only: each
request needs fresh state (a client without that assignment, a session not yet completed) that
a load loop cannot make without timing the making too."""

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
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks import plans
from benchmarks.measure import Timings

RATE_LIMIT = "100000000/minute"
TEMPLATES = "/api/templates/routines"
SESSIONS = "/api/workout-sessions"
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


@dataclass(frozen=True)
class Target:
    """One operation's request as both servers receive it, and the answer the floor returns."""

    operation: str
    size: str
    method: str
    path: str
    who: plans.Caller
    body: object | None
    status: int
    answer: object

    def encoded_body(self) -> bytes | None:
        return None if self.body is None else json.dumps(self.body).encode()

    @property
    def floor_path(self) -> str:
        """Where the floor answers it: one path per operation (the floor reads no query)."""
        return "/" + "-".join(self.operation.replace("(", "").replace(")", "").split())


class RawConnection:
    """A keep-alive HTTP/1.1 connection sending one pre-encoded request: far cheaper per request
    than httpx, so the load generator (on the second core) does not cap the floor's
    throughput (httpx.AsyncClient tops out near 1,000 requests/s here, the bare app serves
    about 2,500)."""

    def __init__(self, base: str, target: Target, path: str) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        self.status = str(target.status)
        body = target.encoded_body()
        lines = [f"{target.method} {path} HTTP/1.1", f"Host: {host}:{port}"]
        lines += [f"{name}: {value}" for name, value in target.who.headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self) -> None:
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
        if status_line.split(" ")[1] != self.status:
            raise RuntimeError(f"{status_line}: {body[:200]!r}")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


class HttpxConnection:
    """The same request through a shared httpx.AsyncClient (`--httpx-client`)."""

    def __init__(self, http: httpx.AsyncClient, target: Target, path: str) -> None:
        self.http, self.target, self.path = http, target, path
        self.body = target.encoded_body()

    async def send(self) -> None:
        target = self.target
        headers = dict(target.who.headers)
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        response = await self.http.request(
            target.method, self.path, content=self.body, headers=headers
        )
        if response.status_code != target.status:
            raise RuntimeError(f"{self.path}: {response.status_code} {response.text[:200]}")

    async def close(self) -> None:
        pass


Connection = RawConnection | HttpxConnection


async def _round(connections: list[Connection], total: int) -> tuple[list[float], float]:
    """`total` requests by one worker per connection; their latencies and the wall time."""
    remaining = total
    latencies: list[float] = []

    async def worker(connection: Connection) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            begin = time.perf_counter()
            await connection.send()
            latencies.append(time.perf_counter() - begin)

    began = time.perf_counter()
    await asyncio.gather(*(worker(connection) for connection in connections))
    return latencies, time.perf_counter() - began


async def _alternate(
    servers: dict[str, tuple[str, str]],
    target: Target,
    rounds: int,
    per_round: int,
    warmup: int,
    use_httpx: bool,
) -> dict[str, Load]:
    """Alternate rounds of `target` over the servers (name: base URL and path), CONCURRENCY
    connections each."""
    loads = {name: Load(Timings()) for name in servers}
    pool = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    clients: list[httpx.AsyncClient] = []
    connections: dict[str, list[Connection]] = {}
    for name, (base, path) in servers.items():
        if use_httpx:
            clients.append(httpx.AsyncClient(base_url=base, limits=pool, timeout=30))
            connections[name] = [HttpxConnection(clients[-1], target, path)] * CONCURRENCY
        else:
            connections[name] = [RawConnection(base, target, path) for _ in range(CONCURRENCY)]
    try:
        for name in servers:
            await _round(connections[name], warmup)
        names = list(servers)
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


def _prepare(base: str) -> list[Target]:
    """Through the API: 30 public templates of 3 workouts, one assigned to a linked client who
    completed and logged its first 12 sessions; each operation's request, and its answer."""
    admin, trainer, client = plans.caller("admin"), plans.caller("trainer"), plans.caller("client")
    with httpx.Client(base_url=base, timeout=30) as http:

        def ok(response: httpx.Response, status: int = 200) -> Any:
            if response.status_code != status:
                raise RuntimeError(f"{response.request.url}: {response.text[:300]}")
            return response.json() if response.content else None

        ok(http.put(f"/api/trainers/{trainer.id}/clients/{client.id}", headers=admin.headers), 204)
        body = plans.embedded_template(3)  # public
        routines = [
            ok(http.post(TEMPLATES, json=body, headers=trainer.headers), 201) for _ in range(30)
        ]
        assignment = ok(
            http.post(
                "/api/routine-assignments",
                json={
                    "routineVersionId": routines[0]["id"],
                    "userId": client.id,
                    "startDate": plans.START,
                },
                headers=trainer.headers,
            ),
            201,
        )
        sessions = ok(
            http.get(
                f"{SESSIONS}?routineAssignmentId={assignment['id']}&limit=12",
                headers=client.headers,
            )
        )["data"]
        for session in sessions:
            change = {"status": "completed", "performanceLog": plans.completion_log(session)}
            ok(http.put(f"{SESSIONS}/{session['id']}", json=change, headers=client.headers))
        squat = sessions[0]["workoutSnapshot"]["sections"][1]["exercises"][0]["exerciseId"]
        first_day = date.fromisoformat(plans.START)
        month = f"from={first_day}&to={first_day + timedelta(days=30)}&limit=50"

        def read(operation: str, size: str, path: str, who: plans.Caller) -> Target:
            answer = ok(http.get(path, headers=who.headers))
            return Target(operation, size, "GET", path, who, None, 200, answer)

        created = ok(http.post(TEMPLATES, json=body, headers=trainer.headers), 201)
        return [
            read("GET one template", "3 workouts", f"{TEMPLATES}/{routines[0]['id']}", trainer),
            read("GET one session", "1 of 36", f"{SESSIONS}/{sessions[0]['id']}", client),
            read("calendar month (full)", "13 of 36", f"{SESSIONS}?{month}", client),
            read(
                "exercise history (20)",
                "12 logged",
                f"/api/exercises/{squat}/history?limit=20",
                client,
            ),
            read("explore page (20)", "31 templates", f"{TEMPLATES}?limit=20", client),
            Target(
                "publish template (embedded)",
                "3 workouts",
                "POST",
                TEMPLATES,
                trainer,
                body,
                201,
                created,
            ),
        ]


@dataclass
class TcpCell:
    operation: str
    size: str
    service: Load
    floor: Load


def run(rounds: int, per_round: int, warmup: int, use_httpx: bool = False) -> list[TcpCell]:
    cells: list[TcpCell] = []
    with server(["-m", "peakhealth", "serve"], "/ready") as service_base:
        targets = _prepare(service_base)
        with tempfile.TemporaryDirectory() as scratch:
            answers = Path(scratch, "answers.json")
            answers.write_text(
                json.dumps(
                    {
                        target.floor_path: {"status": target.status, "answer": target.answer}
                        for target in targets
                    }
                )
            )
            floor_arguments = ["-m", "benchmarks.floor_app", "--answers", str(answers)]
            with server(floor_arguments, targets[0].floor_path) as floor_base:
                for target in targets:
                    loads = asyncio.run(
                        _alternate(
                            {
                                "service": (service_base, target.path),
                                "floor": (floor_base, target.floor_path),
                            },
                            target,
                            rounds,
                            per_round,
                            warmup,
                            use_httpx,
                        )
                    )
                    cells.append(
                        TcpCell(target.operation, target.size, loads["service"], loads["floor"])
                    )
    return cells
