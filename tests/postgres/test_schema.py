"""scripts/supabase/schema.sql and seed.sql on a real PostgreSQL, with Supabase's roles stood in.

Every check runs inside a transaction that is rolled back, as `anon`, `authenticated` (with the
caller's id in request.jwt.claims, as PostgREST sets it) or `service_role`.
"""

from types import ModuleType

import pytest

from tests.support.postgres import (
    CLIENT,
    PRELUDE,
    SCHEMA,
    SEED,
    STRANGER,
    TRAINER,
    Database,
)

pytestmark = pytest.mark.postgres

TABLES = ("exercises", "exercise_variants", "profiles", "trainer_clients")


def counted(dml: str) -> str:
    """How many rows a data-modifying statement touched, as one row."""
    return f"with changed as ({dml} returning 1) select count(*) from changed;"


# --- the catalog ----------------------------------------------------------------------------------


def test_a_signed_in_user_reads_the_whole_catalog(db: Database, catalog: dict) -> None:
    outcome = db.as_user(
        STRANGER,
        "select count(*) from public.exercises;\n"
        "select count(*) from public.exercise_variants;\n"
        # What the service's Supabase adapter selects: variants with their exercise's name.
        "select count(*) from public.exercise_variants v join public.exercises e"
        " on e.id = v.exercise_id;",
    )
    expected = [str(len(catalog["exercises"])), str(len(catalog["exercise_variants"]))]
    assert outcome.error is None, outcome.error
    assert outcome.rows == [*expected, expected[1]]


@pytest.mark.parametrize("table", TABLES)
def test_anon_reads_nothing(db: Database, table: str) -> None:
    outcome = db.as_role("anon", f"select count(*) from public.{table};")
    assert outcome.denied_or_empty, outcome.rows
    # Not even with a user's id in its claims: the policies are for `authenticated` only.
    assert db.as_role("anon", f"select count(*) from public.{table};", sub=CLIENT).denied_or_empty


# --- profiles -------------------------------------------------------------------------------------


def test_a_user_reads_only_their_own_profile(db: Database) -> None:
    outcome = db.as_user(CLIENT, "select id, display_name from public.profiles order by id;")
    assert outcome.error is None, outcome.error
    assert outcome.rows == [f"{CLIENT}|Client"]


def test_a_user_updates_their_own_profile(db: Database) -> None:
    outcome = db.as_user(
        CLIENT,
        counted(
            "update public.profiles set display_name = 'Renamed', unit_system = 'imperial'"
            f" where id = '{CLIENT}'"
        )
        + f"\nselect display_name, unit_system from public.profiles where id = '{CLIENT}';",
    )
    assert outcome.error is None, outcome.error
    assert outcome.rows == ["1", "Renamed|imperial"]


def test_a_user_cannot_update_another_users_profile(db: Database) -> None:
    outcome = db.as_user(
        STRANGER,
        counted(f"update public.profiles set display_name = 'Hacked' where id = '{CLIENT}'")
        # Without a WHERE clause no select policy is involved: the update policy alone decides.
        + counted("update public.profiles set display_name = 'Hacked'")
        + "\nreset role;"
        + f"\nselect display_name from public.profiles where id = '{CLIENT}';",
    )
    assert outcome.error is None, outcome.error
    assert outcome.rows == ["0", "1", "Client"]


def test_a_user_cannot_move_their_profile_to_another_id(db: Database) -> None:
    outcome = db.as_user(
        CLIENT,
        counted(f"update public.profiles set id = '{STRANGER}' where id = '{CLIENT}'"),
    )
    assert outcome.error is not None and "permission denied" in outcome.error


def test_a_user_cannot_set_an_unknown_unit_system(db: Database) -> None:
    outcome = db.as_user(
        CLIENT,
        counted(f"update public.profiles set unit_system = 'furlongs' where id = '{CLIENT}'"),
    )
    assert outcome.error is not None and "check constraint" in outcome.error


def test_every_user_gets_a_profile_on_sign_up_and_loses_it_with_the_account(db: Database) -> None:
    user = "44444444-4444-4444-8444-444444444444"
    rows = db.sql(
        "begin;\n"
        f"insert into auth.users (id) values ('{user}');\n"
        f"select display_name is null, unit_system from public.profiles where id = '{user}';\n"
        "insert into public.trainer_clients (trainer_id, client_id)"
        f" values ('{TRAINER}', '{user}');\n"
        f"delete from auth.users where id = '{user}';\n"
        f"select count(*) from public.profiles where id = '{user}';\n"
        f"select count(*) from public.trainer_clients where client_id = '{user}';\n"
        "rollback;"
    )
    assert rows == ["t|metric", "0", "0"]


# --- trainer-client links -------------------------------------------------------------------------


