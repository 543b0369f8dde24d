"""A local HTTP server speaking the part of PostgREST's protocol that supabase-py uses for the
catalog tables, so the Supabase adapter is tested over real HTTP with no Supabase project.

The service is pointed at it with SUPABASE_URL=http://127.0.0.1:<port> and any service-role key;
nothing in the service knows it is a test server. It serves `GET /rest/v1/<table>` for
`exercises` and `exercise_variants` from fixture rows (by default the bundled catalog):

- `select` with columns, `*`, and embedded resources `alias:table!inner(columns)`;
- filters `col=op.value` and `embed.col=op.value` with eq, neq, in, ilike, like, cs, ov, is and
  the `not.` prefix, and `or=(...)` of such conditions on the top-level table;
- `order=col.asc|desc,...`, `offset`/`limit` or a `Range: 0-9` header;
- `Prefer: count=exact`: `Content-Range: 0-9/76`, 206 for a partial page, 416 (PGRST103) for an
  offset past the total, as PostgREST answers.

It refuses requests without the `apikey` header (401) and unknown columns or operators (400), so
a request it answers is one PostgREST would answer too. It counts requests per path, and it can be
stopped (an outage), made slow (beyond a client timeout), made to answer errors, or given a
`max_rows` cap as PostgREST's db-max-rows setting.
"""

import json
import re
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from peakhealth.catalog.embedded import load_bundled

REST = "/rest/v1/"
# (from table, embedded table) -> (cardinality, column of the from table, column of the embedded)
RELATIONS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("exercises", "exercise_variants"): ("many", "id", "exercise_id"),
    ("exercise_variants", "exercises"): ("one", "exercise_id", "id"),
}
COLUMNS = {
    "exercises": (
        "id",
        "name",
        "category",
        "description",
        "alternative_names",
        "tags",
        "main_variant_id",
    ),
    "exercise_variants": (
        "id",
        "exercise_id",
        "name",
        "description",
        "difficulty",
        "equipment",
        "muscle_groups",
        "secondary_muscles",
        "is_unilateral",
    ),
    "profiles": ("id", "display_name", "unit_system"),
    "trainer_clients": ("trainer_id", "client_id", "status", "created_at"),
}
NOT_FILTERS = {"select", "order", "offset", "limit", "or"}

Row = dict[str, Any]


