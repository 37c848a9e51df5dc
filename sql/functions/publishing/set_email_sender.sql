-- A customer's sender identity for email (ADR 11; docs/pipeline.md, "Merge tags and unsubscribe
-- links"): set_email_sender.

-- A customer's sender identity: its emails go From "<p_from_name> <p_from_address>" (the name
-- defaults to the customer's); a null address goes back to the publisher's AICRM_PUBLISH_SMTP_FROM.
-- The checks are the columns' constraints (migration 0017), reported here naming the field.
create or replace function aicrm.set_email_sender(p_customer_id uuid, p_from_address text, p_from_name text default null)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_customer aicrm.customers := aicrm_private.find_customer(p_customer_id);
    v_address text := nullif(btrim(p_from_address), '');
    v_name text := nullif(btrim(p_from_name), '');
    v_constraint text;
begin
    if v_name is not null and v_address is null then
        raise exception using errcode = 'AC001', message = 'from_address: is required with a from_name',
            hint = 'Pass the address the name goes with, e.g. news@sunrisebakery.example.com.', column = 'from_address';
    end if;
    begin
        update aicrm.customers as c set email_from_address = v_address, email_from_name = v_name
        where c.tenant_id = v_customer.tenant_id and c.customer_id = v_customer.customer_id;
    exception when check_violation then
        get stacked diagnostics v_constraint = constraint_name;
        if v_constraint = 'customers_email_from_address_check' then
            raise exception using errcode = 'AC001',
                message = format('from_address: %s is not an email address', quote_literal(left(v_address, 200))),
                hint = 'For example news@sunrisebakery.example.com (at most 254 characters).', column = 'from_address';
        elsif v_constraint = 'customers_email_from_name_check' then
            raise exception using errcode = 'AC001',
                message = 'from_name: must be 1 to 100 characters on one line',
                hint = 'For example Sunrise Bakery.', column = 'from_name';
        end if;
        raise;
    end;
    return jsonb_build_object('customer_id', v_customer.customer_id, 'from_address', v_address,
        'from_name', case when v_address is not null then coalesce(v_name, v_customer.name) end);
end
$$;

grant execute on function aicrm.set_email_sender(uuid, text, text) to aicrm_app;
