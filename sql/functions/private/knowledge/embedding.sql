-- Embeddings of content examples. The offline default, `hashing`, is computed here in SQL, so a row
-- inserted by any SQL client is searchable at once and the query side (find_similar_content) uses
-- the very same function: lexical feature hashing of words (weight 1), word bigrams (0.7) and
-- character trigrams of words (0.4), each TF-weighted (1 + ln tf) with a hashed sign, folded into
-- 384 dimensions and L2-normalised. It finds texts that share words and word parts; it knows no
-- synonyms (the openai and minilm providers do, computed by the runner).

create or replace function aicrm_private.embed_hashing(p_text text)
returns extensions.halfvec
language sql
immutable
parallel safe
set search_path = ''
as $$
    with words as (
        -- The first 20,000 characters: an example's opening says what it is about.
        select w.word, w.ord
        from regexp_split_to_table(lower(left(coalesce(p_text, ''), 20000)), '[^[:alnum:]]+') with ordinality as w (word, ord)
        where w.word <> ''
    ),
    features as (
        select 'w:' || d.word as feature, 1.0 as weight from words d
        union all
        select 'b:' || b.word || ' ' || b.next_word, 0.7
        from (select d.word, lead(d.word) over (order by d.ord) as next_word from words d) b
        where b.next_word is not null
        union all
        select 'c:' || substr(' ' || d.word || ' ', i.pos, 3), 0.4
        from words d cross join lateral generate_series(1, char_length(d.word)) as i (pos)
    ),
    hashed as (
        select pg_catalog.hashtextextended(f.feature, 7) as h, f.weight * (1 + ln(count(*))) as w
        from features f
        group by f.feature, f.weight
    ),
    buckets as (
        select (h.h & 2147483647) % 384 as dim,
               sum(case when (h.h >> 40) & 1 = 0 then h.w else -h.w end) as value
        from hashed h
        group by 1
    ),
    norm as (
        select sqrt(sum(b.value * b.value)) as n from buckets b
    )
    select case when n.n > 0 then (
        select array_agg(coalesce(b.value / n.n, 0)::real order by d.dim)::extensions.halfvec(384)
        from generate_series(0, 383) as d (dim)
        left join buckets b on b.dim = d.dim
    ) end
    from norm n
$$;

grant execute on function aicrm_private.embed_hashing(text) to aicrm_app, aicrm_worker, aicrm_readonly;

-- What an example's embedding is computed from: its subject and its content.
create or replace function aicrm_private.example_embedding_text(p_subject text, p_content text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select concat_ws(E'\n', nullif(btrim(p_subject), ''), p_content)
$$;

grant execute on function aicrm_private.example_embedding_text(text, text) to aicrm_app, aicrm_worker, aicrm_readonly;

-- The one rule for "this embedding is the configured model's": everything else is pending.
create or replace function aicrm_private.embedding_is_current(
    p_embedding extensions.halfvec,
    p_embedding_model text,
    p_model text
)
returns boolean
language sql
immutable
parallel safe
set search_path = ''
as $$
    select p_embedding is not null and p_embedding_model is not distinct from p_model
$$;

grant execute on function aicrm_private.embedding_is_current(extensions.halfvec, text, text)
to aicrm_app, aicrm_worker, aicrm_readonly;

-- BEFORE INSERT/UPDATE on content_examples: with the hashing embedder the embedding is computed
-- here; with a runner embedder (openai, minilm) a new or changed text leaves the embedding empty for
-- the worker to fill. An embedding supplied with the current model's name is kept (the library's
-- are copied, not recomputed, into every new tenant).
create or replace function aicrm_private.tg_content_examples__embed()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    v_config aicrm.embedding_config;
    v_changed boolean := tg_op = 'INSERT'
        or (new.subject, new.content) is distinct from (old.subject, old.content);
begin
    select * into v_config from aicrm.embedding_config;
    if v_changed and new.embedding is not null and new.embedding_model = v_config.model
       and (tg_op = 'INSERT' or new.embedding::text is distinct from old.embedding::text) then
        return new;  -- supplied with the text, by the current model
    end if;
    if v_changed or new.embedding_model is distinct from v_config.model then
        if v_config.provider = 'hashing' then
            new.embedding := aicrm_private.embed_hashing(aicrm_private.example_embedding_text(new.subject, new.content));
            new.embedding_model := v_config.model;
            new.embedded_at := now();
        elsif v_changed then
            new.embedding := null;
            new.embedding_model := null;
            new.embedded_at := null;
        end if;
    end if;
    return new;
end
$$;
