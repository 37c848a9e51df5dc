-- The signed per-recipient unsubscribe token (ADR 11): HMAC-SHA256, base64url, the tenant's key.

-- HMAC-SHA256 (RFC 2104) from PostgreSQL's own sha256(): pgcrypto is not everywhere (the embedded
-- server has none), and a plain sha256(secret || message) could be extended by anyone who saw one
-- token (SHA-256's length extension); the nested HMAC cannot.
create or replace function aicrm_private.hmac_sha256(p_key bytea, p_message bytea)
returns bytea
language plpgsql
immutable
strict
parallel safe
set search_path = ''
as $$
declare
    v_key bytea := case when octet_length(p_key) > 64 then sha256(p_key) else p_key end;
    v_inner bytea;
    v_outer bytea;
begin
    v_key := v_key || decode(repeat('00', 64 - octet_length(v_key)), 'hex');
    v_inner := v_key;
    v_outer := v_key;
    for i in 0..63 loop
        v_inner := set_byte(v_inner, i, get_byte(v_key, i) # 54);  -- 0x36
        v_outer := set_byte(v_outer, i, get_byte(v_key, i) # 92);  -- 0x5c
    end loop;
    return sha256(v_outer || sha256(v_inner || p_message));
end
$$;

revoke execute on function aicrm_private.hmac_sha256(bytea, bytea) from public;

-- base64url without padding (RFC 4648 section 5): safe in a URL's query as it is.
create or replace function aicrm_private.base64url(p_bytes bytea)
returns text
language sql
immutable
strict
parallel safe
set search_path = ''
as $$
    select translate(encode(p_bytes, 'base64'), E'+/=\n', '-_')
$$;

revoke execute on function aicrm_private.base64url(bytea) from public;

-- The bytes of a base64url text; null for anything else.
create or replace function aicrm_private.from_base64url(p_text text)
returns bytea
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
    if p_text is null or p_text !~ '^[A-Za-z0-9_-]+$' or char_length(p_text) % 4 = 1 then
        return null;
    end if;
    return decode(translate(p_text, '-_', '+/') || repeat('=', (4 - char_length(p_text) % 4) % 4), 'base64');
end
$$;

revoke execute on function aicrm_private.from_base64url(text) from public;

-- The tenant's signing key, made on first use (64 bytes from gen_random_uuid(), 488 random bits:
-- no pgcrypto needed). Runs as its caller, a SECURITY DEFINER function of the owner, with the
-- tenant set: no other role may read aicrm_private.unsubscribe_keys.
create or replace function aicrm_private.unsubscribe_secret(p_tenant uuid)
returns bytea
language plpgsql
set search_path = ''
as $$
declare
    v_secret bytea;
begin
    select k.secret into v_secret from aicrm_private.unsubscribe_keys as k where k.tenant_id = p_tenant;
    if v_secret is null then
        insert into aicrm_private.unsubscribe_keys (tenant_id, secret)
        values (p_tenant, uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())
            || uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()))
        on conflict (tenant_id) do nothing;
        select k.secret into v_secret from aicrm_private.unsubscribe_keys as k where k.tenant_id = p_tenant;
    end if;
    return v_secret;
end
$$;

revoke execute on function aicrm_private.unsubscribe_secret(uuid) from public;

-- A recipient's unsubscribe token: base64url of version 1, tenant, customer, the address in lower
-- case, and the HMAC-SHA256 of all that under the tenant's key. The same address of the same customer
-- always gets the same token, so a link in an old email keeps working.
create or replace function aicrm_private.unsubscribe_token(p_tenant uuid, p_customer_id uuid, p_email text)
returns text
language plpgsql
set search_path = ''
as $$
declare
    v_payload bytea := '\x01'::bytea || uuid_send(p_tenant) || uuid_send(p_customer_id)
        || convert_to(lower(btrim(p_email)), 'UTF8');
begin
    return aicrm_private.base64url(
        v_payload || aicrm_private.hmac_sha256(aicrm_private.unsubscribe_secret(p_tenant), v_payload));
end
$$;

revoke execute on function aicrm_private.unsubscribe_token(uuid, uuid, text) from public;
