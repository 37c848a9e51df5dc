-- The context's completeness report: which fields of a customer's profile are present, which are
-- missing, which channels' system-owned parts a missing field blocks, how complete the profile is
-- and what a writer lacks to write without inventing (a thin profile). What a field blocks comes
-- from the compliance packs that apply to each channel and their required elements, through the
-- same helpers the compliance check and the assembly of a draft use (applicable_compliance_packs,
-- compliance_profile_gaps: private/quality/check_compliance.sql). Reads only.

create or replace function aicrm.context_completeness(p_customer_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    c_channels constant text[] := '{email,sms,social,blog,web}';
    -- What a writer needs so that it does not invent: their absence makes a profile thin.
    c_writer constant text[] := '{business_description,products_services,unique_selling_points,business_hours,'
        'target_audience,brand_voice}';
    v_tenant uuid := aicrm_private.require_tenant();
    v_c aicrm.customers;
    v_gaps jsonb;
    v_blocks jsonb;
    v_fields jsonb;
begin
    if p_customer_id is null then
        raise exception using errcode = 'AC001', message = 'customer_id: is required',
            hint = 'Pass the id of a customer of this tenant.', column = 'customer_id';
    end if;
    select * into v_c from aicrm.customers c where c.tenant_id = v_tenant and c.customer_id = p_customer_id;
    if not found then
        raise exception using errcode = 'AC002', message = 'customer_id: no such customer',
            hint = 'Pass the id of a customer of this tenant.', column = 'customer_id';
    end if;
    v_gaps := aicrm_private.compliance_profile_gaps(aicrm_private.scoring_profile(p_customer_id),
                                                     coalesce(v_c.website, v_c.phone, v_c.email) is not null);

    -- For each channel, each required element of an applicable pack that the profile cannot supply.
    select coalesce(jsonb_agg(jsonb_build_object(
               'channel', ch.channel, 'part', r.element, 'field', v_gaps ->> r.element, 'pack', r.pack_code,
               'rule', r.rule_code, 'severity', r.severity,
               'message', format('%s: %s (%s) needs %s', ch.channel, replace(r.element, '_', ' '), p.name,
                                 v_gaps ->> r.element))
               order by ch.ord, r.element, r.pack_code), '[]')
    into v_blocks
    from unnest(c_channels) with ordinality as ch (channel, ord)
    cross join lateral unnest(aicrm_private.applicable_compliance_packs(v_tenant, ch.channel, v_c.industry_category)) k
    join aicrm.compliance_rules as r on r.pack_code = k and r.kind = 'required_element'
    join aicrm.compliance_packs as p on p.pack_code = r.pack_code
    where v_gaps ? r.element;

    -- Each field: present or not, its weight in the score, and what its absence blocks (a gap's field
    -- "website, phone or email" is each of the three).
    select jsonb_agg(jsonb_build_object(
               'field', f.field, 'present', f.present, 'weight', f.weight, 'for', f.used_for,
               'blocks', coalesce((select jsonb_agg(b -> 'message') from jsonb_array_elements(v_blocks) b
                                   where not f.present
                                     and f.field = any(string_to_array(replace(b ->> 'field', ' or ', ', '), ', '))),
                                  '[]'))
               order by f.ord)
    into v_fields
    from (values
        (1, 'name', nullif(btrim(v_c.name), '') is not null, 5, 'the sender''s name in every draft'),
        (2, 'address.street', nullif(btrim(v_c.address ->> 'street'), '') is not null, 10,
            'the postal address an email must carry'),
        (3, 'address.city', nullif(btrim(v_c.address ->> 'city'), '') is not null, 5, 'the postal address, local copy'),
        (4, 'address.postal_code', nullif(btrim(v_c.address ->> 'postal_code'), '') is not null, 5,
            'the postal address'),
        (5, 'phone', nullif(btrim(v_c.phone), '') is not null, 5, 'contact details'),
        (6, 'email', nullif(btrim(v_c.email), '') is not null, 5, 'contact details'),
        (7, 'website', nullif(btrim(v_c.website), '') is not null, 5, 'contact details and links'),
        (8, 'business_hours', v_c.business_hours <> '{}', 8, 'opening hours a draft may state'),
        (9, 'products_services', v_c.products_services <> '[]', 12, 'what a draft may offer, by name and price'),
        (10, 'unique_selling_points', cardinality(v_c.unique_selling_points) > 0, 10, 'what a draft may claim'),
        (11, 'brand_voice', v_c.brand_voice <> '{}', 8, 'how a draft sounds'),
        (12, 'business_description', nullif(btrim(v_c.business_description), '') is not null, 12,
            'what the business does, in its own words'),
        (13, 'target_audience', v_c.target_audience <> '{}', 5, 'who a draft speaks to'),
        (14, 'email_from', nullif(btrim(v_c.email_from_address), '') is not null, 5,
            'the sender an email goes out from (aicrm.set_email_sender)')
    ) as f (ord, field, present, weight, used_for);

    return jsonb_build_object(
        'customer_id', p_customer_id,
        'name', v_c.name,
        'score', (select round(100.0 * sum((f ->> 'weight')::integer) filter (where (f ->> 'present')::boolean)
                               / sum((f ->> 'weight')::integer))
                  from jsonb_array_elements(v_fields) f),
        'fields', v_fields,
        'missing', coalesce((select jsonb_agg(f -> 'field') from jsonb_array_elements(v_fields) f
                             where not (f ->> 'present')::boolean), '[]'),
        'blocks', v_blocks,
        -- Thin: at most half of what a writer needs is there; the rest it would have to invent.
        'writer_missing', coalesce((select jsonb_agg(f -> 'field') from jsonb_array_elements(v_fields) f
                                    where not (f ->> 'present')::boolean and f ->> 'field' = any(c_writer)), '[]'),
        'thin', (select count(*) from jsonb_array_elements(v_fields) f
                 where (f ->> 'present')::boolean and f ->> 'field' = any(c_writer)) * 2 <= cardinality(c_writer)
    );
end
$$;

grant execute on function aicrm.context_completeness(uuid) to aicrm_app, aicrm_worker;
