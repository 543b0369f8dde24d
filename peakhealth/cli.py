"""Command line: `peakhealth serve | token | purge | indexes` (also `python -m peakhealth`).

A failure the operator can fix (a bad variable or flag, an unreachable database, indexes out of
order) ends the command with a message naming the cause and a non-zero exit status, never a
traceback."""

import argparse
import asyncio
import re
import sys
import uuid
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn, TypeVar

from pydantic import ValidationError
from pydantic_settings import SettingsError

from peakhealth.config import Settings

T = TypeVar("T")


def _fail(message: str) -> NoReturn:
    sys.exit(f"peakhealth: {message}")


def _progress(line: str) -> None:
    """Progress of a long command, on stderr so stdout keeps the results only."""
    print(line, file=sys.stderr, flush=True)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        _fail("configuration refused: " + "; ".join(map(_setting_problem, error.errors())))
    except SettingsError as error:
        _fail(f"configuration refused: {error}")


def _setting_problem(item: Any) -> str:
    """One refused setting, named by its environment variable."""
    message = str(item["msg"]).removeprefix("Value error, ")
    if not item["loc"]:
        return message  # a rule over several variables names them itself
    variable = str(item["loc"][0]).upper()
    if message.startswith(f"{variable}="):
        return message
    if re.search("SECRET|KEY|URI", variable):
        return f"{variable}: {message}"  # never echo a credential
    return f"{variable}={item['input']!r}: {message}"


