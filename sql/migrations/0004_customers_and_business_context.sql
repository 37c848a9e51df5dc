-- Customers (the agency's clients) with their business context, versioned snapshots of that
-- context, and their contacts. JSONB fields are validated against aicrm.json_schemas by the
-- row trigger in sql/functions/triggers.sql.

create table aicrm.customers (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    customer_id uuid not null default gen_random_uuid(),
    external_id text,
    name text not null,
    status text not null default 'active',
    industry_category text not null,
    industry_subcategory text,
    website text,
    email text,
    phone text,
    address jsonb not null default '{}',
    business_description text,
    unique_selling_points text[] not null default '{}',
    products_services jsonb not null default '[]',
    target_audience jsonb not null default '{}',
    business_hours jsonb not null default '{}',
    brand_voice jsonb not null default '{}',
    content_preferences jsonb not null default '{}',
    competitors jsonb not null default '[]',
    context_version integer not null default 1,
    context_updated_at timestamptz not null default now(),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint customers_pkey primary key (tenant_id, customer_id),
    constraint customers_external_id_key unique (tenant_id, external_id),
    constraint customers_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade,
    -- industries is global reference data (a Citus reference table when distributed).
    constraint customers_industry_fkey foreign key (industry_category)
    references aicrm.industries (industry_category)
);

create index customers_name_idx on aicrm.customers (tenant_id, lower(name));
create index customers_industry_idx on aicrm.customers (tenant_id, industry_category);

-- Effective-dated snapshots of the business context (profile, brand voice, preferences).
-- A draft records the version it was written from; valid_to is null for the current one.
create table aicrm.customer_context_versions (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    customer_id uuid not null,
    context_version integer not null,
    context jsonb not null,
    valid_from timestamptz not null,
    valid_to timestamptz,
    changed_by text not null default current_user,
    constraint customer_context_versions_pkey primary key (tenant_id, customer_id, context_version),
    constraint customer_context_versions_customer_fkey foreign key (tenant_id, customer_id)
    references aicrm.customers (tenant_id, customer_id) on delete cascade
);

create table aicrm.customer_contacts (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    contact_id uuid not null default gen_random_uuid(),
    customer_id uuid not null,
    first_name text,
    last_name text,
    email text,
    phone text,
    job_title text,
    is_primary boolean not null default false,
    email_opt_in boolean not null default false,
    sms_opt_in boolean not null default false,
    consent_source text,
    consent_updated_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint customer_contacts_pkey primary key (tenant_id, contact_id),
    constraint customer_contacts_email_key unique (tenant_id, customer_id, email),
    constraint customer_contacts_customer_fkey foreign key (tenant_id, customer_id)
    references aicrm.customers (tenant_id, customer_id) on delete cascade
);

create unique index customer_contacts_one_primary_idx on aicrm.customer_contacts (tenant_id, customer_id)
where is_primary;

alter table aicrm.customers enable row level security;
alter table aicrm.customers force row level security;
create policy customers_all_own on aicrm.customers
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

alter table aicrm.customer_context_versions enable row level security;
alter table aicrm.customer_context_versions force row level security;
create policy customer_context_versions_all_own on aicrm.customer_context_versions
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

alter table aicrm.customer_contacts enable row level security;
alter table aicrm.customer_contacts force row level security;
create policy customer_contacts_all_own on aicrm.customer_contacts
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

grant select, insert, update, delete on aicrm.customers, aicrm.customer_contacts to aicrm_app;
-- Snapshots are written only by the versioning trigger (as the owner).
grant select on aicrm.customer_context_versions to aicrm_app;
grant select on aicrm.customers, aicrm.customer_contacts, aicrm.customer_context_versions
to aicrm_worker, aicrm_readonly;
