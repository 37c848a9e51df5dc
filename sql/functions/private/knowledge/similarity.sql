-- Similarity search (knowledge/find_similar_content.sql): when the exact scan is used, and which
-- examples are candidates.

-- Up to this many candidate rows the exact scan is used. Counting the candidates and scanning them
-- read each row from the heap, where a tenant's rows lie about one per page: 2,000 keeps that to a
-- few milliseconds, while 20,000 cost 30+ ms at 1M rows (benchmarks/similarity_bench.py); above it
-- the HNSW scan (~1-15 ms) with recall >= 0.95. The setting aicrm.similarity_exact_max overrides it
-- (per session or role, for tuning and tests).
create or replace function aicrm_private.similarity_exact_max()
returns integer
language sql
stable
parallel safe
set search_path = ''
as $$
    select coalesce(nullif(current_setting('aicrm.similarity_exact_max', true), '')::integer, 2000)
$$;

grant execute on function aicrm_private.similarity_exact_max() to aicrm_app, aicrm_worker, aicrm_readonly;

-- Whether an example is a candidate of the search: the tenant's, embedded by the configured model,
-- and passing the filters (schema api.similarity_filters; industry and customer_id also let
-- industry-agnostic and tenant-wide examples through). Plain SQL with no SET clause, so the planner
-- inlines it into each query and still uses the (tenant_id, channel, purpose, polarity) index.
create or replace function aicrm_private.example_passes(
    p_example aicrm.content_examples, p_tenant uuid, p_model text, p_filters jsonb
)
returns boolean
language sql
stable
parallel safe
as $$
    select p_example.tenant_id = p_tenant and p_example.embedding is not null and p_example.embedding_model = p_model
        and (p_filters ->> 'channel' is null or p_example.channel = p_filters ->> 'channel')
        and (p_filters ->> 'purpose' is null or p_example.purpose = p_filters ->> 'purpose')
        and (p_filters ->> 'polarity' is null or p_example.polarity = p_filters ->> 'polarity')
        and (p_filters ->> 'source' is null or p_example.source = p_filters ->> 'source')
        and (p_filters ->> 'industry' is null or p_example.industry_category = p_filters ->> 'industry'
             or p_example.industry_category is null)
        and (p_filters ->> 'customer_id' is null or p_example.customer_id = (p_filters ->> 'customer_id')::uuid
             or p_example.customer_id is null)
        and (p_filters ->> 'min_effectiveness' is null
             or p_example.effectiveness >= (p_filters ->> 'min_effectiveness')::numeric)
$$;

grant execute on function aicrm_private.example_passes(aicrm.content_examples, uuid, text, jsonb)
to aicrm_app, aicrm_worker, aicrm_readonly;
