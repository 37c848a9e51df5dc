-- Business context: what a snapshot holds, and the triggers that version it.

-- The versioned part of a customer: profile, brand voice and content preferences.
create or replace function aicrm_private.customer_context_document(p_customer aicrm.customers)
returns jsonb
language sql
stable
set search_path = ''
as $$
    select jsonb_build_object(
        'name', p_customer.name,
        'industry', jsonb_build_object(
            'category', p_customer.industry_category,
            'subcategory', p_customer.industry_subcategory
        ),
        'business', jsonb_build_object(
            'description', p_customer.business_description,
            'unique_selling_points', to_jsonb(p_customer.unique_selling_points),
            'products_services', p_customer.products_services,
            'target_audience', p_customer.target_audience,
            'business_hours', p_customer.business_hours,
            'competitors', p_customer.competitors,
            'website', p_customer.website,
            'email', p_customer.email,
            'phone', p_customer.phone,
            'address', p_customer.address
        ),
        'brand_voice', p_customer.brand_voice,
        'content_preferences', p_customer.content_preferences
    )
$$;

grant execute on function aicrm_private.customer_context_document(aicrm.customers)
to aicrm_app, aicrm_worker, aicrm_readonly;

-- BEFORE INSERT/UPDATE: the industry must be known (with a useful hint, before the foreign key
-- would fail with a generic message), and any change to the context bumps context_version.
create or replace function aicrm_private.tg_customers__prepare()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    v_industry aicrm.industries;
begin
    select * into v_industry from aicrm.industries i where i.industry_category = new.industry_category;
    if not found then
        raise exception using
            errcode = 'AC001',
            message = format('industry_category: %L is not a known industry', new.industry_category),
            hint = format('One of: %s.', (
                select string_agg(i.industry_category, ', ' order by i.industry_category) from aicrm.industries i
            )),
            column = 'industry_category';
    end if;
    if new.industry_subcategory is not null and not new.industry_subcategory = any(v_industry.subcategories) then
        raise exception using
            errcode = 'AC001',
            message = format('industry_subcategory: %L is not a subcategory of %s',
                new.industry_subcategory, new.industry_category),
            hint = format('One of: %s.', array_to_string(v_industry.subcategories, ', ')),
            column = 'industry_subcategory';
    end if;

    if tg_op = 'INSERT' then
        new.context_version := 1;
        new.context_updated_at := now();
    elsif aicrm_private.customer_context_document(new) is distinct from aicrm_private.customer_context_document(old) then
        new.context_version := old.context_version + 1;
        new.context_updated_at := now();
    else
        new.context_version := old.context_version;
        new.context_updated_at := old.context_updated_at;
    end if;
    return new;
end
$$;

-- AFTER INSERT/UPDATE: write the effective-dated snapshot when the version moved. Runs as the
-- owner because no application role may write snapshots directly.
create or replace function aicrm_private.tg_customers__snapshot_context()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
    if tg_op = 'UPDATE' and new.context_version = old.context_version then
        return null;
    end if;
    update aicrm.customer_context_versions v
    set valid_to = new.context_updated_at
    where v.tenant_id = new.tenant_id and v.customer_id = new.customer_id and v.valid_to is null;
    insert into aicrm.customer_context_versions (tenant_id, customer_id, context_version, context, valid_from, changed_by)
    values (
        new.tenant_id, new.customer_id, new.context_version,
        aicrm_private.customer_context_document(new), new.context_updated_at,
        coalesce(nullif(current_setting('role'), 'none'), session_user)
    );
    return null;
end
$$;
