-- The customer's scoring profile (aicrm.customer_scoring_profiles, migration 0011): what the
-- scorecard derives from a customer, derived when the customer or its contacts change.

-- Derives the profile of a customer of p_tenant from its row and its contacts (null: no such
-- customer). The same derivations the scorecard made for every draft before the profile existed.
create or replace function aicrm_private.compute_scoring_profile(p_tenant uuid, p_customer_id uuid)
returns aicrm.customer_scoring_profiles
language plpgsql
stable
set search_path = ''
as $$
declare
    -- Words too common to say a draft is about this business.
    c_stop constant text[] := '{that,this,with,from,your,have,will,been,were,they,them,their,what,when,where,which,'
        'while,into,over,also,just,more,most,some,such,than,then,very,only,each,other,about,after,before,every,'
        'our,ours,here,there,these,those,would,could,should,make,made,like,well,best,good,great,first,offer,offers,'
        'services,service,business,customers,customer,clients,client,people,local,area,years,year}';
    v_c aicrm.customers;
    v_p aicrm.customer_scoring_profiles;
begin
    select * into v_c from aicrm.customers c where c.tenant_id = p_tenant and c.customer_id = p_customer_id;
    if not found then
        return null;
    end if;
    v_p.tenant_id := p_tenant;
    v_p.customer_id := p_customer_id;
    v_p.name_keys := array(
        select distinct k.key from unnest(aicrm_private.name_forms(v_c.name)) f
        cross join lateral (select aicrm_private.phrase_key(f) as key) k where k.key <> '');
    v_p.street_key := nullif(aicrm_private.phrase_key(v_c.address ->> 'street'), '');
    v_p.website_host := nullif(rtrim(regexp_replace(lower(btrim(v_c.website)), '^https?://(www\.)?', ''), '/'), '');
    select coalesce(array_agg(btrim(e ->> 'name') order by o), '{}') into v_p.competitor_names
    from jsonb_array_elements(v_c.competitors) with ordinality x (e, o)
    where nullif(btrim(e ->> 'name'), '') is not null;
    v_p.competitor_keys := array(
        select distinct k.key from unnest(v_p.competitor_names) n
        cross join lateral unnest(aicrm_private.name_forms(n)) f
        cross join lateral (select aicrm_private.phrase_key(f) as key) k where k.key <> '');
    -- A contact's personal data; the business's own public details are contact info, not that.
    select coalesce(array_agg(distinct lower(btrim(cc.email))) filter (where btrim(cc.email) <> ''), '{}'),
           coalesce(array_agg(distinct d.digits) filter (where length(d.digits) >= 7), '{}')
    into v_p.contact_emails, v_p.contact_phones
    from aicrm.customer_contacts cc
    cross join lateral (select regexp_replace(cc.phone, '\D+', '', 'g') as digits) d
    where cc.tenant_id = p_tenant and cc.customer_id = p_customer_id;
    v_p.contact_emails := array_remove(v_p.contact_emails, lower(btrim(v_c.email)));
    v_p.contact_phones := array_remove(v_p.contact_phones, regexp_replace(v_c.phone, '\D+', '', 'g'));
    -- Relevance: the words of its description, selling points and products, as a draft's words
    -- are reduced ("baker's" is "bakers" in both).
    select coalesce(array_agg(distinct w), '{}') into v_p.relevance_keywords
    from string_to_table(aicrm_private.phrase_key(concat_ws(' ', v_c.business_description,
            array_to_string(v_c.unique_selling_points, ' '),
            (select string_agg(x ->> 'name', ' ') from jsonb_array_elements(v_c.products_services) x))), ' ') w
    where char_length(w) >= 4 and w <> all (c_stop);
    v_p.product_keys := array(
        select k.key from jsonb_array_elements(v_c.products_services) x
        cross join lateral (select aicrm_private.phrase_key(x ->> 'name') as key) k where k.key <> '');
    select coalesce(array_agg(p order by o), '{}'), coalesce(array_agg(aicrm_private.phrase_key(p) order by o), '{}')
    into v_p.use_phrases, v_p.use_keys
    from jsonb_array_elements_text(coalesce(v_c.brand_voice -> 'phrases_to_use', '[]')) with ordinality x (p, o)
    where aicrm_private.phrase_key(p) <> '';
    select coalesce(array_agg(p order by o), '{}'), coalesce(array_agg(aicrm_private.phrase_key(p) order by o), '{}')
    into v_p.avoid_phrases, v_p.avoid_keys
    from jsonb_array_elements_text(coalesce(v_c.brand_voice -> 'phrases_to_avoid', '[]')) with ordinality x (p, o)
    where aicrm_private.phrase_key(p) <> '';
    -- Similarity to its positive examples: the words that recur across them (in two examples, or
    -- twice in one when it has one), most shared first, at most 40; not the words of its
    -- description, which relevance already counts.
    select coalesce(array_agg(w.word order by w.examples desc, w.uses desc, w.word), '{}') into v_p.example_keywords
    from (
        select t.word, count(distinct e.example_id) as examples, count(*) as uses
        from aicrm.content_examples e
        cross join lateral string_to_table(aicrm_private.phrase_key(concat_ws(' ', e.subject, e.content)), ' ') t (word)
        where e.tenant_id = p_tenant and e.customer_id = p_customer_id and e.polarity = 'positive'
          and char_length(t.word) >= 4 and t.word <> all (c_stop) and t.word <> all (v_p.relevance_keywords)
        group by t.word
        having count(distinct e.example_id) >= 2
            or (count(*) >= 2 and (select count(*) from aicrm.content_examples x
                                   where x.tenant_id = p_tenant and x.customer_id = p_customer_id
                                     and x.polarity = 'positive') = 1)
        order by count(distinct e.example_id) desc, count(*) desc, t.word
        limit 40
    ) w;
    v_p.accuracy_grounding := aicrm_private.accuracy_grounding(to_jsonb(v_c) - 'tenant_id')
        || jsonb_build_object('examples', aicrm_private.accuracy_example_claims(p_tenant, p_customer_id));
    v_p.refreshed_at := now();
    return v_p;
