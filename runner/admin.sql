-- The administrator's statements the runner sends (read by runner/named_queries.py): the embedded
-- server's settings, database and login roles, and the migration bookkeeping of runner/migrate.py
-- (also written into `aicrm bundle`). Values are %(name)s parameters; an identifier, or a value
-- where PostgreSQL takes no parameter, is a {placeholder} filled by psycopg.sql composition.

-- name: server_setting
select current_setting(%(name)s) as value;

-- name: set_server_setting
alter system set {name} = {value};

-- name: reload_configuration
select pg_reload_conf();

-- name: database_exists
select datname
from pg_database
where datname = %(database)s;

-- name: create_database
create database {database};

-- name: role_can_login
select rolcanlogin
from pg_roles
where rolname = %(role)s;

-- name: create_login_role
create role {role} login nosuperuser nobypassrls;

-- name: allow_login
alter role {role} login;

-- name: server_version
show server_version;

-- name: migration_lock
select pg_advisory_lock(hashtext('aicrm.migrate'));

-- name: migration_unlock
select pg_advisory_unlock(hashtext('aicrm.migrate'));

-- name: applied_migrations
select migration_id, checksum
from aicrm_private.schema_migrations
order by migration_id;

-- name: begin
begin;

-- name: as_owner
set local role aicrm_owner;

-- name: record_migration
insert into aicrm_private.schema_migrations (migration_id, name, checksum)
values ({migration_id}, {name}, {checksum});

-- name: commit
commit;
