"""A throwaway PostgreSQL cluster for the Supabase schema tests (tests/postgres/, whose conftest
registers the fixtures below), and SQL helpers around psql.

The cluster lives in a temporary directory, listens on 127.0.0.1 (a free port) and on a unix
socket in that directory, runs as the `postgres` system user when the tests run as root (initdb
refuses root), and is stopped and removed after the session. Without PostgreSQL server binaries
the tests that need it are skipped, unless PEAKHEALTH_REQUIRE_POSTGRES=1 makes that a failure.
"""

import importlib.util
import json
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest

from tests.support.servers import free_port

REPOSITORY = Path(__file__).resolve().parents[2]
SUPABASE = REPOSITORY / "scripts" / "supabase"
PRELUDE = SUPABASE / "prelude.sql"
SCHEMA = SUPABASE / "schema.sql"
SEED = SUPABASE / "seed.sql"
CATALOG = REPOSITORY / "peakhealth" / "catalog" / "data" / "exercises.json"

# Users of the session database: TRAINER coaches CLIENT; STRANGER is linked to nobody.
TRAINER = "11111111-1111-4111-8111-111111111111"
CLIENT = "22222222-2222-4222-8222-222222222222"
STRANGER = "33333333-3333-4333-8333-333333333333"

REQUIRE = os.environ.get("PEAKHEALTH_REQUIRE_POSTGRES") == "1"


def load_make_seed() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_seed", SUPABASE / "make_seed.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def make_seed() -> ModuleType:
    return load_make_seed()


@pytest.fixture(scope="session")
def catalog() -> dict[str, list[dict[str, object]]]:
    data: dict[str, list[dict[str, object]]] = json.loads(CATALOG.read_text(encoding="utf-8"))
    return data


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- finding PostgreSQL ---------------------------------------------------------------------------


def _version(bindir: Path) -> tuple[int, ...]:
    match = re.search(r"/(\d+)(?:\.(\d+))?/bin$", str(bindir))
    return tuple(int(part) for part in match.groups() if part) if match else (0,)


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: from PATH, pg_config, or Debian's layout."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    candidates.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True))
    for bindir in candidates:
        if all(os.access(bindir / name, os.X_OK) for name in ("initdb", "pg_ctl")):
            return bindir
    return None


def find_psql(bindir: Path) -> str | None:
    if os.access(bindir / "psql", os.X_OK):
        return str(bindir / "psql")
    return shutil.which("psql")


def unavailable(reason: str) -> NoReturn:
    if REQUIRE:
        pytest.fail(f"PEAKHEALTH_REQUIRE_POSTGRES=1 but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


# --- the cluster and its databases ----------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What psql answered: the rows of the last statements (one string per row) or the error."""

    rows: list[str]
    error: str | None

    @property
    def denied_or_empty(self) -> bool:
        return self.error is not None or self.rows in ([], ["0"])


@dataclass(frozen=True)
class Cluster:
    psql_path: str
    host: str
    port: int

    def run(self, database: str, script: str | None = None, *, file: Path | None = None) -> Outcome:
        command = [
            self.psql_path,
            "--no-psqlrc",
            "--quiet",
            "--no-align",
            "--tuples-only",
            "--field-separator=|",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            self.host,
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-f",
            str(file) if file else "-",
        ]
        env = {
            **os.environ,
            "PGOPTIONS": "-c client_min_messages=warning",
            "PGCONNECT_TIMEOUT": "5",
        }
        result = subprocess.run(
            command, input=script or "", capture_output=True, text=True, env=env, timeout=60
        )
        if result.returncode != 0:
            return Outcome([], result.stderr.strip() or f"psql exited {result.returncode}")
        return Outcome([line for line in result.stdout.splitlines() if line], None)


@dataclass(frozen=True)
class Database:
    cluster: Cluster
    name: str

    def sql(self, script: str) -> list[str]:
        """Run as the superuser; any error fails the test."""
        outcome = self.cluster.run(self.name, script)
        assert outcome.error is None, outcome.error
        return outcome.rows

    def apply(self, path: Path) -> None:
        outcome = self.cluster.run(self.name, file=path)
        assert outcome.error is None, f"{path.name}: {outcome.error}"

    def as_role(self, role: str, body: str, *, sub: str | None = None) -> Outcome:
        """Run `body` as `role` with `sub` in the JWT claims, as PostgREST would; rolled back."""
        claims = json.dumps({"sub": sub, "role": role}) if sub else ""
        script = (
            "begin;\n"
            f"set local role {role};\n"
            f"select set_config('request.jwt.claims', {sql_string(claims)}, true) \\gset\n"
            f"{body}\n"
            "rollback;\n"
        )
        return self.cluster.run(self.name, script)

    def as_user(self, sub: str, body: str) -> Outcome:
        return self.as_role("authenticated", body, sub=sub)


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    bindir = find_bindir()
    if bindir is None:
        unavailable("no PostgreSQL server binaries (initdb, pg_ctl) on PATH or /usr/lib/postgresql")
    psql = find_psql(bindir)
    if psql is None:
        unavailable("psql not found")
    owner = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            unavailable("running as root and there is no `postgres` system user to run initdb")
        if shutil.which("runuser") is None:
            unavailable("running as root and runuser is missing")
        owner = "postgres"

    root = Path(tempfile.mkdtemp(prefix="peakhealth-pg-"))
    data = root / "data"
    if owner:
        shutil.chown(root, user=owner, group=owner)
    port = free_port()
    log = root / "server.log"

    def run(command: list[str]) -> None:
        result = subprocess.run(
            _as_owner(command, owner), cwd=root, capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            pytest.fail(f"{command[0]} failed:\n{result.stdout}{result.stderr}{server_log}")

    started = False
    try:
        run(
            [
                str(bindir / "initdb"),
                "--pgdata",
                str(data),
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"])
        started = True
        yield Cluster(psql, str(root), port)
    finally:
        if started:
            subprocess.run(
                _as_owner(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], owner
                ),
                cwd=root,
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)


def create_database(cluster: Cluster, name: str) -> Database:
    outcome = cluster.run("postgres", f"create database {name};")
    assert outcome.error is None, outcome.error
    return Database(cluster, name)


@pytest.fixture(scope="session")
def db(cluster: Cluster) -> Database:
    """prelude, schema and seed applied; TRAINER and CLIENT linked; everyone has a profile."""
    database = create_database(cluster, "peakhealth")
    for path in (PRELUDE, SCHEMA, SEED):
        database.apply(path)
    database.sql(
        f"""
        insert into auth.users (id) values ('{TRAINER}'), ('{CLIENT}'), ('{STRANGER}');
        update public.profiles set display_name = 'Trainer' where id = '{TRAINER}';
        update public.profiles set display_name = 'Client' where id = '{CLIENT}';
        update public.profiles set display_name = 'Stranger' where id = '{STRANGER}';
        insert into public.trainer_clients (trainer_id, client_id) values ('{TRAINER}', '{CLIENT}');
        """
    )
    return database


@pytest.fixture
def fresh_db(cluster: Cluster, request: pytest.FixtureRequest) -> Iterator[Database]:
    """An empty database of its own (prelude applied), dropped after the test."""
    name = "fresh_" + re.sub(r"\W", "_", request.node.name).lower()[:40]
    database = create_database(cluster, name)
    database.apply(PRELUDE)
    yield database
    cluster.run("postgres", f"drop database if exists {name} with (force);")
