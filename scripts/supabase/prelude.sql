-- TEST-ONLY STAND-IN for what every Supabase project already provides.
-- Never apply this to a Supabase project: it exists so tests/postgres can apply schema.sql and
-- seed.sql to a plain PostgreSQL server and check the row-level security policies.
--
-- It provides, shaped like Supabase's:
--   * the API roles anon, authenticated (nologin) and service_role (nologin, bypassrls);
--   * schema auth with a minimal auth.users(id) and auth.uid(), which reads the `sub` claim of
--     the request's JWT from the setting request.jwt.claims (PostgREST sets it per request);
--   * Supabase's default privileges: every table the owner creates in public is granted to all
--     three API roles, so schema.sql's explicit revokes and grants are exercised as on Supabase.
-- Idempotent: roles are cluster-wide, the rest is per database.

do $$
begin
    if not exists (select from pg_roles where rolname = 'anon') then
        create role anon nologin noinherit;
    end if;
    if not exists (select from pg_roles where rolname = 'authenticated') then
        create role authenticated nologin noinherit;
    end if;
    if not exists (select from pg_roles where rolname = 'service_role') then
        create role service_role nologin noinherit bypassrls;
    end if;
end
$$;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

create table if not exists auth.users (
    id uuid primary key
);
grant all on table auth.users to service_role;

create or replace function auth.uid() returns uuid
language sql stable
as $$
    select (nullif(current_setting('request.jwt.claims', true), '')::json ->> 'sub')::uuid
$$;
grant execute on function auth.uid() to anon, authenticated, service_role;

grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public
    grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public
    grant all on functions to anon, authenticated, service_role;
