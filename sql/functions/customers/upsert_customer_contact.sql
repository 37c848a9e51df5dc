-- A customer's contacts: upsert_customer_contact adds one or updates it; a change of consent is dated.

-- Adds or updates a contact of a customer; a contact is matched by id, else by email.
create or replace function aicrm.upsert_customer_contact(p_customer_id uuid, p_contact jsonb)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
    v_customer aicrm.customers := aicrm_private.find_customer(p_customer_id);
    v_old aicrm.customer_contacts;
    v_new aicrm.customer_contacts;
begin
    perform aicrm_private.assert_json_valid('api.customer_contact', p_contact);
    -- By id when one is given (an unknown id is an error, never a silent new contact), else by email.
    if p_contact ? 'contact_id' then
        select * into v_old from aicrm.customer_contacts k
        where k.tenant_id = v_customer.tenant_id and k.customer_id = v_customer.customer_id
          and k.contact_id = (p_contact ->> 'contact_id')::uuid;
        if not found then
            raise exception using errcode = 'AC002',
                message = format('contact_id: customer %s has no contact %s', p_customer_id, p_contact ->> 'contact_id'),
                hint = 'Leave contact_id out to add a contact, or match an existing one by email.',
                column = 'contact_id';
        end if;
    else
        select * into v_old from aicrm.customer_contacts k
        where k.tenant_id = v_customer.tenant_id and k.customer_id = v_customer.customer_id
          and k.email = p_contact ->> 'email';
    end if;
    if v_old.contact_id is null then
        return aicrm_private.insert_row_from_json('aicrm.customer_contacts', (p_contact - 'contact_id')
            || jsonb_build_object('tenant_id', v_customer.tenant_id, 'customer_id', v_customer.customer_id)
            || case when p_contact ? 'email_opt_in' or p_contact ? 'sms_opt_in'
                    then jsonb_build_object('consent_updated_at', now()) else '{}' end
        ) ->> 'contact_id';
    end if;
    v_new := jsonb_populate_record(v_old, p_contact - 'contact_id');
    if (v_new.email_opt_in, v_new.sms_opt_in) is distinct from (v_old.email_opt_in, v_old.sms_opt_in) then
        v_new.consent_updated_at := now();
    end if;
    update aicrm.customer_contacts k set
        first_name = v_new.first_name, last_name = v_new.last_name, email = v_new.email,
        phone = v_new.phone, job_title = v_new.job_title, is_primary = v_new.is_primary,
        email_opt_in = v_new.email_opt_in, sms_opt_in = v_new.sms_opt_in,
        consent_source = v_new.consent_source, consent_updated_at = v_new.consent_updated_at
    where k.tenant_id = v_old.tenant_id and k.contact_id = v_old.contact_id;
    return v_new.contact_id;
end
$$;

grant execute on function aicrm.upsert_customer_contact(uuid, jsonb) to aicrm_app;