class RequestError(Exception):
    """A request PostgREST would refuse: answered with its status and error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"code": code, "details": None, "hint": None, "message": message}


@dataclass
class Embed:
    alias: str
    table: str
    inner: bool
    select: "Selection"


@dataclass
class Selection:
    columns: list[str] = field(default_factory=list)  # "*" for every column
    embeds: list[Embed] = field(default_factory=list)


class PostgrestServer:
    """Start with `start()` (or use as a context manager); `url` is the SUPABASE_URL to use."""

    def __init__(self, tables: dict[str, list[Row]] | None = None) -> None:
        self.tables = tables or load_bundled()
        self.tables.setdefault("profiles", [])
        self.tables.setdefault("trainer_clients", [])
        self.requests: Counter[str] = Counter()  # path -> requests received, answered or not
        self.delay_seconds = 0.0  # wait this long before answering
        self.fail_status: int | None = None  # answer every request with this error status
        self.api_keys: set[str] = set()  # `apikey` headers received
        self.max_rows: int | None = None  # PostgREST's db-max-rows: longest answer it gives
        self._lock = threading.Lock()
        self._wake = threading.Event()  # ends the waits of slow answers on stop
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "PostgrestServer":
        owner = self

        class Handler(_Handler):
            server_owner = owner

        self._wake.clear()
        self._httpd = _QuietServer(("127.0.0.1", self.port), Handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the port: from now on connections are refused, as when Supabase is down."""
        self._wake.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "PostgrestServer":
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def count(self, table: str) -> int:
        """Requests received for `table` so far."""
        with self._lock:
            return self.requests[REST + table]

    def total_requests(self) -> int:
        with self._lock:
            return sum(self.requests.values())

    def _record(self, path: str) -> None:
        with self._lock:
            self.requests[path] += 1

    def answer(self, path: str, query: str, headers: Any) -> tuple[int, dict[str, str], Any]:
        """Status, headers and JSON body for one GET, as PostgREST would answer it."""
        if not headers.get("apikey"):
            raise RequestError(401, "401", "No API key found in request")
        with self._lock:
            self.api_keys.add(headers["apikey"])
        if self.fail_status is not None:
            raise RequestError(self.fail_status, "XX000", "the test server was told to fail")
        table = path[len(REST) :] if path.startswith(REST) else ""
        if table not in COLUMNS:
            raise RequestError(404, "PGRST205", f"Could not find the table 'public.{table}'")
        params = parse_qsl(query, keep_blank_values=True)
        selection = parse_select(table, dict(params).get("select", "*"))
        aliases = {embed.alias for embed in selection.embeds}
        for key, _ in params:
            if "." in key and key.split(".")[0] not in aliases:
                raise RequestError(400, "PGRST108", f"'{key}' filters a resource not embedded")
        rows = [row for row in self.tables[table] if _passes(table, row, params, "")]
        shaped = []
        for row in rows:
            result = self._shape(table, row, selection, params, "")
            if result is not None:
                shaped.append((row, result))
        ordering = dict(params).get("order")
        if ordering:
            shaped = _ordered(table, shaped, ordering)
        total = len(shaped)
        offset, limit = _window(params, headers)
        if self.max_rows is not None:
            limit = self.max_rows if limit is None else min(limit, self.max_rows)
        window = shaped[offset:] if limit is None else shaped[offset : offset + limit]
        page = [result for _, result in window]
        response_headers: dict[str, str] = {}
        status = 200
        if "count=exact" in (headers.get("prefer") or ""):
            if offset > total:
                raise RequestError(416, "PGRST103", "Requested range not satisfiable")
            last = offset + len(page) - 1
            span = f"{offset}-{last}" if page else "*"
            response_headers["Content-Range"] = f"{span}/{total}"
            if len(page) < total:
                status = 206
        return status, response_headers, page

    def _shape(
        self, table: str, row: Row, selection: Selection, params: list[tuple[str, str]], path: str
    ) -> Row | None:
        """`row` with the selected columns and embeds; None when an inner embed is empty."""
        out: Row = {}
        for column in selection.columns:
            if column == "*":
                out.update(row)
            else:
                out[column] = row[column]
        for embed in selection.embeds:
            cardinality, own, theirs = RELATIONS[(table, embed.table)]
            prefix = f"{path}{embed.alias}."
            related = [
                self._shape(embed.table, other, embed.select, params, prefix)
                for other in self.tables[embed.table]
                if other[theirs] == row[own] and _passes(embed.table, other, params, prefix)
            ]
            found = [item for item in related if item is not None]
            if embed.inner and not found:
                return None
            out[embed.alias] = found if cardinality == "many" else (found[0] if found else None)
        return out


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timed out) before a slow answer is expected here."""


class _Handler(BaseHTTPRequestHandler):
    server_owner: PostgrestServer

    def do_GET(self) -> None:
        owner = self.server_owner
        url = urlsplit(self.path)
        owner._record(url.path)
        if owner.delay_seconds:
            owner._wake.wait(owner.delay_seconds)
        try:
            status, headers, body = owner.answer(url.path, url.query, self.headers)
        except RequestError as error:
            status, headers, body = error.status, {}, error.body
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def closed_port_url() -> str:
    """A loopback URL where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --- select ------------------------------------------------------------------------------------

_EMBED = re.compile(r"(?:(?P<alias>\w+):)?(?P<table>\w+)(?:!(?P<hint>\w+))?\((?P<inner>.*)\)", re.S)


def parse_select(table: str, text: str) -> Selection:
    selection = Selection()
    for item in split_top_level("".join(text.split()), ","):
        if not item:
            continue
        embed = _EMBED.fullmatch(item)
        if embed:
            other = embed["table"]
            if (table, other) not in RELATIONS:
                message = f"Could not find a relationship between '{table}' and '{other}'"
                raise RequestError(400, "PGRST200", message)
            selection.embeds.append(
                Embed(
                    alias=embed["alias"] or other,
                    table=other,
                    inner=embed["hint"] == "inner",
                    select=parse_select(other, embed["inner"] or "*"),
                )
            )
        elif item == "*":
            selection.columns.append(item)
        else:
            _check_column(table, item)
            selection.columns.append(item)
    return selection


def _check_column(table: str, column: str) -> None:
    if column not in COLUMNS[table]:
        raise RequestError(400, "42703", f"column {table}.{column} does not exist")


# --- filters -----------------------------------------------------------------------------------


