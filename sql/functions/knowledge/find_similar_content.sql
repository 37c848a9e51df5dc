-- Similarity search over the tenant's content examples, correct under row-level security and
-- metadata filters. A plain HNSW scan filtered afterwards (by RLS or a WHERE) returns fewer than k
-- rows or misses the best ones when the filter keeps a small share of the index, so the plan is
-- chosen per query: when the tenant's rows that pass the filters are few (up to
-- aicrm_private.similarity_exact_max()), an exact scan of just those rows (recall 1 by
-- construction); otherwise the HNSW index with pgvector's iterative scan and a wider candidate
-- list, falling back to the exact scan if it still returns fewer than k rows.
-- The threshold and the candidate filter: private/knowledge/similarity.sql.

create or replace function aicrm.find_similar_content_by_embedding(
    p_embedding extensions.halfvec,
    p_k integer default 5,
    p_filters jsonb default '{}'
)
returns table (
    example_id uuid,
    customer_id uuid,
    industry_category text,
    purpose text,
    channel text,
    polarity text,
    subject text,
    content text,
    annotations jsonb,
    effectiveness numeric,
    source text,
    similarity double precision,
    search_plan text
)
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_filters jsonb := coalesce(p_filters, '{}');
    v_candidates integer;
    v_plan text := 'exact';
    v_ids uuid[];
    v_ef text;
    v_iterative text;
    -- Only embeddings of the configured model are comparable with the query's.
    v_model text := (select c.model from aicrm.embedding_config c);
begin
    if p_embedding is null then
        raise exception using errcode = 'AC001', message = 'embedding: is required',
            hint = 'Pass the query''s embedding (384 dimensions), or use find_similar_content(query text).',
            column = 'embedding';
    end if;
    if extensions.vector_dims(p_embedding) <> 384 then
        raise exception using errcode = 'AC001',
            message = format('embedding: %s dimensions, expected 384', extensions.vector_dims(p_embedding)),
            hint = 'Embed the query with the configured model (aicrm.embedding_config).', column = 'embedding';
    end if;
    if p_k is null or p_k < 1 or p_k > 100 then
        raise exception using errcode = 'AC001', message = format('k: %s is not between 1 and 100', coalesce(p_k::text, 'null')),
            hint = 'Ask for 1 to 100 results.', column = 'k';
    end if;
    perform aicrm_private.assert_json_valid('api.similarity_filters', v_filters, 'filters');

    select count(*) into v_candidates
    from (
        select from aicrm.content_examples e
        where aicrm_private.example_passes(e, v_tenant, v_model, v_filters)
        limit aicrm_private.similarity_exact_max() + 1
    ) c;

    if v_candidates > aicrm_private.similarity_exact_max() then
        v_plan := 'hnsw';
        v_ef := current_setting('hnsw.ef_search', true);
        v_iterative := current_setting('hnsw.iterative_scan', true);
        -- 400 candidates: recall@10 >= 0.95 for a tenant with 1% or 10% of 1M rows (200 gave ~0.95).
        perform set_config('hnsw.ef_search', greatest(400, 4 * p_k)::text, true);
        perform set_config('hnsw.iterative_scan', 'relaxed_order', true);
        v_ids := array(
            select e.example_id
            from aicrm.content_examples e
            where aicrm_private.example_passes(e, v_tenant, v_model, v_filters)
            order by e.embedding operator(extensions.<=>) p_embedding
            limit p_k);
        perform set_config('hnsw.ef_search', coalesce(v_ef, '40'), true);
        perform set_config('hnsw.iterative_scan', coalesce(v_iterative, 'off'), true);
        if cardinality(v_ids) < p_k then
            v_plan := 'exact';  -- the iterative scan gave up early: k rows exist, so find them
        end if;
    end if;

    if v_plan = 'exact' then
        -- "+ 0" keeps the planner off the HNSW index: every candidate's distance is computed.
        v_ids := array(
            select e.example_id
            from aicrm.content_examples e
            where aicrm_private.example_passes(e, v_tenant, v_model, v_filters)
            order by (e.embedding operator(extensions.<=>) p_embedding) + 0, e.example_id
            limit p_k);
    end if;

    return query
    select e.example_id, e.customer_id, e.industry_category, e.purpose, e.channel, e.polarity, e.subject, e.content,
           e.annotations, e.effectiveness, e.source,
           1 - (e.embedding operator(extensions.<=>) p_embedding), v_plan
    from aicrm.content_examples e
    where e.tenant_id = v_tenant and e.example_id = any (v_ids)
    order by e.embedding operator(extensions.<=>) p_embedding, e.example_id;
end
$$;

grant execute on function aicrm.find_similar_content_by_embedding(extensions.halfvec, integer, jsonb)
to aicrm_app, aicrm_worker, aicrm_readonly;

-- The same for a query text, embedded in SQL by the hashing embedder. With a runner embedder
-- (openai, minilm) the runner embeds the query and calls find_similar_content_by_embedding.
create or replace function aicrm.find_similar_content(p_query text, p_k integer default 5, p_filters jsonb default '{}')
returns table (
    example_id uuid,
    customer_id uuid,
    industry_category text,
    purpose text,
    channel text,
    polarity text,
    subject text,
    content text,
    annotations jsonb,
    effectiveness numeric,
    source text,
    similarity double precision,
    search_plan text
)
language plpgsql
stable
set search_path = ''
as $$
declare
    v_config aicrm.embedding_config;
begin
    if p_query is null or p_query !~ '[[:alnum:]]' then
        raise exception using errcode = 'AC001', message = 'query: has no words',
            hint = 'Pass the text to find similar examples for.', column = 'query';
    end if;
    select * into v_config from aicrm.embedding_config;
    if v_config.provider <> 'hashing' then
        raise exception using errcode = 'AC001',
            message = format('query: the %s embedder runs in the runner, not in SQL', v_config.provider),
            hint = 'Embed the query with the runner and call find_similar_content_by_embedding.', column = 'query';
    end if;
    return query select * from aicrm.find_similar_content_by_embedding(aicrm_private.embed_hashing(p_query), p_k, p_filters);
end
$$;

grant execute on function aicrm.find_similar_content(text, integer, jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;
