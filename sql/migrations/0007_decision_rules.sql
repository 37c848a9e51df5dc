-- Decision rules (JSON Logic), their version history, tenant settings the rules read, the log of
-- decisions taken, and the deployment-wide defaults copied into every new tenant.

-- Global defaults (reference data, seeded by sql/seeds/defaults/): what a new tenant starts with.
create table aicrm.decision_rule_defaults (
    name text primary key,
    description text not null,
    category text not null,
    priority integer not null,
    condition jsonb not null,
    action jsonb not null
);

create table aicrm.decision_setting_defaults (
    setting_key text primary key,
    value jsonb not null,
    description text not null
);

grant select on aicrm.decision_rule_defaults, aicrm.decision_setting_defaults
to aicrm_app, aicrm_worker, aicrm_readonly;

create table aicrm.ai_decision_rules (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    rule_id uuid not null default gen_random_uuid(),
    name text not null,
    description text,
    category text not null,
    priority integer not null default 100,
    condition jsonb not null,
    action jsonb not null,
    customer_id uuid,
    channel text,
    task_type text,
    active boolean not null default true,
    version integer not null default 1,
    -- Derived from condition by the rule trigger on every write; never taken from the caller.
    compiled_condition text,
    compiled_trace text,
    trace_nodes jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    updated_by text,
    constraint ai_decision_rules_pkey primary key (tenant_id, rule_id),
    constraint ai_decision_rules_name_key unique (tenant_id, name),
    constraint ai_decision_rules_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade,
    constraint ai_decision_rules_customer_fkey foreign key (tenant_id, customer_id)
    references aicrm.customers (tenant_id, customer_id) on delete cascade
);

create index ai_decision_rules_order_idx on aicrm.ai_decision_rules (tenant_id, category, priority)
where active;

-- Every version of every rule, written by the rule trigger; kept when the rule is deleted.
create table aicrm.ai_decision_rule_versions (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    rule_id uuid not null,
    version integer not null,
    operation text not null,
    rule jsonb not null,
    changed_at timestamptz not null default clock_timestamp(),
    changed_by text not null,
    constraint ai_decision_rule_versions_pkey primary key (tenant_id, rule_id, version, operation),
    constraint ai_decision_rule_versions_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade
);

create table aicrm.ai_decision_settings (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    setting_key text not null,
    value jsonb not null,
    updated_at timestamptz not null default now(),
    constraint ai_decision_settings_pkey primary key (tenant_id, setting_key),
    constraint ai_decision_settings_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade
);

-- The decisions taken: append-only, with the inputs seen, the rule and version, and the trace.
create table aicrm.ai_decisions (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    decision_id uuid not null default gen_random_uuid(),
    decided_at timestamptz not null default clock_timestamp(),
    action jsonb not null,
    category text,
    rule_id uuid,
    rule_version integer,
    rule_name text,
    explanation text not null,
    confidence numeric,
    context jsonb not null,
    trace jsonb not null default '[]',
    task_id uuid,
    deliverable_id uuid,
    decided_by text not null default current_user,
    constraint ai_decisions_pkey primary key (tenant_id, decision_id),
    constraint ai_decisions_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade
);

create index ai_decisions_recent_idx on aicrm.ai_decisions (tenant_id, decided_at desc);

alter table aicrm.ai_decision_rules enable row level security;
alter table aicrm.ai_decision_rules force row level security;
create policy ai_decision_rules_all_own on aicrm.ai_decision_rules
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

alter table aicrm.ai_decision_rule_versions enable row level security;
alter table aicrm.ai_decision_rule_versions force row level security;
create policy ai_decision_rule_versions_all_own on aicrm.ai_decision_rule_versions
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

alter table aicrm.ai_decision_settings enable row level security;
alter table aicrm.ai_decision_settings force row level security;
create policy ai_decision_settings_all_own on aicrm.ai_decision_settings
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

alter table aicrm.ai_decisions enable row level security;
alter table aicrm.ai_decisions force row level security;
create policy ai_decisions_select_own on aicrm.ai_decisions for select
using (tenant_id = (select aicrm_private.current_tenant_id()));
create policy ai_decisions_insert_own on aicrm.ai_decisions for insert
with check (tenant_id = (select aicrm_private.current_tenant_id()));

grant select, insert, update, delete on aicrm.ai_decision_rules, aicrm.ai_decision_settings to aicrm_app;
grant select on aicrm.ai_decision_rule_versions to aicrm_app;
grant select, insert on aicrm.ai_decisions to aicrm_app, aicrm_worker;
grant select on aicrm.ai_decision_rules, aicrm.ai_decision_settings, aicrm.ai_decision_rule_versions
to aicrm_worker, aicrm_readonly;
grant select on aicrm.ai_decisions to aicrm_readonly;