end
$$;

grant execute on function aicrm_private.compute_scoring_profile(uuid, uuid) to aicrm_app, aicrm_worker;

-- The stored profile of a customer of the caller's tenant, or derived now when there is none.
create or replace function aicrm_private.scoring_profile(p_customer_id uuid)
returns aicrm.customer_scoring_profiles
language plpgsql
stable
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
declare
    v_p aicrm.customer_scoring_profiles;
begin
    select * into v_p from aicrm.customer_scoring_profiles p
    where p.tenant_id = aicrm_private.current_tenant_id() and p.customer_id = p_customer_id;
    if found then
        return v_p;
    end if;
    return aicrm_private.compute_scoring_profile(aicrm_private.current_tenant_id(), p_customer_id);
end
$$;

grant execute on function aicrm_private.scoring_profile(uuid) to aicrm_app, aicrm_worker;

-- The trigger on customers, customer_contacts and content_examples (a customer's own): derives the
-- customer's profile again. SECURITY
-- DEFINER: no role writes profiles; row-level security still limits it to the row's tenant.
create or replace function aicrm_private.tg_refresh_scoring_profile()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_row record := case when tg_op = 'DELETE' then old else new end;
    v_p aicrm.customer_scoring_profiles;
begin
    if v_row.customer_id is null then
        return null;  -- a library example (no customer)
    end if;
    if tg_table_name = 'content_examples' and tg_op = 'UPDATE' then
        -- (Nested: the row's fields exist only for this table.)
        if (old.subject, old.content, old.polarity, old.customer_id)
           is not distinct from (new.subject, new.content, new.polarity, new.customer_id) then
            return null;  -- an embedding written, an annotation: nothing the profile reads
        end if;
    end if;
    if tg_table_name in ('customer_contacts', 'content_examples') and tg_op = 'UPDATE'
       and old.customer_id is not null and (old.customer_id is distinct from new.customer_id) then
        v_p := aicrm_private.compute_scoring_profile(old.tenant_id, old.customer_id);
        if v_p.customer_id is not null then
            insert into aicrm.customer_scoring_profiles values (v_p.*)
            on conflict (tenant_id, customer_id) do update set
                contact_emails = excluded.contact_emails, contact_phones = excluded.contact_phones,
                example_keywords = excluded.example_keywords, accuracy_grounding = excluded.accuracy_grounding,
                refreshed_at = excluded.refreshed_at;
        end if;
    end if;
    v_p := aicrm_private.compute_scoring_profile(v_row.tenant_id, v_row.customer_id);
    if v_p.customer_id is null then
        return null;  -- the customer is gone (a cascade): its profile goes with it
    end if;
    insert into aicrm.customer_scoring_profiles values (v_p.*)
    on conflict (tenant_id, customer_id) do update set
        name_keys = excluded.name_keys, street_key = excluded.street_key, website_host = excluded.website_host,
        competitor_names = excluded.competitor_names, competitor_keys = excluded.competitor_keys,
        contact_emails = excluded.contact_emails, contact_phones = excluded.contact_phones,
        relevance_keywords = excluded.relevance_keywords, product_keys = excluded.product_keys,
        use_phrases = excluded.use_phrases, use_keys = excluded.use_keys,
        avoid_phrases = excluded.avoid_phrases, avoid_keys = excluded.avoid_keys,
        example_keywords = excluded.example_keywords, accuracy_grounding = excluded.accuracy_grounding,
        refreshed_at = excluded.refreshed_at;
    return null;
end
$$;
