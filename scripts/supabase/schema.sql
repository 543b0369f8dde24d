-- PeakHealth: the Supabase tables the service reads (DOMAIN.md section 11).
--
-- Apply to a Supabase project with the SQL editor or
--   psql "$SUPABASE_DB_URL" -v ON_ERROR_STOP=1 -f scripts/supabase/schema.sql
-- then load the exercise catalog with scripts/supabase/seed.sql. Re-applying is safe: tables and
-- indexes are created only when missing, privileges and policies are reset to what is written here.
--
-- Access (row-level security on every table, privileges granted explicitly instead of relying on
-- Supabase's defaults, which grant everything to anon and authenticated):
--   exercises, exercise_variants  every signed-in user reads; only the service role writes
--   profiles                      a user reads and updates their own row (not its id)
--   trainer_clients               a link is readable by its trainer and its client; only the
--                                 service role writes
--   anon                          no table privileges at all
-- The service itself reads with the service-role key, which bypasses row-level security.

begin;

-- Exercise catalog -----------------------------------------------------------------------------

create table if not exists public.exercises (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    category text check (category in ('Strength', 'Cardio', 'Flexibility', 'Balance')),
    description text,
    alternative_names text[] not null default '{}',
    tags text[] not null default '{}',
    main_variant_id uuid
);

create table if not exists public.exercise_variants (
    id uuid primary key default gen_random_uuid(),
    exercise_id uuid not null references public.exercises (id) on delete cascade,
    name text not null,
    description text,
    difficulty text check (difficulty in ('Beginner', 'Intermediate', 'Advanced')),
    equipment text[] not null default '{}',
    muscle_groups text[] not null default '{}',
    secondary_muscles text[] not null default '{}',
    is_unilateral boolean not null default false
);

-- main_variant_id deliberately has no foreign key: a second relationship between exercises and
-- exercise_variants would make PostgREST's embedding (`exercises?select=*,exercise_variants(*)`,
-- which the service uses) ambiguous. tests/postgres checks that the seed's main variants exist
-- and belong to their exercise.

create index if not exists exercise_variants_exercise_id_idx
    on public.exercise_variants (exercise_id);
-- The service lists exercises ordered by name then id; lower(name) serves prefix searches.
create index if not exists exercises_name_id_idx on public.exercises (name, id);
create index if not exists exercises_lower_name_idx
    on public.exercises (lower(name) text_pattern_ops);

-- Profiles ---------------------------------------------------------------------------------------

create table if not exists public.profiles (
    id uuid primary key references auth.users (id) on delete cascade,
    display_name text,
    unit_system text not null default 'metric' check (unit_system in ('metric', 'imperial'))
);
-- A project started from Supabase's user-management starter already has a profiles table:
-- add the columns the service reads (its own columns and policies are left as they are).
alter table public.profiles add column if not exists display_name text;
alter table public.profiles add column if not exists unit_system text not null default 'metric'
    check (unit_system in ('metric', 'imperial'));

-- Every user gets a profile row when they sign up (and existing users now).
create or replace function public.peakhealth_create_profile() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
    insert into public.profiles (id) values (new.id) on conflict (id) do nothing;
    return new;
end
$$;
revoke all on function public.peakhealth_create_profile() from public, anon, authenticated;

drop trigger if exists peakhealth_create_profile on auth.users;
create trigger peakhealth_create_profile
    after insert on auth.users
    for each row execute function public.peakhealth_create_profile();

insert into public.profiles (id) select id from auth.users on conflict (id) do nothing;

-- Trainer-client links -----------------------------------------------------------------------------

create table if not exists public.trainer_clients (
    trainer_id uuid not null references auth.users (id) on delete cascade,
    client_id uuid not null references auth.users (id) on delete cascade,
    status text not null default 'active' check (status in ('active', 'ended')),
    created_at timestamptz not null default now(),
    primary key (trainer_id, client_id),
    check (trainer_id <> client_id)
);

create index if not exists trainer_clients_client_id_idx on public.trainer_clients (client_id);

-- Privileges -------------------------------------------------------------------------------------

grant usage on schema public to anon, authenticated, service_role;

revoke all on table
    public.exercises, public.exercise_variants, public.profiles, public.trainer_clients
    from public, anon, authenticated;

grant select on table public.exercises, public.exercise_variants to authenticated;
grant select on table public.profiles to authenticated;
grant update (display_name, unit_system) on table public.profiles to authenticated;
grant select on table public.trainer_clients to authenticated;

grant all on table
    public.exercises, public.exercise_variants, public.profiles, public.trainer_clients
    to service_role;

-- Row-level security -----------------------------------------------------------------------------
-- No insert, update or delete policy exists for anon or authenticated on exercises,
-- exercise_variants or trainer_clients: only service_role (which bypasses RLS) writes them.

alter table public.exercises enable row level security;
alter table public.exercise_variants enable row level security;
alter table public.profiles enable row level security;
alter table public.trainer_clients enable row level security;

drop policy if exists "signed-in users read exercises" on public.exercises;
create policy "signed-in users read exercises" on public.exercises
    for select to authenticated
    using (true);

drop policy if exists "signed-in users read exercise variants" on public.exercise_variants;
create policy "signed-in users read exercise variants" on public.exercise_variants
    for select to authenticated
    using (true);

drop policy if exists "users read their own profile" on public.profiles;
create policy "users read their own profile" on public.profiles
    for select to authenticated
    using ((select auth.uid()) = id);

drop policy if exists "users update their own profile" on public.profiles;
create policy "users update their own profile" on public.profiles
    for update to authenticated
    using ((select auth.uid()) = id)
    with check ((select auth.uid()) = id);

drop policy if exists "trainers and clients read their links" on public.trainer_clients;
create policy "trainers and clients read their links" on public.trainer_clients
    for select to authenticated
    using ((select auth.uid()) in (trainer_id, client_id));

commit;