def _hosts(uri: str | None) -> str:
    """The hosts of a MongoDB URI, without credentials or options."""
    rest = (uri or "").split("://", 1)[-1]
    return re.split(r"[/?]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]


def _run(settings: Settings, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `work`; a database that cannot be reached or refuses, or indexes out of order, end
    the command with one message."""
    from pymongo.errors import ConfigurationError, PyMongoError

    from peakhealth.database_failures import database_unavailable
    from peakhealth.indexes import IndexesNotInOrder

    try:
        return asyncio.run(work())
    except IndexesNotInOrder as error:
        _fail(str(error))
    except ConfigurationError as error:
        _fail(f"MONGODB_URI cannot be used: {error}")
    except PyMongoError as error:
        # The driver appends its whole topology description to the cause: left out.
        cause = str(error).split(", Timeout: ")[0]
        reason = database_unavailable(error) or "the database refused"
        _fail(f"{reason} (MongoDB at {_hosts(settings.mongodb_uri)}): {cause}")


def _require_real_database(settings: Settings, command: str) -> None:
    if settings.embedded:
        _fail(
            f"`{command}` needs MONGODB_URI: without it the data lives in the memory of a"
            " `peakhealth serve` process, which no other command can reach"
        )


def _on_database(command: str, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `work` against the configured MongoDB (Beanie initialised, indexes untouched) and
    close the client after; `command` names what needs MONGODB_URI when it is unset."""
    from peakhealth import db

    settings = _settings()
    _require_real_database(settings, command)

    async def run() -> T:
        client = await db.open_database(settings)
        try:
            return await work()
        finally:
            client.close()

    return _run(settings, run)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from peakhealth import db
    from peakhealth.app import create_app

    settings = _settings()
    if not settings.embedded:
        # Checked here once, because a start-up failure inside uvicorn is a traceback.
        async def check() -> None:
            (await db.connect(settings)).close()

        _run(settings, check)
    on_startup: Any = None
    if args.demo:
        from peakhealth import demo
        from peakhealth.identity.tokens import issuer_for

        async def on_startup(app: Any) -> None:
            ids = await demo.load_demo()
            secret = settings.jwt_secret
            print("Demo data loaded:", ", ".join(f"{k} {v}" for k, v in ids.items() if k != "week"))
            if secret is None:
                print("No HS256 secret configured: mint tokens with your Supabase project.")
                return
            issuer = issuer_for(settings.supabase_url) if settings.supabase_url else None
            tokens = demo.demo_tokens(secret, issuer)
            print(demo.instructions(ids, tokens, f"http://{args.host}:{args.port}"), flush=True)

    from peakhealth import logs

    logs.configure(settings.log_format, settings.log_level)
    # log_config=None keeps the handler configured above; the service writes the request lines.
    uvicorn.run(
        create_app(settings, on_startup=on_startup),
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
    )


def token(args: argparse.Namespace) -> None:
    from peakhealth.identity.tokens import issuer_for, mint_token

    settings = _settings()
    if settings.jwt_secret is None:
        _fail("no SUPABASE_JWT_SECRET configured to sign with")
    print(
        mint_token(
            settings.jwt_secret,
            sub=args.sub or str(uuid.uuid4()),
            role=args.role,
            email=args.email,
            ttl_seconds=args.ttl,
            issuer=issuer_for(settings.supabase_url) if settings.supabase_url else None,
        )
    )


async def purge_expired(progress: Callable[[str], None]) -> int:
    """Purge every kind's archived versions past their purge date (Beanie initialised), sparing
    the versions something points to, as the API does. Results go to stdout, progress to
    `progress`; returns how many went."""
    from peakhealth import db, policy
    from peakhealth.versioning import chains

    total = 0
    for document in db.DOCUMENTS:
        progress(f"{document.kind}: purging archived versions past their purge date")
        guard = db.PURGE_GUARDS.get(document, chains.nothing_pinned)
        purged = await chains.purge_archived(document, where=policy.EVERYTHING, pinned=guard)
        print(f"{document.kind}: {purged} archived version(s) purged", flush=True)
        progress(f"{document.kind}: repairing chains a failure left half-changed")
        repaired = await chains.repair_abandoned(document)
        print(f"{document.kind}: {repaired} half-changed chain(s) repaired", flush=True)
        total += purged
    return total


def purge(args: argparse.Namespace) -> None:
    _on_database("purge", lambda: purge_expired(_progress))


async def check_indexes(*, apply: bool, progress: Callable[[str], None]) -> bool:
    """Print each collection's indexes against the declared ones (Beanie initialised), after
    putting them in order with `apply`; True when all are in order."""
    from peakhealth import db, indexes

    failures = await indexes.apply(db.MODELS, progress) if apply else []
    for line in failures:
        print(line)
    in_order = not failures
    for report in await indexes.inspect(db.MODELS):
        print(f"{report.name}: {'in order' if report.in_order else 'not in order'}")
        for line in report.lines():
            print(f"  {line}")
        in_order = in_order and report.in_order
    return in_order


def indexes_command(args: argparse.Namespace) -> None:
    if not _on_database("indexes", lambda: check_indexes(apply=args.apply, progress=_progress)):
        sys.exit(1)


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a UUID") from None


def _positive_seconds(value: str) -> int:
    try:
        seconds = int(value)
    except ValueError:
        seconds = 0
    if seconds < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number of seconds")
    return seconds


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (0-65535)")
    return port


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each flag's default, except an absent one (None) or a switch's (False)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False):
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peakhealth", description=__doc__, formatter_class=_Help)
    commands = parser.add_subparsers(dest="command", required=True)

    serving = commands.add_parser("serve", help="run the HTTP API", formatter_class=_Help)
    serving.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serving.add_argument("--port", type=_port, default=8000, help="port to listen on")
    serving.add_argument(
        "--demo",
        action="store_true",
        help="load demo data; print export lines with the demo tokens and curl calls",
    )
    serving.set_defaults(run=serve)

    minting = commands.add_parser(
        "token", help="print a development access token", formatter_class=_Help
    )
    minting.add_argument("--sub", type=_uuid, help="user id (a UUID); a random one when omitted")
    minting.add_argument(
        "--role", choices=["client", "trainer", "admin"], default="client", help="role claim"
    )
    minting.add_argument("--email", help="email claim; none when omitted")
    minting.add_argument(
        "--ttl", type=_positive_seconds, default=24 * 3600, help="lifetime in seconds"
    )
    minting.set_defaults(run=token)

    purging = commands.add_parser(
        "purge",
        help="delete archived versions past their purge date, except assigned template versions",
        formatter_class=_Help,
    )
    purging.set_defaults(run=purge)

    checking = commands.add_parser(
        "indexes",
        help="compare the database's indexes with the declared ones, or put them in order",
        formatter_class=_Help,
    )
    mode = checking.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--check",
        action="store_true",
        help="list missing, conflicting and extra indexes per collection; exit 1 unless in order",
    )
    mode.add_argument(
        "--apply",
        action="store_true",
        help="drop conflicting and extra indexes and create the declared ones (service stopped)",
    )
    checking.set_defaults(run=indexes_command)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.run(args)
