-- Unsubscribes (docs/pipeline.md, "Merge tags and unsubscribe links"): record_unsubscribe, what an
-- unsubscribe link does. The suppressions are audited (triggers.sql).

-- Records the unsubscribe a link carries (what an unsubscribe page calls, for a GET of the link or
-- RFC 8058's one-click POST): the token verified against its tenant's key, the address suppressed
-- for that customer (aicrm.email_suppressions, audited), the customer's contacts with that address
-- no longer opted in (consent_source 'unsubscribe link', audited). Idempotent: the same link again
-- records nothing (recorded false). Needs no tenant; with one set, a link of another tenant is
-- refused like a forged one. Errors: AC001 token (malformed, forged, another deployment's or
-- tenant's), AC002 token (its customer was deleted).
create or replace function aicrm.record_unsubscribe(p_token text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_setting text := current_setting('aicrm.tenant_id', true);
    v_caller uuid := aicrm_private.current_tenant_id();
    v_raw bytea := aicrm_private.from_base64url(left(p_token, 2000));
    v_payload bytea;
    v_tenant uuid;
    v_customer_id uuid;
    v_secret bytea;
    v_email text;
    v_name text;
    v_at timestamptz;
    v_since timestamptz;
    v_contacts integer := 0;
begin
    if v_raw is not null and octet_length(v_raw) >= 1 + 16 + 16 + 3 + 32 and get_byte(v_raw, 0) = 1 then
        v_payload := substring(v_raw from 1 for octet_length(v_raw) - 32);
        v_tenant := encode(substring(v_payload from 2 for 16), 'hex')::uuid;
        v_customer_id := encode(substring(v_payload from 18 for 16), 'hex')::uuid;
        if v_caller is null or v_caller = v_tenant then
            -- The key is the tenant's: read (and the rest written) in its tenant, restored below.
            perform set_config('aicrm.tenant_id', v_tenant::text, true);
            select k.secret into v_secret from aicrm_private.unsubscribe_keys as k where k.tenant_id = v_tenant;
        end if;
    end if;
    -- Compared through a second hash: the time the comparison takes tells nothing about the MAC.
    if v_secret is null or sha256(aicrm_private.hmac_sha256(v_secret, v_payload))
       is distinct from sha256(substring(v_raw from octet_length(v_raw) - 31)) then
        raise exception using errcode = 'AC001', message = 'token: is not a valid unsubscribe token',
            hint = 'Use the link exactly as the email carried it.', column = 'token';
    end if;
    v_email := convert_from(substring(v_payload from 34), 'UTF8');
    select c.name into v_name from aicrm.customers as c where c.tenant_id = v_tenant and c.customer_id = v_customer_id;
    if not found then
        raise exception using errcode = 'AC002', message = 'token: the customer this link unsubscribes from was deleted',
            hint = 'Nothing more is sent for a deleted customer.', column = 'token';
    end if;
    insert into aicrm.email_suppressions (tenant_id, customer_id, email)
    values (v_tenant, v_customer_id, v_email)
    on conflict (tenant_id, customer_id, email_key) do nothing
    returning created_at into v_at;
    if v_at is not null then
        update aicrm.customer_contacts as k
        set email_opt_in = false, consent_source = 'unsubscribe link', consent_updated_at = now()
        where k.tenant_id = v_tenant and k.customer_id = v_customer_id and lower(k.email) = v_email and k.email_opt_in;
        get diagnostics v_contacts = row_count;
    else
        select s.created_at into v_since from aicrm.email_suppressions as s
        where s.tenant_id = v_tenant and s.customer_id = v_customer_id and s.email_key = v_email;
    end if;
    perform set_config('aicrm.tenant_id', coalesce(v_setting, ''), true);
    return jsonb_build_object(
        'recorded', v_at is not null,
        'customer_id', v_customer_id,
        'customer_name', v_name,
        'email', v_email,
        'unsubscribed_at', coalesce(v_at, v_since),
        'contacts_updated', v_contacts);
end
$$;

revoke execute on function aicrm.record_unsubscribe(text) from public;
grant execute on function aicrm.record_unsubscribe(text) to aicrm_app;
