"""Command line: `peakhealth serve | token | purge` (also `python -m peakhealth`)."""

import argparse
import asyncio
import sys
import uuid
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from peakhealth.config import Settings


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        messages = "; ".join(
            str(item["msg"]).removeprefix("Value error, ") for item in error.errors()
        )
        sys.exit(f"peakhealth: configuration refused: {messages}")


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from peakhealth.app import create_app

    settings = _settings()
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
            for role, token in demo.demo_tokens(
                secret, issuer_for(settings.supabase_url) if settings.supabase_url else None
            ).items():
                print(f"\n{role} token:\n{token}")
            base = f"http://{args.host}:{args.port}"
            sunday = (date.fromisoformat(ids["week"]) + timedelta(days=6)).isoformat()
            print(
                "\nTry:\n  curl -H 'Authorization: Bearer <trainer token>' "
                f"{base}/api/templates/routines/{ids['template']}\n"
                "  curl -H 'Authorization: Bearer <client token>' "
                f"'{base}/api/workout-sessions?from={ids['week']}&to={sunday}'\n",
                flush=True,
            )

    uvicorn.run(create_app(settings, on_startup=on_startup), host=args.host, port=args.port)


def token(args: argparse.Namespace) -> None:
    from peakhealth.identity.tokens import issuer_for, mint_token

    settings = _settings()
    if settings.jwt_secret is None:
        sys.exit("peakhealth: no SUPABASE_JWT_SECRET configured to sign with")
    print(
        mint_token(
            settings.jwt_secret,
            sub=args.sub,
            role=args.role,
            email=args.email,
            ttl_seconds=args.ttl,
            issuer=issuer_for(settings.supabase_url) if settings.supabase_url else None,
        )
    )


def purge(args: argparse.Namespace) -> None:
    from peakhealth import db
    from peakhealth.versioning import chains

    settings = _settings()

    async def run() -> None:
        await db.connect(settings)
        for document in db.DOCUMENTS:
            purged = await chains.purge_archived(document, owner=None)
            print(f"{document.kind}: {purged} archived version(s) purged")
            repaired = await chains.repair_abandoned(document)
            print(f"{document.kind}: {repaired} half-changed chain(s) repaired")

    asyncio.run(run())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="peakhealth", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serving = commands.add_parser("serve", help="run the HTTP API")
    serving.add_argument("--host", default="127.0.0.1")
    serving.add_argument("--port", type=int, default=8000)
    serving.add_argument("--demo", action="store_true", help="load demo data and print tokens")
    serving.set_defaults(run=serve)
    minting = commands.add_parser("token", help="print a development access token")
    minting.add_argument(
        "--sub",
        default=None,
        type=lambda v: str(uuid.UUID(v)),
        help="user id (UUID); random when omitted",
    )
    minting.add_argument("--role", choices=["client", "trainer", "admin"], default="client")
    minting.add_argument("--email", default=None)
    minting.add_argument("--ttl", type=int, default=24 * 3600, help="lifetime in seconds")
    minting.set_defaults(run=token)
    purging = commands.add_parser("purge", help="purge archived versions past their purge date")
    purging.set_defaults(run=purge)
    args = parser.parse_args(argv)
    args.run(args)
