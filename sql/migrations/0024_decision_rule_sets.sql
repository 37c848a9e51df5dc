-- A tenant's decision rules and settings compiled into one statement (docs/decision-rules.md,
-- "Speed"). Derived data: a change to any of the tenant's rules or settings empties the tenant's
-- row and bumps its generation, every `aicrm migrate` empties the table (the compiler may have
-- changed), and the next decision compiles it again (aicrm_private.decision_rule_set), storing it
-- only if the generation it started from is still the row's: a compile that raced a change is used
-- once and never kept. Written only by SECURITY DEFINER functions.
create table aicrm_private.decision_rule_sets (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    generation bigint not null default 0,
    -- aicrm_rules_<md5 of the statement>: the name each session prepares it under. The four are
    -- null while the set is to be compiled.
    statement_name text,
    -- select case when <rule 1 in scope and its condition holds> then 1 ... else 0 end
    statement text,
    -- The active escalation, retry and approval rules in evaluation order (case n is rule_ids[n]).
    rule_ids uuid[],
    -- aicrm.get_decision_settings() as it was compiled: what every decision context carries.
    settings jsonb,
    compiled_at timestamptz,
    constraint decision_rule_sets_pkey primary key (tenant_id),
    constraint decision_rule_sets_compiled_check check (
        (statement is null) = (statement_name is null) and (statement is null) = (rule_ids is null)
        and (statement is null) = (settings is null)
    ),
    constraint decision_rule_sets_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade
);

alter table aicrm_private.decision_rule_sets enable row level security;
alter table aicrm_private.decision_rule_sets force row level security;
create policy decision_rule_sets_all_own on aicrm_private.decision_rule_sets
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

-- Every migrate empties every tenant's set (sql/seeds/defaults/0011_decision_rule_sets.sql, run as
-- the owner with no tenant set): the owner alone may delete across tenants.
create policy decision_rule_sets_delete_owner on aicrm_private.decision_rule_sets for delete to aicrm_owner
using (true);

grant select on aicrm_private.decision_rule_sets to aicrm_app, aicrm_worker;
