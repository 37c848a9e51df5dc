-- Tenants and the append-only audit log.
-- Every tenant-owned table: tenant_id leads the primary key and is part of every unique and
-- foreign key (ready for Citus distribution by tenant), RLS enabled AND forced, one policy that
-- reads the tenant through aicrm_private.current_tenant_id() evaluated once per statement.

create table aicrm.tenants (
    tenant_id uuid not null default gen_random_uuid(),
    name text not null,
    settings jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint tenants_pkey primary key (tenant_id)
);

alter table aicrm.tenants enable row level security;
alter table aicrm.tenants force row level security;
create policy tenants_all_own on aicrm.tenants
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

grant select, update on aicrm.tenants to aicrm_app;
grant select on aicrm.tenants to aicrm_worker, aicrm_readonly;

-- The audit log is append-only: rows are written by a SECURITY DEFINER trigger as the owner;
-- no other role has INSERT, UPDATE or DELETE, and only the owner has an UPDATE/DELETE policy.
create table aicrm.audit_log (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    audit_id bigint generated always as identity,
    occurred_at timestamptz not null default clock_timestamp(),
    table_name text not null,
    operation text not null,
    row_key jsonb not null,
    changes jsonb not null default '{}',
    actor_role text not null default current_user,
    actor_session text not null default session_user,
    actor_sub text,
    txid bigint not null default txid_current(),
    constraint audit_log_pkey primary key (tenant_id, audit_id),
    constraint audit_log_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade
);

create index audit_log_table_idx on aicrm.audit_log (tenant_id, table_name, occurred_at desc);

alter table aicrm.audit_log enable row level security;
alter table aicrm.audit_log force row level security;
create policy audit_log_select_own on aicrm.audit_log for select
using (tenant_id = (select aicrm_private.current_tenant_id()));
create policy audit_log_insert_own on aicrm.audit_log for insert
with check (tenant_id = (select aicrm_private.current_tenant_id()));
create policy audit_log_update_owner on aicrm.audit_log for update to aicrm_owner
using (tenant_id = (select aicrm_private.current_tenant_id()));
create policy audit_log_delete_owner on aicrm.audit_log for delete to aicrm_owner
using (tenant_id = (select aicrm_private.current_tenant_id()));

grant select on aicrm.audit_log to aicrm_app, aicrm_worker, aicrm_readonly;
