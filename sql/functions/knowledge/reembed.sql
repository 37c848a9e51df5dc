-- Re-embedding the knowledge base (`aicrm embeddings reindex`, docs/embeddings.md). An example is
-- pending when it has no embedding or one of another model than the configured one. The hashing
-- embedder is recomputed here in SQL; the runner embedders (openai, minilm) read a batch of pending
-- texts, embed them outside and write them back through record_example_embeddings, one transaction
-- per batch, so a run that stops is continued by the next one. Batches are taken in example_id
-- order after the last one done (keyset), so a run ends even when some rows cannot be written.
-- The tenant's side, here; the library's and the sweep over tenants: private/knowledge/
-- (library_embeddings.sql, tenants_with_pending_embeddings.sql).

-- How many of the tenant's examples a reindex would embed (p_full: all of them).
create or replace function aicrm.count_examples_to_embed(p_full boolean default false)
returns bigint
language sql
stable
set search_path = ''
as $$
    select count(*)
    from aicrm.content_examples e
    cross join aicrm.embedding_config c
    where e.tenant_id = aicrm_private.require_tenant()
      and (coalesce(p_full, false) or not aicrm_private.embedding_is_current(e.embedding, e.embedding_model, c.model))
$$;

grant execute on function aicrm.count_examples_to_embed(boolean) to aicrm_app, aicrm_worker, aicrm_readonly;

-- The next batch of the tenant's pending examples (p_full: of all examples) after p_after_id, with
-- the text to embed and its md5, which record_example_embeddings takes back as a fence. The text is
-- cut at 8,000 characters: an example's opening says what it is about (the hashing embedder reads
-- 20,000), and the request stays under the providers' input limits (OpenAI: 8,192 tokens a text,
-- and a token is rarely shorter than a character). The md5 is of the whole text.
create or replace function aicrm.list_examples_to_embed(
    p_limit integer default 64,
    p_after_id uuid default null,
    p_full boolean default false
)
returns table (example_id uuid, embedding_text text, text_md5 text)
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_model text := (select c.model from aicrm.embedding_config c);
begin
    if p_limit is null or p_limit < 1 or p_limit > 2048 then
        raise exception using errcode = 'AC001',
            message = format('limit: %s is not between 1 and 2048', coalesce(p_limit::text, 'null')),
            hint = 'Ask for 1 to 2048 examples per batch.', column = 'limit';
    end if;
    return query
    select e.example_id, left(t.body, 8000), md5(t.body)
    from aicrm.content_examples e
    cross join lateral (select aicrm_private.example_embedding_text(e.subject, e.content)) as t (body)
    where e.tenant_id = v_tenant
      and (p_after_id is null or e.example_id > p_after_id)
      and (coalesce(p_full, false) or not aicrm_private.embedding_is_current(e.embedding, e.embedding_model, v_model))
    order by e.example_id
    limit p_limit;
end
$$;

grant execute on function aicrm.list_examples_to_embed(integer, uuid, boolean) to aicrm_worker;

-- Write back embeddings the runner computed with p_model, in one statement. A row whose text changed
-- since it was listed (its md5 differs) is left alone: the trigger has emptied its embedding and the
-- next run embeds the new text. Returns how many rows were written.
create or replace function aicrm.record_example_embeddings(
    p_model text,
    p_example_ids uuid[],
    p_text_md5s text[],
    p_embeddings extensions.halfvec[]
)
returns integer
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_config aicrm.embedding_config;
    v_count integer;
begin
    select * into v_config from aicrm.embedding_config;
    if v_config.provider = 'hashing' then
        raise exception using errcode = 'AC001',
            message = 'provider: the hashing embedder is computed in SQL, not recorded',
            hint = 'Call reembed_examples_hashing, or configure a runner embedder (openai, minilm).',
            column = 'provider';
    end if;
    if p_model is distinct from v_config.model then
        raise exception using errcode = 'AC005',
            message = format('model: embeddings of %s, but the configured model is %s', coalesce(p_model, 'null'),
                             v_config.model),
            hint = 'The configuration changed while embedding: run aicrm embeddings reindex again.',
            column = 'model';
    end if;
    if cardinality(p_example_ids) is distinct from cardinality(p_embeddings)
       or cardinality(p_example_ids) is distinct from cardinality(p_text_md5s) then
        raise exception using errcode = 'AC001',
            message = format('embeddings: %s embeddings and %s md5s for %s examples', cardinality(p_embeddings),
                             cardinality(p_text_md5s), cardinality(p_example_ids)),
            hint = 'Pass one embedding and one text md5 per example id, in the same order.', column = 'embeddings';
    end if;
    if exists (select from unnest(p_embeddings) as u (e) where u.e is null
               or extensions.vector_dims(u.e) <> v_config.dimensions) then
        raise exception using errcode = 'AC001',
            message = format('embeddings: each must have %s dimensions', v_config.dimensions),
            hint = 'Embed with the configured model, shortened to 384 dimensions.', column = 'embeddings';
    end if;
    update aicrm.content_examples e
    set embedding = u.embedding, embedding_model = p_model, embedded_at = now()
    from unnest(p_example_ids, p_text_md5s, p_embeddings) as u (example_id, text_md5, embedding)
    where e.tenant_id = v_tenant and e.example_id = u.example_id
      and md5(aicrm_private.example_embedding_text(e.subject, e.content)) = u.text_md5;
    get diagnostics v_count = row_count;
    return v_count;
end
$$;

grant execute on function aicrm.record_example_embeddings(text, uuid[], text[], extensions.halfvec[]) to aicrm_worker;

-- With the hashing embedder: recompute the next batch of the tenant's pending examples (p_full: of
-- all) after p_after_id here in SQL. Returns how many were embedded and the last id of the batch
-- (null when there was none left), for the next call's p_after_id.
create or replace function aicrm.reembed_examples_hashing(
    p_limit integer default 500,
    p_after_id uuid default null,
    p_full boolean default false
)
returns table (embedded integer, last_example_id uuid)
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_config aicrm.embedding_config;
begin
    select * into v_config from aicrm.embedding_config;
    if v_config.provider <> 'hashing' then
        raise exception using errcode = 'AC001',
            message = format('provider: the %s embedder runs in the runner, not in SQL', v_config.provider),
            hint = 'Run aicrm embeddings reindex, which embeds with the runner.', column = 'provider';
    end if;
    if p_limit is null or p_limit < 1 or p_limit > 10000 then
        raise exception using errcode = 'AC001',
            message = format('limit: %s is not between 1 and 10000', coalesce(p_limit::text, 'null')),
            hint = 'Ask for 1 to 10000 examples per batch.', column = 'limit';
    end if;
    return query
    with batch as (
        select e.example_id
        from aicrm.content_examples e
        where e.tenant_id = v_tenant
          and (p_after_id is null or e.example_id > p_after_id)
          and (coalesce(p_full, false)
               or not aicrm_private.embedding_is_current(e.embedding, e.embedding_model, v_config.model))
        order by e.example_id
        limit p_limit
    ),
    done as (
        update aicrm.content_examples e
        set embedding = aicrm_private.embed_hashing(aicrm_private.example_embedding_text(e.subject, e.content)),
            embedding_model = v_config.model,
            embedded_at = now()
        from batch b
        where e.tenant_id = v_tenant and e.example_id = b.example_id
        returning e.example_id
    )
    select (select count(*)::integer from done),
           (select b.example_id from batch b order by b.example_id desc limit 1);
end
$$;

grant execute on function aicrm.reembed_examples_hashing(integer, uuid, boolean) to aicrm_worker;
