-- Email as aicrm sends it over SMTP (docs/pipeline.md, "Merge tags and unsubscribe links"; ADR 11):
-- the merge tags an email may carry and how each is filled per recipient, the signed per-recipient
-- unsubscribe token, the messages a publisher sends for one outbox row (aicrm.email_messages), the
-- unsubscribe itself (aicrm.record_unsubscribe) and a customer's sender identity
-- (aicrm.set_email_sender). The publisher only sends what email_messages returns.

-- The email merge tags: what the scorecard lets through as "filled when sent" (quality/scorecard.sql)
-- and the template library leaves for the sending service. Over SMTP aicrm fills every one of them
-- (fill_merge_tags); a webhook's receiver fills those its payload lists (merge_tags).
create or replace function aicrm_private.email_merge_tags()
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
    select '{first_name,last_name,email,unsubscribe_url,unsubscribe,preferences_url,view_in_browser_url}'::text[]
$$;

grant execute on function aicrm_private.email_merge_tags() to aicrm_app, aicrm_worker, aicrm_readonly;

-- The merge tags a text holds ({{ first_name }}, {{First_Name}}: any spacing or case), by name.
create or replace function aicrm_private.merge_tags_in(p_text text)
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
    select coalesce(array_agg(distinct t.name order by t.name), '{}')
    from (select lower(m[1]) as name from regexp_matches(coalesce(p_text, ''), '\{\{\s*([A-Za-z_]+)\s*\}\}', 'g') as m) as t
    where t.name = any(aicrm_private.email_merge_tags())
$$;

grant execute on function aicrm_private.merge_tags_in(text) to aicrm_app, aicrm_worker, aicrm_readonly;

-- A name as it may go into a greeting or a To header: no braces (it cannot smuggle a tag in), no
-- control characters, single spaces; null when nothing is left.
create or replace function aicrm_private.clean_name(p_name text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select nullif(btrim(regexp_replace(regexp_replace(coalesce(p_name, ''), '[{}[:cntrl:]]', ' ', 'g'), '\s+', ' ', 'g')), '')
$$;

revoke execute on function aicrm_private.clean_name(text) from public;

-- Fills a text's merge tags with p_values ({first_name, last_name, email, unsubscribe_url, ...};
-- a null name is unknown), HTML-escaped when p_html. An unknown name leaves no hole and no tag:
-- "Hi {{first_name}}," becomes "Hello,", "Welcome, {{first_name}}" loses ", {{first_name}}",
-- "{{first_name}}, here's ..." becomes "Here's ...", and anywhere else the tag goes. Pure
-- substitution of the values given: nothing in them is read as a tag or a pattern.
create or replace function aicrm_private.fill_merge_tags(p_text text, p_values jsonb, p_html boolean default false)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    c_name_tags constant text := '\{\{first_name\}\}(?:[ \t]+\{\{last_name\}\})?';
    v_text text := p_text;
    v_tag text;
    v_value text;
    v_match text[];
    v_found text;