def _passes(table: str, row: Row, params: list[tuple[str, str]], prefix: str) -> bool:
    """Every filter of `params` addressed to this level (`prefix`: '' or 'alias.') holds."""
    for key, value in params:
        if not key.startswith(prefix):
            continue
        name = key[len(prefix) :]
        if "." in name:
            continue  # a filter on an embed below this level
        if name == "or" and prefix == "":
            conditions = split_top_level(_strip_brackets(value, "(", ")"), ",")
            if not any(_condition(table, row, condition) for condition in conditions):
                return False
            continue
        if name in NOT_FILTERS:
            continue
        _check_column(table, name)
        if not _holds(row[name], value):
            return False
    return True


def _condition(table: str, row: Row, condition: str) -> bool:
    column, _, rest = condition.partition(".")
    _check_column(table, column)
    return _holds(row[column], rest)


def _holds(cell: Any, expression: str) -> bool:
    negate = expression.startswith("not.")
    if negate:
        expression = expression[len("not.") :]
    operator, _, operand = expression.partition(".")
    test = OPERATORS.get(operator)
    if test is None:
        raise RequestError(400, "PGRST100", f"operator {operator!r} is not served here")
    return test(cell, operand) != negate


def _text(cell: Any) -> str:
    if cell is None:
        return "null"
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return str(cell)


def _like(pattern: str, flags: int) -> Callable[[Any], bool]:
    parts = [".*" if c in "*%" else "." if c == "_" else re.escape(c) for c in pattern]
    regex = re.compile("".join(parts), flags | re.S)
    return lambda cell: cell is not None and regex.fullmatch(str(cell)) is not None


OPERATORS: dict[str, Callable[[Any, str], bool]] = {
    "eq": lambda cell, operand: cell is not None and _text(cell) == operand,
    "neq": lambda cell, operand: cell is not None and _text(cell) != operand,
    "in": lambda cell, operand: (
        cell is not None and _text(cell) in split_list(_strip_brackets(operand, "(", ")"))
    ),
    "like": lambda cell, operand: _like(operand, 0)(cell),
    "ilike": lambda cell, operand: _like(operand, re.IGNORECASE)(cell),
    "cs": lambda cell, operand: (
        cell is not None
        and set(split_list(_strip_brackets(operand, "{", "}"))) <= {_text(c) for c in cell}
    ),
    "ov": lambda cell, operand: (
        cell is not None
        and bool(set(split_list(_strip_brackets(operand, "{", "}"))) & {_text(c) for c in cell})
    ),
    "is": lambda cell, operand: _text(cell) == operand.lower(),
}


def _ordered(table: str, shaped: list[tuple[Row, Row]], ordering: str) -> list[tuple[Row, Row]]:
    """Sort by each `column.asc|desc` term, the last term first (Python's sort is stable)."""
    for term in reversed(ordering.split(",")):
        column, *modifiers = term.split(".")
        _check_column(table, column)
        shaped = sorted(
            shaped,
            key=lambda pair: (pair[0][column] is None, pair[0][column] or ""),
            reverse="desc" in modifiers,
        )
    return shaped


def _window(params: list[tuple[str, str]], headers: Any) -> tuple[int, int | None]:
    """(offset, limit) from `offset`/`limit`, else from a `Range: first-last` header."""
    values = dict(params)
    if "offset" in values or "limit" in values:
        limit = values.get("limit")
        return int(values.get("offset", "0")), int(limit) if limit is not None else None
    requested = headers.get("range")
    if requested:
        first, _, last = requested.partition("-")
        return int(first), (int(last) - int(first) + 1) if last else None
    return 0, None


# --- PostgREST list syntax ---------------------------------------------------------------------


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on `separator` outside brackets and double quotes."""
    parts, depth, quoted, current = [], 0, False, ""
    escaped = False
    for char in text:
        if escaped:
            current += char
            escaped = False
            continue
        if char == "\\":
            current += char
            escaped = True
            continue
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "({":
            depth += 1
        elif not quoted and char in ")}":
            depth -= 1
        elif not quoted and depth == 0 and char == separator:
            parts.append(current)
            current = ""
            continue
        current += char
    parts.append(current)
    return parts


def split_list(text: str) -> list[str]:
    """The items of `a,"b,c",d` (PostgreSQL array and PostgREST `in` syntax), unquoted."""
    if text == "":
        return []
    items = []
    for raw in split_top_level(text, ","):
        if len(raw) >= 2 and raw.startswith('"') and raw.endswith('"'):
            items.append(re.sub(r"\\(.)", r"\1", raw[1:-1]))
        else:
            items.append(raw)
    return items


def _strip_brackets(text: str, opening: str, closing: str) -> str:
    if not (text.startswith(opening) and text.endswith(closing)):
        raise RequestError(400, "PGRST100", f"expected {opening}...{closing}, got {text!r}")
    return text[1:-1]
