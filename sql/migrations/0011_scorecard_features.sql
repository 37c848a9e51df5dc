-- What a scorecard measures of a draft once and hands to each of its parts (compliance, structure,
-- brand alignment) instead of each part measuring it again: the draft reduced to its words (for
-- phrase lookups), its word count and where its call to action starts. See
-- aicrm_private.draft_features_of (sql/functions/quality/compliance.sql) and docs/quality.md.
create type aicrm_private.draft_features as (
    words text,
    word_count integer,
    cta_start integer
);

grant usage on type aicrm_private.draft_features to aicrm_app, aicrm_worker;

-- The parts gain the features as a last argument; the versions they replace are dropped here,
-- before the function files re-create them.
drop function if exists aicrm_private.check_compliance(text, text, text, uuid, jsonb);
drop function if exists aicrm_private.score_structure(text, text, text, jsonb);
drop function if exists aicrm_private.score_brand(text, text, jsonb, jsonb, jsonb);

-- What the scorecard derives from a customer, its contacts and its examples (the words of its name
-- and its competitors' names, its street, its site, its contacts' addresses and numbers, the words
-- of its description, its products, its brand's phrases, the distinctive words of its positive
-- examples), kept current by triggers on customers, customer_contacts and content_examples
-- (aicrm_private.tg_refresh_scoring_profile) instead of derived again for every draft. Phrases are kept beside their keys (aicrm_private.phrase_key): the scorecard looks a key
-- up in the draft's words and reports the phrase.
create table aicrm.customer_scoring_profiles (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    customer_id uuid not null,
    name_keys text[] not null default '{}',
    street_key text,
    website_host text,
    competitor_names text[] not null default '{}',
    competitor_keys text[] not null default '{}',
    contact_emails text[] not null default '{}',
    contact_phones text[] not null default '{}',
    relevance_keywords text[] not null default '{}',
    product_keys text[] not null default '{}',
    use_phrases text[] not null default '{}',
    use_keys text[] not null default '{}',
    avoid_phrases text[] not null default '{}',
    avoid_keys text[] not null default '{}',
    -- The distinctive words of the customer's positive examples (content_examples).
    example_keywords text[] not null default '{}',
    refreshed_at timestamptz not null default now(),
    constraint customer_scoring_profiles_pkey primary key (tenant_id, customer_id),
    constraint customer_scoring_profiles_customer_fkey foreign key (tenant_id, customer_id)
    references aicrm.customers (tenant_id, customer_id) on delete cascade
);

alter table aicrm.customer_scoring_profiles enable row level security;
alter table aicrm.customer_scoring_profiles force row level security;
create policy customer_scoring_profiles_all_own on aicrm.customer_scoring_profiles
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

-- Read-only for every role: written by the triggers (SECURITY DEFINER).
grant select on aicrm.customer_scoring_profiles to aicrm_app, aicrm_worker, aicrm_readonly;

-- A schema compiled to an SQL/JSON path (aicrm_private.json_schema_compile), which
-- assert_json_valid evaluates first: a document the path finds no violation in is valid without a
-- walk in PL/pgSQL. Set by a trigger when a schema is written; null where the path cannot say it.
alter table aicrm.json_schemas
add column check_path jsonpath,
add column size_limit integer;

-- A forbidden pattern that is costly inside the packs' one alternation (its alternatives multiply
-- the regex's states) names the words one of which any match contains: it is tested on its own,
-- and only when the draft has one of them (docs/quality.md, "Speed").
alter table aicrm.compliance_rules
add column requires_any text[],
add constraint compliance_rules_requires_any_check check (requires_any is null or kind = 'forbidden_pattern');
