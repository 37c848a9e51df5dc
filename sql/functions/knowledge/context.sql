-- The knowledge-base sections of get_customer_context_for_ai: the templates that fit, rendered for
-- the customer, and the examples most similar to what is being written.

-- Up to five active templates for the customer's industry (first) or any industry, narrowed by
-- channel and purpose when given, each rendered for the customer.
create or replace function aicrm_private.context_templates(p_customer aicrm.customers, p_channel text, p_purpose text)
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
               'rendered', (select jsonb_build_object('subject', r ->> 'subject', 'body', r ->> 'body', 'missing', r -> 'missing')
                            from aicrm.render_template(t.template_id, p_customer.customer_id) r))
               order by t.rank, t.name), '[]')
    from (
        select t.*, case when t.industry_category = p_customer.industry_category then 0 else 1 end as rank
        from aicrm.content_templates t
        where t.tenant_id = p_customer.tenant_id and t.active
          and (t.industry_category is null or t.industry_category = p_customer.industry_category)
          and (p_channel is null or t.channel = p_channel)
          and (p_purpose is null or t.purpose = p_purpose)
        order by rank, t.name
        limit 5
    ) t);
end
$$;

grant execute on function aicrm_private.context_templates(aicrm.customers, text, text) to aicrm_app, aicrm_worker, aicrm_readonly;

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