begin
    if v_text is null then
        return null;
    end if;
    -- One spelling per tag first: {{ First_Name }} -> {{first_name}}.
    foreach v_tag in array aicrm_private.email_merge_tags() loop
        v_text := regexp_replace(v_text, '\{\{\s*' || v_tag || '\s*\}\}', '{{' || v_tag || '}}', 'gi');
    end loop;
    if p_values ->> 'first_name' is null then
        v_text := regexp_replace(v_text, '\m(hi|hello|hey|dear)[ \t]+' || c_name_tags, 'Hello', 'gi');
        v_text := regexp_replace(v_text, ',[ \t]*' || c_name_tags, '', 'g');
        loop  -- at the start of the text, a line or an HTML element: drop it and capitalise what follows
            v_match := regexp_match(v_text, '(^|[\n>])([ \t]*' || c_name_tags || '[ \t]*,[ \t]*)(\S)');
            exit when v_match is null;
            v_found := v_match[1] || v_match[2] || v_match[3];
            v_text := overlay(v_text placing v_match[1] || upper(v_match[3])
                from strpos(v_text, v_found) for char_length(v_found));
        end loop;
        v_text := regexp_replace(v_text, '[ \t]*\{\{first_name\}\}', '', 'g');
    end if;
    if p_values ->> 'last_name' is null then
        v_text := regexp_replace(v_text, '[ \t]*\{\{last_name\}\}', '', 'g');
    end if;
    -- Links and the address before the names: a name is never re-read as a tag (clean_name drops
    -- braces anyway).
    foreach v_tag in array array['unsubscribe_url', 'unsubscribe', 'preferences_url', 'view_in_browser_url', 'email',
                                 'last_name', 'first_name'] loop
        v_value := coalesce(p_values ->> v_tag, '');
        if p_html then
            v_value := replace(replace(replace(replace(replace(v_value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                '"', '&quot;'), '''', '&#39;');
        end if;
        v_text := replace(v_text, '{{' || v_tag || '}}', v_value);
    end loop;
    return v_text;
end
$$;

revoke execute on function aicrm_private.fill_merge_tags(text, jsonb, boolean) from public;

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

-- What a publisher sends for an email in the outbox, fenced by its lease: one message per recipient
-- (the task's recipients, else p_default_to, each address once), its merge tags filled for that
-- recipient (the name from the customer's contacts; the link p_unsubscribe_url?token=<signed token>),
-- and the recipients it must not send to with the reason: unsubscribed (aicrm.email_suppressions)
-- or no_consent (a contact of the customer whose email_opt_in is false). `from`: the customer's
-- sender identity, or null for the publisher's own address. Writes nothing but the tenant's signing
-- key on its first email.
create or replace function aicrm.email_messages(
    p_outbox_id uuid,
    p_lease_token uuid,
    p_unsubscribe_url text,
    p_default_to text[] default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_row aicrm.outbox;
    v_customer aicrm.customers;
    v_pattern text;
    v_bad record;
    v_html boolean;
    v_subject text;
    v_to record;
    v_first text;
    v_last text;
    v_url text;
    v_values jsonb;
    v_messages jsonb := '[]';
    v_skipped jsonb := '[]';
begin
    if p_unsubscribe_url is null or char_length(p_unsubscribe_url) > 500
       or p_unsubscribe_url !~ '^https?://[A-Za-z0-9.-]+(:[0-9]+)?([/?][^\s#<>"]*)?$' then
        raise exception using errcode = 'AC001',
            message = format('unsubscribe_url: %s is not an http(s) URL without a fragment',
                coalesce(quote_literal(left(p_unsubscribe_url, 200)), 'null')),
            hint = 'The address of your unsubscribe page, e.g. https://example.com/unsubscribe (AICRM_PUBLISH_UNSUBSCRIBE_URL).',
            column = 'unsubscribe_url';
    end if;
    -- The addresses a task may name, defined once (task.ai_instructions' recipients).
    select s.definition #>> '{properties,recipients,items,pattern}' into v_pattern
    from aicrm.json_schemas as s where s.schema_name = 'task.ai_instructions';
    select a.address, a.n into v_bad
    from unnest(p_default_to) with ordinality as a (address, n)
    where a.address is null or a.address !~ v_pattern or char_length(a.address) > 254
    order by a.n
    limit 1;
    if found then
        raise exception using errcode = 'AC001',
            message = format('default_to[%s]: %s is not an email address', v_bad.n - 1,
                coalesce(quote_literal(left(v_bad.address, 200)), 'null')),
            hint = 'Pass addresses such as owner@example.com (AICRM_PUBLISH_SMTP_TO).', column = 'default_to';
    end if;
    v_row := aicrm_private.held_delivery(p_outbox_id, p_lease_token);
    if v_row.channel <> 'email' then
        raise exception using errcode = 'AC001',
            message = format('outbox_id: %s is a %s delivery, not an email', p_outbox_id, v_row.channel),
            hint = 'Only email goes by SMTP; the other channels go to the webhook.', column = 'outbox_id';
    end if;
    select c.* into v_customer
    from aicrm.project_tasks as t
    join aicrm.customers as c on c.tenant_id = t.tenant_id and c.customer_id = t.customer_id
    where t.tenant_id = v_tenant and t.task_id = v_row.task_id;
    v_html := v_row.payload ->> 'content_format' = 'html';
    v_subject := coalesce(nullif(v_row.payload ->> 'subject', ''), v_row.payload ->> 'title', '');
    for v_to in
        with given as (
            select btrim(a.address) as address, a.n
            from jsonb_array_elements_text(case when jsonb_typeof(v_row.payload -> 'to') = 'array'
                                                then v_row.payload -> 'to' else '[]' end)
                with ordinality as a (address, n)
            union all
            select btrim(a.address), a.n
            from unnest(p_default_to) with ordinality as a (address, n)
            where jsonb_typeof(v_row.payload -> 'to') is distinct from 'array'
        ),
        once as (
            select distinct on (lower(g.address)) g.address, g.n
            from given as g where g.address <> ''
            order by lower(g.address), g.n
        )
        select o.address, s.created_at as suppressed_at, k.contact_id, k.first_name, k.last_name, k.email_opt_in
        from once as o
        left join aicrm.email_suppressions as s
            on s.tenant_id = v_tenant and s.customer_id = v_customer.customer_id and s.email_key = lower(o.address)
        left join lateral (
            select x.contact_id, x.first_name, x.last_name, x.email_opt_in
            from aicrm.customer_contacts as x
            where x.tenant_id = v_tenant and x.customer_id = v_customer.customer_id and lower(x.email) = lower(o.address)
            order by x.email_opt_in desc, x.is_primary desc, x.created_at
            limit 1
        ) as k on true
        order by o.n
    loop
        if v_to.suppressed_at is not null then
            v_skipped := v_skipped || jsonb_build_object('to', v_to.address, 'reason', 'unsubscribed',
                'since', v_to.suppressed_at);
        elsif v_to.contact_id is not null and not v_to.email_opt_in then
            v_skipped := v_skipped || jsonb_build_object('to', v_to.address, 'reason', 'no_consent',
                'contact_id', v_to.contact_id);
        else
            v_url := p_unsubscribe_url || case when strpos(p_unsubscribe_url, '?') > 0 then '&' else '?' end
                || 'token=' || aicrm_private.unsubscribe_token(v_tenant, v_customer.customer_id, v_to.address);
            v_first := aicrm_private.clean_name(v_to.first_name);
            v_last := case when v_first is not null then aicrm_private.clean_name(v_to.last_name) end;
            -- aicrm hosts no preferences page and no web version: the one preference is the unsubscribe.
            v_values := jsonb_build_object('first_name', v_first, 'last_name', v_last, 'email', v_to.address,
                'unsubscribe_url', v_url, 'unsubscribe', v_url, 'preferences_url', v_url, 'view_in_browser_url', '');
            v_messages := v_messages || jsonb_build_object(
                'to', v_to.address,
                'name', nullif(concat_ws(' ', v_first, v_last), ''),
                'subject', aicrm_private.fill_merge_tags(v_subject, v_values, false),
                'content', aicrm_private.fill_merge_tags(v_row.payload ->> 'content', v_values, v_html),
                'unsubscribe_url', v_url);
        end if;
    end loop;
    return jsonb_build_object(
        'outbox_id', p_outbox_id,
        'content_format', coalesce(v_row.payload ->> 'content_format', 'text'),
        'from', case when v_customer.email_from_address is not null then jsonb_build_object(
            'name', coalesce(v_customer.email_from_name, aicrm_private.clean_name(v_customer.name)),
            'address', v_customer.email_from_address) end,
        'messages', v_messages,
        'skipped', v_skipped);
end
$$;

revoke execute on function aicrm.email_messages(uuid, uuid, text, text[]) from public;
grant execute on function aicrm.email_messages(uuid, uuid, text, text[]) to aicrm_worker;

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

-- An unsubscribe is audited like any change to a customer's data (triggers.sql attaches the others).
create or replace trigger _900_audit after insert or update or delete on aicrm.email_suppressions
for each row execute function aicrm_private.tg_audit('email_key');
