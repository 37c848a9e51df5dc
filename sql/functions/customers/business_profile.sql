-- A customer's business context: create or update a profile, set brand voice and preferences.
-- Validation happens in the row trigger (schema "row.customers"), so direct table writes from
-- any SQL client get the same checks; these functions add the API shape and not-found errors
-- (aicrm_private.find_customer, private/customers/find_customer.sql).

-- Creates the customer (no id, or an external_id not seen before) or updates the fields present
-- in p_profile (others keep their value). Returns {customer_id, context_version, created, changed}.
create or replace function aicrm.upsert_business_profile(p_profile jsonb, p_customer_id uuid default null)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_old aicrm.customers;
    v_new aicrm.customers;
    v_created boolean := false;
    v_changed boolean := false;
begin
    perform aicrm_private.assert_json_valid('api.business_profile', p_profile);

    if p_customer_id is not null then
        v_old := aicrm_private.find_customer(p_customer_id);
    elsif p_profile ? 'external_id' then
        select * into v_old from aicrm.customers c
        where c.tenant_id = v_tenant and c.external_id = p_profile ->> 'external_id';
    end if;

    if v_old.customer_id is null then
        if not p_profile ? 'name' or not p_profile ? 'industry_category' then
            raise exception using errcode = 'AC001',
                message = format('%s: is required to create a customer',
                    case when p_profile ? 'name' then 'industry_category' else 'name' end),
                hint = 'A new customer needs at least name and industry_category; pass p_customer_id to update one.',
                column = case when p_profile ? 'name' then 'industry_category' else 'name' end;
        end if;
        v_new := jsonb_populate_record(null::aicrm.customers, aicrm_private.insert_row_from_json(
            'aicrm.customers', p_profile || jsonb_build_object('tenant_id', v_tenant)));
        v_created := true;
    else
        -- Overlay the given fields on the current row (jsonb_populate_record keeps absent fields).
        v_new := jsonb_populate_record(v_old, p_profile);
        v_changed := v_new is distinct from v_old;
        if v_changed then
            update aicrm.customers c set
                external_id = v_new.external_id, name = v_new.name, status = v_new.status,
                industry_category = v_new.industry_category, industry_subcategory = v_new.industry_subcategory,
                website = v_new.website, email = v_new.email, phone = v_new.phone, address = v_new.address,
                business_description = v_new.business_description,
                unique_selling_points = v_new.unique_selling_points, products_services = v_new.products_services,
                target_audience = v_new.target_audience, business_hours = v_new.business_hours,
                brand_voice = v_new.brand_voice, content_preferences = v_new.content_preferences,
                competitors = v_new.competitors
            where c.tenant_id = v_tenant and c.customer_id = v_old.customer_id
            returning * into v_new;
        end if;
    end if;

    return jsonb_build_object(
        'customer_id', v_new.customer_id,
        'context_version', v_new.context_version,
        'created', v_created,
        'changed', v_created or v_changed
    );
end
$$;

grant execute on function aicrm.upsert_business_profile(jsonb, uuid) to aicrm_app;

create or replace function aicrm.set_brand_voice(p_customer_id uuid, p_brand_voice jsonb)
returns integer
language plpgsql
set search_path = ''
as $$
declare
    v_customer aicrm.customers := aicrm_private.find_customer(p_customer_id);
begin
    if p_brand_voice is null then
        raise exception using errcode = 'AC001', message = 'brand_voice: is required',
            hint = 'Pass a JSON object, e.g. {"tone": ["warm"]}.', column = 'brand_voice';
    end if;
    update aicrm.customers c set brand_voice = p_brand_voice
    where c.tenant_id = v_customer.tenant_id and c.customer_id = v_customer.customer_id
    returning c.context_version into v_customer.context_version;
    return v_customer.context_version;
end
$$;

grant execute on function aicrm.set_brand_voice(uuid, jsonb) to aicrm_app;

create or replace function aicrm.set_content_preferences(p_customer_id uuid, p_content_preferences jsonb)
returns integer
language plpgsql
set search_path = ''
as $$
declare
    v_customer aicrm.customers := aicrm_private.find_customer(p_customer_id);
begin
    if p_content_preferences is null then
        raise exception using errcode = 'AC001', message = 'content_preferences: is required',
            hint = 'Pass a JSON object, e.g. {"channels": ["email"]}.', column = 'content_preferences';
    end if;
    update aicrm.customers c set content_preferences = p_content_preferences
    where c.tenant_id = v_customer.tenant_id and c.customer_id = v_customer.customer_id
    returning c.context_version into v_customer.context_version;
    return v_customer.context_version;
end
$$;

grant execute on function aicrm.set_content_preferences(uuid, jsonb) to aicrm_app;
