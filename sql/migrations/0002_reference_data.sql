-- Global (not tenant-owned) reference data: readable by every aicrm role, written only by the
-- owner through migrations and default seeds.

-- JSON Schemas (the subset documented in docs/sql-api.md) that every JSONB field is validated
-- against. Stored in the database so any SQL client gets the same validation.
create table aicrm.json_schemas (
    schema_name text primary key,
    description text not null,
    definition jsonb not null,
    updated_at timestamptz not null default now(),
    constraint json_schemas_definition_is_object check (jsonb_typeof(definition) = 'object')
);

-- Industries: category, its subcategories and the default brand voice an import uses when a
-- legacy customer brings none.
create table aicrm.industries (
    industry_category text primary key,
    display_name text not null,
    subcategories text[] not null default '{}',
    default_brand_voice jsonb not null,
    constraint industries_category_format check (industry_category ~ '^[a-z][a-z0-9_]*$')
);

grant select on aicrm.json_schemas, aicrm.industries to aicrm_app, aicrm_worker, aicrm_readonly;
