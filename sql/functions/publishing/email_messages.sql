-- Email as aicrm sends it over SMTP (docs/pipeline.md, "Merge tags and unsubscribe links"; ADR 11):
-- email_messages, the messages a publisher sends for one outbox row, each filled for its recipient.
-- The publisher only sends what it returns. Merge tags and the signed unsubscribe token:
-- private/publishing/ (merge_tags.sql, unsubscribe_token.sql).

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
