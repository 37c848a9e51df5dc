-- The knowledge base: content templates and annotated examples (each tenant's own, copied from the
-- deployment-wide library on tenant creation and by `aicrm seed`), their embeddings, and the
-- embedder configuration. Functions in sql/functions/knowledge/.

-- The deployment-wide library (reference data, seeded by sql/seeds/defaults/): what a tenant starts
-- with. library_key ties a tenant's copy to its source so installing again adds only what is missing.
create table aicrm.library_templates (
    library_key text primary key,
    name text not null,
    industry_category text,
    purpose text not null,
    channel text not null,
    subject text,
    body text not null,
    guidelines text,
    variants jsonb not null default '[]',
    constraint library_templates_key_format check (library_key ~ '^[a-z0-9][a-z0-9_.-]*$'),
    constraint library_templates_industry_fkey foreign key (industry_category)
    references aicrm.industries (industry_category)
);

create table aicrm.library_examples (
    library_key text primary key,
    industry_category text,
    purpose text not null,
    channel text not null,
    subject text,
    content text not null,
    polarity text not null,
    annotations jsonb not null default '[]',
    effectiveness numeric(5, 2),
    -- Computed once by `aicrm seed` for the configured model (and the text it was computed from),
    -- then copied into every tenant with the example instead of being computed again per tenant.
    embedding extensions.halfvec(384),
    embedding_model text,
    embedding_text_md5 text,
    constraint library_examples_key_format check (library_key ~ '^[a-z0-9][a-z0-9_.-]*$'),
    constraint library_examples_industry_fkey foreign key (industry_category)
    references aicrm.industries (industry_category)
);

grant select on aicrm.library_templates, aicrm.library_examples to aicrm_app, aicrm_worker, aicrm_readonly;

-- Which embedder fills the embeddings, deployment-wide (one row). hashing: computed in SQL by a
-- trigger, so rows from any SQL client are searchable at once; openai and minilm: computed by the
-- runner (the worker fills pending rows, `aicrm embeddings reindex` all of them).
create table aicrm.embedding_config (
    singleton boolean primary key default true,
    provider text not null default 'hashing',
    model text not null default 'aicrm-hashing-v1',
    dimensions integer not null default 384,
    updated_at timestamptz not null default now(),
    constraint embedding_config_singleton check (singleton),
    constraint embedding_config_provider_check check (provider in ('hashing', 'openai', 'minilm')),
    constraint embedding_config_dimensions_check check (dimensions = 384)
);

insert into aicrm.embedding_config default values;

grant select on aicrm.embedding_config to aicrm_app, aicrm_worker, aicrm_readonly;

create table aicrm.content_templates (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    template_id uuid not null default gen_random_uuid(),
    library_key text,
    name text not null,
    industry_category text,
    purpose text not null,
    channel text not null,
    subject text,
    body text not null,
    guidelines text,
    variants jsonb not null default '[]',
    active boolean not null default true,
    version integer not null default 1,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint content_templates_pkey primary key (tenant_id, template_id),
    constraint content_templates_name_key unique (tenant_id, name),
    constraint content_templates_library_key unique (tenant_id, library_key),
    constraint content_templates_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade,
    constraint content_templates_industry_fkey foreign key (industry_category)
    references aicrm.industries (industry_category)
);

create index content_templates_selection_idx on aicrm.content_templates (tenant_id, channel, purpose)
where active;

create table aicrm.content_examples (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    example_id uuid not null default gen_random_uuid(),
    library_key text,
    customer_id uuid,
    industry_category text,
    purpose text not null,
    channel text not null,
    subject text,
    content text not null,
    polarity text not null,
    annotations jsonb not null default '[]',
    effectiveness numeric(5, 2),
    source text not null default 'human',
    embedding extensions.halfvec(384),
    embedding_model text,
    embedded_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint content_examples_pkey primary key (tenant_id, example_id),
    constraint content_examples_library_key unique (tenant_id, library_key),
    constraint content_examples_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade,
    constraint content_examples_customer_fkey foreign key (tenant_id, customer_id)
    references aicrm.customers (tenant_id, customer_id) on delete cascade,
    constraint content_examples_industry_fkey foreign key (industry_category)
    references aicrm.industries (industry_category)
);

create index content_examples_filter_idx on aicrm.content_examples (tenant_id, channel, purpose, polarity);
create index content_examples_customer_idx on aicrm.content_examples (tenant_id, customer_id);
-- Rows the runner still has to embed (openai, minilm), found without a scan.
create index content_examples_pending_idx on aicrm.content_examples (tenant_id, example_id)
where embedding is null;
-- Approximate search for tenants too large for an exact scan (find_similar_content chooses).
-- halfvec: half the index memory of vector (1.1 GB at 1M rows of 384 dimensions). ef_construction
-- 128, not pgvector's 64: at 1M rows across 50 tenants the better graph lifts a 10% tenant's
-- recall@10 from ~0.90 to ~0.97 at ef_search 400, for a build ~1.7x as long
-- (benchmarks/similarity_bench.py).
create index content_examples_embedding_idx on aicrm.content_examples
using hnsw (embedding extensions.halfvec_cosine_ops) with (m = 16, ef_construction = 128);

alter table aicrm.content_templates enable row level security;
alter table aicrm.content_templates force row level security;
create policy content_templates_all_own on aicrm.content_templates
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

alter table aicrm.content_examples enable row level security;
alter table aicrm.content_examples force row level security;
create policy content_examples_all_own on aicrm.content_examples
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

grant select, insert, update, delete on aicrm.content_templates, aicrm.content_examples to aicrm_app;
grant select on aicrm.content_templates, aicrm.content_examples to aicrm_worker, aicrm_readonly;
-- The worker writes embeddings it computed (openai, minilm) and nothing else.
grant update (embedding, embedding_model, embedded_at) on aicrm.content_examples to aicrm_worker;

-- The owner (migrations and `aicrm seed`) lists every tenant to install the library into each;
-- it owns the table anyway. No other role sees another tenant's row.
create policy tenants_select_owner on aicrm.tenants for select to aicrm_owner using (true);

-- get_customer_context_for_ai gains p_channel, p_purpose and p_topic (the templates and examples
-- sections); the two-argument version it replaces is dropped before the function files re-create it.
drop function if exists aicrm.get_customer_context_for_ai(uuid, integer);