@pytest.mark.parametrize("user", [TRAINER, CLIENT], ids=["trainer", "client"])
def test_a_link_is_visible_to_its_trainer_and_its_client(db: Database, user: str) -> None:
    outcome = db.as_user(user, "select trainer_id, client_id, status from public.trainer_clients;")
    assert outcome.error is None, outcome.error
    assert outcome.rows == [f"{TRAINER}|{CLIENT}|active"]


def test_a_link_is_invisible_to_a_third_user(db: Database) -> None:
    outcome = db.as_user(STRANGER, "select count(*) from public.trainer_clients;")
    assert outcome.error is None, outcome.error
    assert outcome.rows == ["0"]


# --- writes ---------------------------------------------------------------------------------------

SQUAT = "f2a91df2-4c31-5add-9e8a-15c61a54dbbb"
NEW = "55555555-5555-4555-8555-555555555555"

WRITES = {
    "insert exercise": f"insert into public.exercises (id, name) values ('{NEW}', 'Mine')",
    "update exercise": "update public.exercises set name = 'Renamed'",
    "delete exercise": "delete from public.exercises",
    "insert variant": (
        "insert into public.exercise_variants (id, exercise_id, name)"
        f" values ('{NEW}', '{SQUAT}', 'Mine')"
    ),
    "update variant": "update public.exercise_variants set is_unilateral = true",
    "delete variant": "delete from public.exercise_variants",
    "insert link": (
        "insert into public.trainer_clients (trainer_id, client_id)"
        f" values ('{TRAINER}', '{STRANGER}')"
    ),
    "update link": "update public.trainer_clients set status = 'ended'",
    "delete link": "delete from public.trainer_clients",
    "insert profile": f"insert into public.profiles (id) values ('{NEW}')",
    "delete profile": "delete from public.profiles",
}


