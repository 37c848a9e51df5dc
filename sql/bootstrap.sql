-- aicrm bootstrap: the few things only an administrator can do. Idempotent; run by
-- `aicrm migrate` (and at the top of the bundle) as the DATABASE_URL user before any migration.
-- Everything after this file runs as aicrm_owner.

-- Group roles. They own nothing except aicrm_owner, are never superusers and never BYPASSRLS.
do $bootstrap$
declare
    v_role text;
begin
    foreach v_role in array array['aicrm_owner', 'aicrm_app', 'aicrm_worker', 'aicrm_readonly'] loop
        if not exists (select from pg_catalog.pg_roles where rolname = v_role) then
            execute format('create role %I nologin nosuperuser nobypassrls nocreatedb nocreaterole', v_role);
        end if;
    end loop;
    -- The administrator running migrations must be able to SET ROLE aicrm_owner.
    if not pg_catalog.pg_has_role(current_user, 'aicrm_owner', 'member') then
        execute format('grant aicrm_owner to %I', current_user);
    end if;
    -- On Supabase (or any PostgREST deployment) map the API roles onto ours.
    if exists (select from pg_catalog.pg_roles where rolname = 'authenticated')
       and not pg_catalog.pg_has_role('authenticated', 'aicrm_app', 'member') then
        grant aicrm_app to authenticated;
    end if;
    if exists (select from pg_catalog.pg_roles where rolname = 'service_role')
       and not pg_catalog.pg_has_role('service_role', 'aicrm_worker', 'member') then
        grant aicrm_worker to service_role;
    end if;
end
$bootstrap$;

-- pgvector is not a trusted extension, so it is created here. Supabase keeps extensions in
-- schema "extensions"; we do the same everywhere so names resolve identically.
create schema if not exists extensions;
create extension if not exists vector with schema extensions;
grant usage on schema extensions to aicrm_owner, aicrm_app, aicrm_worker, aicrm_readonly;

-- aicrm_owner needs to create its two schemas in this database.
do $bootstrap$
begin
    execute format('grant create, connect, temporary on database %I to aicrm_owner', current_database());
    execute format('grant connect on database %I to aicrm_app, aicrm_worker, aicrm_readonly', current_database());
end
$bootstrap$;

create schema if not exists aicrm authorization aicrm_owner;
create schema if not exists aicrm_private authorization aicrm_owner;

-- Unqualified names resolve to aicrm for every aicrm role, in this database.
do $bootstrap$
declare
    v_role text;
begin
    foreach v_role in array array['aicrm_owner', 'aicrm_app', 'aicrm_worker', 'aicrm_readonly'] loop
        execute format(
            'alter role %I in database %I set search_path = aicrm, extensions', v_role, current_database()
        );
    end loop;
end
$bootstrap$;

-- The migration ledger. The id is inserted first, inside each migration's own transaction, so a
-- migration is either fully applied and recorded or neither; two runners serialise on an
-- advisory lock taken by the applier.
set role aicrm_owner;
create table if not exists aicrm_private.schema_migrations (
    migration_id text primary key,
    name text not null,
    checksum text not null,
    applied_at timestamptz not null default now()
);
reset role;
