"""The PostgreSQL fixtures (tests/support/postgres.py) for the Supabase schema tests."""

from tests.support.postgres import catalog, cluster, db, fresh_db, make_seed  # noqa: F401
