-- resolve_customer_id: a customer of this tenant by its id or by its external id.

-- A customer of this tenant by its id or by its external id (the CRM's own: "demo-bakery"), so
-- callers need not look the uuid up first. A text that is a uuid is tried as the id first.
create or replace function aicrm.resolve_customer_id(p_customer text)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_existing_tenant();
    v_key text := btrim(p_customer);
    v_id uuid;
    v_found uuid;
begin
    if coalesce(v_key, '') = '' then
        raise exception using errcode = 'AC001', message = 'customer_id: is required',
            hint = 'Pass the customer''s id or its external id.', column = 'customer_id';
    end if;
    if v_key ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        v_id := v_key::uuid;
    end if;
    select c.customer_id into v_found
    from aicrm.customers c
    where c.tenant_id = v_tenant and (c.customer_id = v_id or c.external_id = v_key)
    order by c.customer_id = v_id desc nulls last
    limit 1;
    if v_found is null then
        raise exception using errcode = 'AC002',
            message = format('customer_id: no customer with the id or external id %L in this tenant', v_key),
            hint = 'List them with: select customer_id, external_id, name from aicrm.customers.',
            column = 'customer_id';
    end if;
    return v_found;
end
$$;

revoke execute on function aicrm.resolve_customer_id(text) from public;
grant execute on function aicrm.resolve_customer_id(text) to aicrm_app, aicrm_readonly;
