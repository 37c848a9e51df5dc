-- Content templates: the placeholder values of a customer's business context.

-- A list in words: "a", "a and b", "a, b and c".
create or replace function aicrm_private.words_list(p_items text[])
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select case
        when cardinality(x.items) = 0 then null
        when cardinality(x.items) = 1 then x.items[1]
        else array_to_string(x.items[1:cardinality(x.items) - 1], ', ') || ' and ' || x.items[cardinality(x.items)]
    end
    from (select coalesce(array_remove(array_remove(p_items, null), ''), '{}') as items) x
$$;

grant execute on function aicrm_private.words_list(text[]) to aicrm_app, aicrm_worker, aicrm_readonly;

-- Weekly opening hours in words, consecutive days with the same hours joined: "Mon-Fri 07:00-18:00,
-- Sat 08:00-14:00, Sun closed".
create or replace function aicrm_private.hours_in_words(p_business_hours jsonb)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    c_days constant text[] := '{mon,tue,wed,thu,fri,sat,sun}';
    c_names constant text[] := '{Mon,Tue,Wed,Thu,Fri,Sat,Sun}';
    v_weekly jsonb := p_business_hours -> 'weekly';
    v_parts text[] := '{}';
    v_hours text;
    v_prev text;
    v_start integer;
    v_i integer;
begin
    if jsonb_typeof(v_weekly) is distinct from 'object' or v_weekly = '{}' then
        return null;
    end if;
    for v_i in 1 .. 8 loop
        v_hours := case when v_i > 7 then null
            when not v_weekly ? c_days[v_i] then 'hours not set'
            when jsonb_array_length(v_weekly -> c_days[v_i]) = 0 then 'closed'
            else (select string_agg((h ->> 'open') || '-' || (h ->> 'close'), ', ' order by h ->> 'open')
                  from jsonb_array_elements(v_weekly -> c_days[v_i]) h) end;
        if v_i > 1 and v_hours is distinct from v_prev then
            if v_prev <> 'hours not set' then
                v_parts := v_parts || (c_names[v_start]
                    || case when v_i - 1 > v_start then '-' || c_names[v_i - 1] else '' end || ' ' || v_prev);
            end if;
            v_start := v_i;
        elsif v_i = 1 then
            v_start := 1;
        end if;
        v_prev := v_hours;
    end loop;
    return nullif(array_to_string(v_parts, ', '), '');
end
$$;

grant execute on function aicrm_private.hours_in_words(jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;

-- The placeholder values of a business context document (customer_context_document's shape, or
-- a snapshot of it in customer_context_versions), null where the context has no value. The one
-- definition of every value: render_template fills them, get_customer_context_for_ai hands them
-- to writers as template_values.
create or replace function aicrm_private.template_values_of(p_context jsonb)
returns jsonb
language sql
stable
set search_path = ''
as $$
    select jsonb_build_object(
        'business_name', p_context ->> 'name',
        'industry', (select i.display_name from aicrm.industries i
                     where i.industry_category = p_context #>> '{industry,category}'),
        'business_description', nullif(btrim(x.business ->> 'description'), ''),
        'unique_selling_point', x.usps[1],
        'unique_selling_points', aicrm_private.words_list(x.usps),
        'featured_product', coalesce(
            (select p ->> 'name' from jsonb_array_elements(x.products) with ordinality as y (p, ord)
             where (p ->> 'featured')::boolean order by y.ord limit 1),
            x.products #>> '{0,name}'),
        'products_services', aicrm_private.words_list(array(
            select p ->> 'name' from jsonb_array_elements(x.products) with ordinality as y (p, ord)
            order by y.ord limit 5)),
        'target_audience', nullif(btrim(x.business #>> '{target_audience,summary}'), ''),
        'phone', nullif(btrim(x.business ->> 'phone'), ''),
        'email', nullif(btrim(x.business ->> 'email'), ''),
        'website', nullif(btrim(x.business ->> 'website'), ''),
        'address', nullif(concat_ws(', ', nullif(btrim(x.address ->> 'street'), ''), nullif(btrim(x.address ->> 'city'), ''),
            nullif(btrim(concat_ws(' ', x.address ->> 'region', x.address ->> 'postal_code')), '')), ''),
        'city', nullif(btrim(x.address ->> 'city'), ''),
        'business_hours', aicrm_private.hours_in_words(x.business -> 'business_hours'),
        'cta', coalesce(nullif(btrim(x.prefs ->> 'default_cta'), ''), 'Get in touch today'),
        'cta_url', coalesce(nullif(btrim(x.prefs ->> 'cta_url'), ''), nullif(btrim(x.business ->> 'website'), '')),
        'signature', coalesce(nullif(btrim(x.prefs ->> 'signature'), ''), 'The ' || (p_context ->> 'name') || ' team'),
        'hashtags', (select nullif(string_agg(h, ' ' order by y.ord), '')
                     from jsonb_array_elements_text(case when jsonb_typeof(x.prefs -> 'hashtags') = 'array'
                                                         then x.prefs -> 'hashtags' else '[]' end)
                         with ordinality as y (h, ord)),
        'brand_phrase', p_context #>> '{brand_voice,phrases_to_use,0}'
    )
    from (
        select b as business, coalesce(b -> 'address', '{}') as address, coalesce(p_context -> 'content_preferences', '{}') as prefs,
               case when jsonb_typeof(b -> 'products_services') = 'array' then b -> 'products_services' else '[]' end as products,
               array(select u from jsonb_array_elements_text(case when jsonb_typeof(b -> 'unique_selling_points') = 'array'
                                                                  then b -> 'unique_selling_points' else '[]' end)
                         with ordinality as y (u, ord) order by y.ord) as usps
        from (select coalesce(p_context -> 'business', '{}') as b) b
    ) x
$$;

grant execute on function aicrm_private.template_values_of(jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;

-- The placeholder values for one customer as it is now (null when there is no such customer in
-- the tenant).
create or replace function aicrm_private.template_values(p_customer_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
    select aicrm_private.template_values_of(aicrm_private.customer_context_document(c))
    from aicrm.customers c
    where c.tenant_id = aicrm_private.require_tenant() and c.customer_id = p_customer_id
$$;

grant execute on function aicrm_private.template_values(uuid) to aicrm_app, aicrm_worker, aicrm_readonly;
