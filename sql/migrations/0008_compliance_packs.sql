-- Compliance packs: deployment-wide packs of rules (general, privacy, email marketing, SMS, health,
-- finance, ...) seeded by sql/seeds/defaults/, the packs each tenant turns on or off, and the terms
-- a tenant adds (tenant-wide or for one customer). Checked by aicrm_private.check_compliance.

create table aicrm.compliance_packs (
    pack_code text primary key,
    name text not null,
    description text not null,
    -- Channels and industries the pack applies to; empty means all.
    channels text[] not null default '{}',
    industries text[] not null default '{}',
    enabled_by_default boolean not null default true,
    constraint compliance_packs_code_format check (pack_code ~ '^[a-z][a-z0-9_]*$')
);

create table aicrm.compliance_rules (
    pack_code text not null,
    rule_code text not null,
    -- forbidden_pattern: `pattern` must not match; required_element: `element` must be present;
    -- forbidden_element: `element` (competitor_name, contact_personal_data) must not appear.
    kind text not null,
    severity text not null,
    pattern text,
    element text,
    message text not null,
    fix text not null,
    constraint compliance_rules_pkey primary key (pack_code, rule_code),
    constraint compliance_rules_pack_fkey foreign key (pack_code)
    references aicrm.compliance_packs (pack_code) on delete cascade,
    constraint compliance_rules_kind_check check (
        kind in ('forbidden_pattern', 'required_element', 'forbidden_element')
    ),
    constraint compliance_rules_severity_check check (severity in ('critical', 'major', 'minor')),
    constraint compliance_rules_shape_check check (
        (kind = 'forbidden_pattern' and pattern is not null and element is null)
        or (kind = 'required_element' and pattern is null
            and element in ('unsubscribe', 'postal_address', 'sms_opt_out', 'cta', 'business_name', 'contact_info'))
        or (kind = 'forbidden_element' and pattern is null
            and element in ('competitor_name', 'contact_personal_data'))
    )
);

grant select on aicrm.compliance_packs, aicrm.compliance_rules to aicrm_app, aicrm_worker, aicrm_readonly;

-- A tenant's choice for one pack; a pack without a row here follows enabled_by_default. No foreign
-- key to compliance_packs (tenant tables reference only the industries reference table): a code
-- naming no pack enables nothing.
create table aicrm.tenant_compliance_packs (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    pack_code text not null,
    enabled boolean not null,
    updated_at timestamptz not null default now(),
    constraint tenant_compliance_packs_pkey primary key (tenant_id, pack_code),
    constraint tenant_compliance_packs_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade,
    constraint tenant_compliance_packs_code_length check (char_length(pack_code) between 1 and 100)
);

-- A tenant's own must-include / must-not-include terms; customer_id null applies to every customer.
create table aicrm.tenant_compliance_terms (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    term_id uuid not null default gen_random_uuid(),
    customer_id uuid,
    term text not null,
    kind text not null,
    severity text not null default 'major',
    fix text,
    created_at timestamptz not null default now(),
    constraint tenant_compliance_terms_pkey primary key (tenant_id, term_id),
    constraint tenant_compliance_terms_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade,
    constraint tenant_compliance_terms_customer_fkey foreign key (tenant_id, customer_id)
    references aicrm.customers (tenant_id, customer_id) on delete cascade,
    constraint tenant_compliance_terms_kind_check check (kind in ('forbidden', 'required')),
    constraint tenant_compliance_terms_severity_check check (severity in ('critical', 'major', 'minor')),
    constraint tenant_compliance_terms_term_length check (char_length(btrim(term)) between 1 and 200)
);

create index tenant_compliance_terms_customer_idx on aicrm.tenant_compliance_terms (tenant_id, customer_id);

alter table aicrm.tenant_compliance_packs enable row level security;
alter table aicrm.tenant_compliance_packs force row level security;
create policy tenant_compliance_packs_all_own on aicrm.tenant_compliance_packs
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

alter table aicrm.tenant_compliance_terms enable row level security;
alter table aicrm.tenant_compliance_terms force row level security;
create policy tenant_compliance_terms_all_own on aicrm.tenant_compliance_terms
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

grant select, insert, update, delete on aicrm.tenant_compliance_packs, aicrm.tenant_compliance_terms to aicrm_app;
grant select on aicrm.tenant_compliance_packs, aicrm.tenant_compliance_terms to aicrm_worker, aicrm_readonly;