@pytest.mark.parametrize("statement", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize("user", [TRAINER, CLIENT], ids=["as trainer", "as client"])
def test_signed_in_users_cannot_write_the_catalog_or_the_links(
    db: Database, user: str, statement: str
) -> None:
    outcome = db.as_user(user, counted(statement))
    assert outcome.denied_or_empty, outcome.rows


@pytest.mark.parametrize("statement", WRITES.values(), ids=WRITES.keys())
def test_anon_cannot_write(db: Database, statement: str) -> None:
    assert db.as_role("anon", counted(statement)).denied_or_empty


def test_the_service_role_writes_everything(db: Database) -> None:
    outcome = db.as_role(
        "service_role",
        "\n".join(
            [
                counted(f"insert into public.exercises (id, name) values ('{NEW}', 'Mine')"),
                counted(
                    "insert into public.exercise_variants (id, exercise_id, name)"
                    f" values ('{NEW}', '{NEW}', 'Mine')"
                ),
                counted(
                    f"update public.exercises set main_variant_id = '{NEW}' where id = '{NEW}'"
                ),
                counted(
                    "insert into public.trainer_clients (trainer_id, client_id)"
                    f" values ('{TRAINER}', '{STRANGER}')"
                ),
                counted("update public.trainer_clients set status = 'ended'"),
                counted(f"update public.profiles set display_name = 'X' where id = '{STRANGER}'"),
                counted(f"delete from public.exercises where id = '{SQUAT}'"),
                "select count(*) from public.profiles;",
            ]
        ),
    )
    assert outcome.error is None, outcome.error
    assert outcome.rows == ["1", "1", "1", "1", "2", "1", "1", "3"]


# --- the shape of the schema ----------------------------------------------------------------------


def test_policies_and_privileges_are_exactly_the_designed_ones(db: Database) -> None:
    policies = db.sql(
        "select tablename, cmd, roles::text from pg_policies where schemaname = 'public'"
        " order by tablename, cmd;"
    )
    assert policies == [
        "exercise_variants|SELECT|{authenticated}",
        "exercises|SELECT|{authenticated}",
        "profiles|SELECT|{authenticated}",
        "profiles|UPDATE|{authenticated}",
        "trainer_clients|SELECT|{authenticated}",
    ]
    rls = db.sql(
        "select relname, relrowsecurity from pg_class"
        " where relnamespace = 'public'::regnamespace and relkind = 'r' order by relname;"
    )
    assert rls == [f"{table}|t" for table in sorted(TABLES)]
    grants = db.sql(
        "select grantee, table_name, privilege_type from information_schema.role_table_grants"
        " where table_schema = 'public' and grantee in ('anon', 'authenticated', 'PUBLIC')"
        " order by 1, 2, 3;"
    )
    assert grants == [
        "authenticated|exercise_variants|SELECT",
        "authenticated|exercises|SELECT",
        "authenticated|profiles|SELECT",
        "authenticated|trainer_clients|SELECT",
    ]
    column_updates = db.sql(
        "select table_name, column_name from information_schema.column_privileges"
        " where grantee = 'authenticated' and privilege_type = 'UPDATE' order by 1, 2;"
    )
    assert column_updates == ["profiles|display_name", "profiles|unit_system"]


def test_one_relationship_joins_exercises_and_variants(db: Database) -> None:
    # A second foreign key between the two tables (say on main_variant_id) would make PostgREST's
    # embedding `exercises?select=*,exercise_variants(*)`, which the service uses, ambiguous.
    rows = db.sql(
        "select conrelid::regclass, confrelid::regclass, conname from pg_constraint"
        " where contype = 'f' and connamespace = 'public'::regnamespace"
        " and confrelid::regclass::text <> 'auth.users' order by conname;"
    )
    assert rows == ["exercise_variants|exercises|exercise_variants_exercise_id_fkey"]


@pytest.mark.parametrize("table", ["exercises", "exercise_variants"])
def test_the_seed_generator_knows_the_catalog_columns(
    db: Database, make_seed: ModuleType, table: str
) -> None:
    kinds = {"uuid": "uuid", "text": "text", "_text": "text[]", "bool": "boolean"}
    rows = db.sql(
        "select column_name, udt_name from information_schema.columns"
        f" where table_schema = 'public' and table_name = '{table}' order by ordinal_position;"
    )
    columns = {name: kinds[udt] for name, udt in (row.split("|") for row in rows)}
    assert list(columns.items()) == list(make_seed.TABLES[table].items())


# --- re-applying ----------------------------------------------------------------------------------

SHAPE = """
select 'policy', tablename, policyname, cmd, roles::text, coalesce(qual, ''),
       coalesce(with_check, '')
from pg_policies where schemaname = 'public'
union all
select 'constraint', conrelid::regclass::text, conname, contype::text, pg_get_constraintdef(oid),
       '', ''
from pg_constraint where connamespace = 'public'::regnamespace
union all
select 'index', tablename, indexname, indexdef, '', '', ''
from pg_indexes where schemaname = 'public'
union all
select 'grant', grantee, table_name, privilege_type, '', '', ''
from information_schema.role_table_grants where table_schema = 'public'
union all
select 'column', table_name, column_name, data_type, coalesce(column_default, ''), is_nullable, ''
from information_schema.columns where table_schema = 'public'
union all
select 'trigger', event_object_table, trigger_name, action_timing, event_manipulation, '', ''
from information_schema.triggers where trigger_schema in ('public', 'auth')
order by 1, 2, 3, 4, 5;
"""

COUNTS = """
select count(*) from public.exercises;
select count(*) from public.exercise_variants;
select count(*) from public.profiles;
"""


def test_schema_sql_applies_twice_to_the_same_result(fresh_db: Database) -> None:
    fresh_db.apply(SCHEMA)
    fresh_db.sql("insert into auth.users (id) values (gen_random_uuid());")
    once = fresh_db.sql(SHAPE)
    fresh_db.apply(SCHEMA)
    assert fresh_db.sql(SHAPE) == once
    assert any(row.startswith("policy|") for row in once)
    fresh_db.apply(PRELUDE)
    fresh_db.apply(SEED)
    assert fresh_db.sql(COUNTS)[2] == "1"


def test_schema_sql_adds_the_missing_columns_to_an_existing_profiles_table(
    fresh_db: Database,
) -> None:
    fresh_db.sql(
        "create table public.profiles ("
        " id uuid references auth.users not null primary key, username text);"
    )
    fresh_db.apply(SCHEMA)
    rows = fresh_db.sql(
        "select column_name from information_schema.columns"
        " where table_schema = 'public' and table_name = 'profiles' order by ordinal_position;"
    )
    assert rows == ["id", "username", "display_name", "unit_system"]


def test_seed_sql_applies_twice_and_restores_edited_rows(fresh_db: Database, catalog: dict) -> None:
    fresh_db.apply(SCHEMA)
    fresh_db.apply(SEED)
    once = fresh_db.sql(COUNTS)
    assert once == [str(len(catalog["exercises"])), str(len(catalog["exercise_variants"])), "0"]
    fresh_db.sql(f"update public.exercises set name = 'Edited' where id = '{SQUAT}';")
    fresh_db.apply(SEED)
    assert fresh_db.sql(COUNTS) == once
    assert fresh_db.sql(f"select name from public.exercises where id = '{SQUAT}';") == ["Squat"]
    dangling = fresh_db.sql(
        "select count(*) from public.exercises e left join public.exercise_variants v"
        " on v.id = e.main_variant_id and v.exercise_id = e.id"
        " where e.main_variant_id is not null and v.id is null;"
    )
    assert dangling == ["0"]
