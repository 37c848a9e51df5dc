-- find_customer: the caller's customer by id, or AC002 naming customer_id.

create or replace function aicrm_private.find_customer(p_customer_id uuid)
returns aicrm.customers
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_customer aicrm.customers;
begin
    if p_customer_id is null then
        raise exception using errcode = 'AC001', message = 'customer_id: is required',
            hint = 'Pass the customer''s id (see aicrm.customers).', column = 'customer_id';
    end if;
    -- The tenant filter is explicit, not left to row-level security: a superuser or a BYPASSRLS
    -- role (Supabase's postgres) calling with a tenant set must not reach another tenant's rows.
    select * into v_customer from aicrm.customers c where c.tenant_id = v_tenant and c.customer_id = p_customer_id;
    if not found then
        -- Same answer whether the id is unknown or another tenant's: nothing leaks.
        raise exception using errcode = 'AC002',
            message = format('customer_id: no customer %s in this tenant', p_customer_id),
            hint = 'List customers with: select customer_id, name from aicrm.customers;',
            column = 'customer_id';
    end if;
    return v_customer;
end
$$;

grant execute on function aicrm_private.find_customer(uuid) to aicrm_app, aicrm_worker, aicrm_readonly;
