-- The knowledge-base sections of get_customer_context_for_ai: the templates that fit, rendered for
-- the customer with their variants, the industry's generic phrasing, and the examples most similar
-- to what is being written.

-- The active templates for the customer's industry (first) or any industry, narrowed by channel
-- and purpose when given: the best of each purpose first, then the second best, eight at most.
-- Each is rendered with p_values (the context's template_values): `rendered` is the template's
-- own text, `rendered_variants` its first three variants, each with render_template_text's keys,
-- so a writer can choose among them and never send a hole. Variants are rendered for the best
-- template of each channel and purpose only (the one a writer starts from; the others are there
-- to read): rendering costs, and a task naming no purpose gets every purpose's templates.
create or replace function aicrm_private.context_templates(
    p_customer aicrm.customers, p_channel text, p_purpose text, p_values jsonb
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
    return (select coalesce(jsonb_agg(jsonb_build_object(
               'template_id', t.template_id, 'name', t.name, 'version', t.version, 'channel', t.channel,
               'purpose', t.purpose, 'industry', t.industry_category, 'guidelines', t.guidelines,
               'variants', (select coalesce(jsonb_agg(v ->> 'key'), '[]') from jsonb_array_elements(t.variants) v),
               'rendered', aicrm_private.render_template_text(t.subject, t.body, p_values),
               'rendered_variants', (
                   select coalesce(jsonb_agg(jsonb_build_object('variant', v.item ->> 'key', 'weight', v.item -> 'weight')
                                             || aicrm_private.render_template_text(coalesce(v.item ->> 'subject', t.subject),
                                                                                   coalesce(v.item ->> 'body', t.body), p_values)
                                             order by v.ord), '[]')
                   from jsonb_array_elements(t.variants) with ordinality as v (item, ord)
                   where v.ord <= 3 and t.nth = 1))
               order by t.rank, t.name), '[]')
    from (
        select t.*
        from (
            select t.*, row_number() over (partition by t.channel, t.purpose order by t.rank, t.name) as nth
            from (
                select t.*, case when t.industry_category = p_customer.industry_category then 0 else 1 end as rank
                from aicrm.content_templates t
                where t.tenant_id = p_customer.tenant_id and t.active
                  and (t.industry_category is null or t.industry_category = p_customer.industry_category)
                  and (p_channel is null or t.channel = p_channel)
                  and (p_purpose is null or t.purpose = p_purpose)
            ) t
        ) t
        order by t.nth, t.rank, t.name
        limit 8
    ) t);
end
$$;

grant execute on function aicrm_private.context_templates(aicrm.customers, text, text, jsonb)
to aicrm_app, aicrm_worker, aicrm_readonly;

-- The industry's generic phrasing, for a writer with little to say: sentences of the active
-- templates for the customer's industry (first) or any industry, of every purpose and of the
-- channel asked for (of every channel when that one has no template, as blog posts have none;
-- their first three variants too), that name nothing but the business, its city and its industry
-- (no other placeholder, no merge tag, link, address, number or greeting), 4 to 30 words, rendered
-- with p_values; a sentence whose city is unknown is left out. At most six a purpose (p_purpose's
-- first when given), each once: [{text, purpose, channel}].
create or replace function aicrm_private.context_phrasing(
    p_customer aicrm.customers, p_channel text, p_purpose text, p_values jsonb
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
    -- plpgsql for its plan cache: as a sql function the query was planned again on every call.
    return (
    with templates as (
        select t.*, case when t.industry_category = p_customer.industry_category then 0 else 1 end as rank
        from aicrm.content_templates t
        where t.tenant_id = p_customer.tenant_id and t.active
          and (t.industry_category is null or t.industry_category = p_customer.industry_category)
    ),
    texts as (
        select t.purpose, t.channel, t.name, 0 as variant, t.body as text, t.rank
        from templates t
        union all
        select t.purpose, t.channel, t.name, v.ord::integer, v.item ->> 'body', t.rank
        from templates t
        cross join lateral jsonb_array_elements(t.variants) with ordinality as v (item, ord)
        where v.ord <= 3 and v.item ->> 'body' is not null
    ),
    candidates as (
        select x.purpose, x.channel, s.sentence, row_number() over (order by x.rank, x.name, x.variant, s.n) as ord
        from texts x
        cross join lateral unnest(string_to_array(regexp_replace(x.text, '([.!?])[ \t]+|\s*\n\s*', '\1' || chr(30), 'g'), chr(30)))
            with ordinality as s (sentence, n)
        where (p_channel is null or x.channel = p_channel or not exists (select from templates t where t.channel = p_channel))
          and s.sentence ~ '[.!?]$'
          and s.sentence !~ '[0-9@]|https?:|www\.|\{\{\s*(?!(business_name|city|industry)\s*\}\})|^(Hi|Hello|Dear|Hey)\y[^.!?]*,|^\{\{\s*business_name\s*\}\}:'
          and lower(s.sentence) !~ 'unsubscribe|receiving this|reply stop'
          and cardinality(string_to_array(s.sentence, ' ')) between 4 and 30
    ),
    -- Filled in one pass (a value containing "{{city}}" stays literal): each placeholder becomes a
    -- control character first, then its value; a sentence naming a city the customer lacks is left out.
    filled as (
        select c.purpose, c.channel, c.ord,
               replace(replace(replace(c.marked, chr(1), v.name), chr(2), coalesce(v.city, '')), chr(3), coalesce(v.industry, '')) as sentence
        from (
            select c.*, regexp_replace(regexp_replace(regexp_replace(translate(c.sentence, chr(1) || chr(2) || chr(3), ''),
                       '\{\{\s*business_name\s*\}\}', chr(1), 'g'), '\{\{\s*city\s*\}\}', chr(2), 'g'),
                       '\{\{\s*industry\s*\}\}', chr(3), 'g') as marked
            from candidates c
        ) c
        cross join (
            select translate(coalesce(p_values ->> 'business_name', ''), chr(1) || chr(2) || chr(3), '') as name,
                   nullif(btrim(translate(p_values ->> 'city', chr(1) || chr(2) || chr(3), '')), '') as city,
                   nullif(btrim(translate(p_values ->> 'industry', chr(1) || chr(2) || chr(3), '')), '') as industry
        ) v
        where (v.city is not null or strpos(c.marked, chr(2)) = 0)
          and (v.industry is not null or strpos(c.marked, chr(3)) = 0)
    ),
    chosen as (
        select f.purpose, f.channel, f.sentence, f.ord, row_number() over (partition by f.sentence order by f.ord) as seen
        from filled f
    ),
    ranked as (
        select c.*, row_number() over (partition by c.purpose order by c.ord) as nth
        from chosen c
        where c.seen = 1
    )
    select coalesce(jsonb_agg(jsonb_build_object('text', r.sentence, 'purpose', r.purpose, 'channel', r.channel)
                              order by r.purpose is distinct from p_purpose, r.ord), '[]')
    from ranked r
    where r.nth <= 6
    );
end
$$;

grant execute on function aicrm_private.context_phrasing(aicrm.customers, text, text, jsonb)
to aicrm_app, aicrm_worker, aicrm_readonly;

-- The three positive and two negative examples most similar to the query (the customer's own and
-- the tenant-wide ones of its industry or any), with their annotations. With a runner embedder the
-- query cannot be embedded in SQL, so the most effective examples are given instead.
create or replace function aicrm_private.context_examples(
    p_customer aicrm.customers, p_channel text, p_purpose text, p_query text
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_result jsonb := '{}';
    v_polarity text;
    v_filters jsonb;
    v_items jsonb;
    v_similar boolean := (select c.provider = 'hashing' from aicrm.embedding_config c)
        and coalesce(p_query, '') ~ '[[:alnum:]]';
begin
    foreach v_polarity in array array['positive', 'negative'] loop
        v_filters := jsonb_strip_nulls(jsonb_build_object('polarity', v_polarity, 'channel', p_channel,
            'purpose', p_purpose, 'industry', p_customer.industry_category, 'customer_id', p_customer.customer_id));
        if v_similar then
            select coalesce(jsonb_agg(jsonb_build_object(
                       'example_id', s.example_id, 'customer_id', s.customer_id, 'channel', s.channel,
                       'purpose', s.purpose, 'subject', s.subject,
                       'content', s.content, 'annotations', s.annotations, 'effectiveness', s.effectiveness,
                       'source', s.source, 'similarity', round(s.similarity::numeric, 3)) order by s.similarity desc), '[]')
            into v_items
            from aicrm.find_similar_content(p_query, case when v_polarity = 'positive' then 3 else 2 end, v_filters) s;
        else
            select coalesce(jsonb_agg(jsonb_build_object(
                       'example_id', e.example_id, 'customer_id', e.customer_id, 'channel', e.channel,
                       'purpose', e.purpose, 'subject', e.subject,
                       'content', e.content, 'annotations', e.annotations, 'effectiveness', e.effectiveness,
                       'source', e.source) order by e.effectiveness desc nulls last, e.example_id), '[]')
            into v_items
            from (
                select e.* from aicrm.content_examples e
                where e.tenant_id = p_customer.tenant_id and e.polarity = v_polarity
                  and (p_channel is null or e.channel = p_channel)
                  and (p_purpose is null or e.purpose = p_purpose)
                  and (e.industry_category is null or e.industry_category = p_customer.industry_category)
                  and (e.customer_id is null or e.customer_id = p_customer.customer_id)
                order by e.effectiveness desc nulls last, e.example_id
                limit case when v_polarity = 'positive' then 3 else 2 end
            ) e;
        end if;
        v_result := v_result || jsonb_build_object(v_polarity, v_items);
    end loop;
    return v_result;
end
$$;

grant execute on function aicrm_private.context_examples(aicrm.customers, text, text, text)
to aicrm_app, aicrm_worker, aicrm_readonly;
