-- The embedder, deployment-wide (docs/embeddings.md): set_embedding_config.

-- Choose the embedder, deployment-wide: the owner's alone (it owns embedding_config; no grant).
-- A provider without a model takes that provider's default model. Embeddings of another model are
-- not searched until `aicrm embeddings reindex` has re-embedded them.
create or replace function aicrm.set_embedding_config(p_provider text default null, p_model text default null)
returns table (provider text, model text, dimensions integer, previous_provider text, previous_model text)
language plpgsql
set search_path = ''
as $$
declare
    v_old aicrm.embedding_config;
    v_provider text;
    v_model text;
begin
    select * into v_old from aicrm.embedding_config c where c.singleton for update;
    v_provider := coalesce(nullif(btrim(p_provider), ''), v_old.provider);
    if v_provider not in ('hashing', 'openai', 'minilm') then
        raise exception using errcode = 'AC001', message = format('provider: %L is not an embedder', v_provider),
            hint = 'Use hashing (offline, in SQL), openai (any OpenAI-compatible endpoint) or minilm (local model).',
            column = 'provider';
    end if;
    v_model := coalesce(
        nullif(btrim(p_model), ''),
        case
            when v_provider = v_old.provider then v_old.model
            when v_provider = 'hashing' then 'aicrm-hashing-v1'
            when v_provider = 'openai' then 'text-embedding-3-small'
            else 'all-MiniLM-L6-v2'
        end
    );
    if char_length(v_model) > 200 then
        raise exception using errcode = 'AC001', message = 'model: longer than 200 characters',
            hint = 'Name the model as the provider does, e.g. text-embedding-3-small.', column = 'model';
    end if;
    update aicrm.embedding_config c
    set provider = v_provider, model = v_model, updated_at = now()
    where c.singleton and (c.provider, c.model) is distinct from (v_provider, v_model);
    return query select v_provider, v_model, v_old.dimensions, v_old.provider, v_old.model;
end
$$;
