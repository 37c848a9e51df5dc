-- Re-embedding (knowledge/reembed.sql) of the deployment-wide library's examples.

-- A library example is current when embedded by the configured model from its present text
-- (embedding_text_md5): the library's one rule for "pending", used by count, list and recompute.
create or replace function aicrm_private.library_example_is_current(
    p_example aicrm.library_examples, p_model text
)
returns boolean
language sql
stable
parallel safe
as $$
    select aicrm_private.embedding_is_current(p_example.embedding, p_example.embedding_model, p_model)
        and p_example.embedding_text_md5 is not distinct from
            md5(aicrm_private.example_embedding_text(p_example.subject, p_example.content))
$$;

-- The deployment-wide library's embeddings, copied into every new tenant with its examples: filled
-- once per model instead of once per tenant. Pending also when the text changed since it was
-- embedded (embedding_text_md5). The owner's alone (it owns the library; no grant).
create or replace function aicrm_private.count_library_examples_to_embed(p_full boolean default false)
returns bigint
language sql
stable
set search_path = ''
as $$
    select count(*)
    from aicrm.library_examples l
    cross join aicrm.embedding_config c
    where coalesce(p_full, false) or not aicrm_private.library_example_is_current(l, c.model)
$$;

create or replace function aicrm_private.list_library_examples_to_embed(
    p_limit integer default 64,
    p_after_key text default null,
    p_full boolean default false
)
returns table (library_key text, embedding_text text, text_md5 text)
language sql
stable
set search_path = ''
as $$
    select l.library_key, left(t.body, 8000), md5(t.body)
    from aicrm.library_examples l
    cross join aicrm.embedding_config c
    cross join lateral (select aicrm_private.example_embedding_text(l.subject, l.content)) as t (body)
    where (p_after_key is null or l.library_key > p_after_key)
      and (coalesce(p_full, false) or not aicrm_private.library_example_is_current(l, c.model))
    order by l.library_key
    limit greatest(1, least(coalesce(p_limit, 64), 2048))
$$;

create or replace function aicrm_private.record_library_example_embeddings(
    p_model text,
    p_library_keys text[],
    p_text_md5s text[],
    p_embeddings extensions.halfvec[]
)
returns integer
language plpgsql
set search_path = ''
as $$
declare
    v_config aicrm.embedding_config;
    v_count integer;
begin
    select * into v_config from aicrm.embedding_config;
    if v_config.provider = 'hashing' or p_model is distinct from v_config.model then
        raise exception using errcode = 'AC005',
            message = format('model: embeddings of %s, but the configured embedder is %s %s',
                             coalesce(p_model, 'null'), v_config.provider, v_config.model),
            hint = 'The configuration changed while embedding: run aicrm embeddings reindex again.',
            column = 'model';
    end if;
    if exists (select from unnest(p_embeddings) as u (e) where u.e is null
               or extensions.vector_dims(u.e) <> v_config.dimensions) then
        raise exception using errcode = 'AC001',
            message = format('embeddings: each must have %s dimensions', v_config.dimensions),
            hint = 'Embed with the configured model, shortened to 384 dimensions.', column = 'embeddings';
    end if;
    update aicrm.library_examples l
    set embedding = u.embedding, embedding_model = p_model, embedding_text_md5 = u.text_md5
    from unnest(p_library_keys, p_text_md5s, p_embeddings) as u (library_key, text_md5, embedding)
    where l.library_key = u.library_key
      and md5(aicrm_private.example_embedding_text(l.subject, l.content)) = u.text_md5;
    get diagnostics v_count = row_count;
    return v_count;
end
$$;

-- With the hashing embedder: recompute the library's pending embeddings (p_full: all) in SQL; `aicrm
-- seed` and `aicrm embeddings reindex --all-tenants` call it. Returns how many were embedded.
create or replace function aicrm_private.reembed_library_hashing(p_full boolean default false)
returns integer
language plpgsql
set search_path = ''
as $$
declare
    v_count integer;
begin
    update aicrm.library_examples l
    set embedding = aicrm_private.embed_hashing(aicrm_private.example_embedding_text(l.subject, l.content)),
        embedding_model = c.model,
        embedding_text_md5 = md5(aicrm_private.example_embedding_text(l.subject, l.content))
    from aicrm.embedding_config as c
    where c.provider = 'hashing'
      and (coalesce(p_full, false) or not aicrm_private.library_example_is_current(l, c.model));
    get diagnostics v_count = row_count;
    return v_count;
end
$$;
