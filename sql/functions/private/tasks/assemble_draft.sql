-- The system-owned parts of a draft (docs/pipeline.md, "Assembly"): what the law or the channel
-- requires mechanically (an email's unsubscribe footer and the sender's postal address, an SMS's
-- opt-out and sender identification) is added by aicrm when a draft is assembled, from the
-- customer's profile, not left to the writer. Which parts: the required elements of the compliance
-- packs that apply (applicable_compliance_packs); whether one is already there: the compliance
-- check's own detection (compliance_elements); what the profile lacks for one: its profile gaps
-- (compliance_profile_gaps). All three live in private/quality/check_compliance.sql.

-- What a reader sees of a content: HTML tags dropped, links keeping their address.
create or replace function aicrm_private.content_as_read(p_content text, p_content_format text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select case when p_content_format = 'html'
        then regexp_replace(regexp_replace(coalesce(p_content, ''), '<a\s[^>]*href\s*=\s*["'']([^"'']*)["''][^>]*>', ' \1 ', 'gi'),
                            '<[^>]+>', ' ', 'g')
        else p_content end
$$;

grant execute on function aicrm_private.content_as_read(text, text) to aicrm_app, aicrm_worker;

-- p_content as the customer's p_channel needs it: {content, added: [{part, text}], gaps: [{part,
-- field}]}. A part already present is not added again (assembling twice changes nothing); a part
-- whose profile field is missing (no street for the postal address) is not added and is reported in
-- gaps, and the compliance finding then names it as a profile gap. An SMS's parts are added even
-- when the text then runs over 160 characters: the writer's text is never cut (the length check
-- says so and a rewrite can shorten it). Stores nothing.
create or replace function aicrm_private.assemble_draft(
    p_customer_id uuid, p_channel text, p_content text, p_content_format text
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    c_channels constant text[] := '{email,sms,social,blog,web}';
    v_tenant uuid := aicrm_private.require_tenant();
    v_customer aicrm.customers;
    v_profile aicrm.customer_scoring_profiles;
    v_required text[];
    v_read text;
    v_has jsonb;
    v_gaps jsonb;
    v_added jsonb := '[]';
    v_missing jsonb := '[]';
    v_lines text[] := '{}';
    v_address text;
    v_content text := p_content;
    v_footer text;
    v_at integer;
begin
    if p_content is null or btrim(p_content, E' \t\n\r\f\v') = '' then
        raise exception using errcode = 'AC001', message = 'content: is empty',
            hint = 'Pass the draft''s text.', column = 'content';
    end if;
    if char_length(p_content) > 200000 then
        raise exception using errcode = 'AC001',
            message = format('content: %s characters, more than 200,000', char_length(p_content)),
            hint = 'Assemble one draft at a time.', column = 'content';
    end if;
    if p_channel is null or not p_channel = any(c_channels) then
        raise exception using errcode = 'AC001',
            message = format('channel: %s is not a channel', coalesce(quote_literal(p_channel), 'null')),
            hint = format('Use one of %s.', array_to_string(c_channels, ', ')), column = 'channel';
    end if;
    if p_content_format is null or p_content_format not in ('text', 'html', 'markdown') then
        raise exception using errcode = 'AC001',
            message = format('content_format: %s is not a format', coalesce(quote_literal(p_content_format), 'null')),
            hint = 'Use text, html or markdown.', column = 'content_format';
    end if;
    if p_customer_id is null then
        raise exception using errcode = 'AC001', message = 'customer_id: is required',
            hint = 'The parts come from the customer''s profile: pass its id.', column = 'customer_id';
    end if;
    select * into v_customer from aicrm.customers c where c.tenant_id = v_tenant and c.customer_id = p_customer_id;
    if not found then
        raise exception using errcode = 'AC002', message = 'customer_id: no such customer',
            hint = 'Pass the id of a customer of this tenant.', column = 'customer_id';
    end if;
    v_profile := aicrm_private.scoring_profile(p_customer_id);

    select coalesce(array_agg(distinct r.element), '{}') into v_required
    from aicrm.compliance_rules r
    where r.pack_code = any(aicrm_private.applicable_compliance_packs(v_tenant, p_channel, v_customer.industry_category))
      and r.kind = 'required_element'
      and r.element in ('unsubscribe', 'postal_address', 'sms_opt_out', 'business_name');
    if v_required = '{}' then
        return jsonb_build_object('content', p_content, 'added', '[]'::jsonb, 'gaps', '[]'::jsonb);
    end if;
    v_read := aicrm_private.straight_apostrophes(aicrm_private.content_as_read(p_content, p_content_format));
    v_has := aicrm_private.compliance_elements(v_read, aicrm_private.words_of(v_read), v_profile, false);
    v_gaps := aicrm_private.compliance_profile_gaps(
        v_profile, coalesce(v_customer.website, v_customer.phone, v_customer.email) is not null);
    v_address := nullif(concat_ws(', ', nullif(btrim(v_customer.address ->> 'street'), ''),
                                  nullif(btrim(v_customer.address ->> 'city'), ''),
                                  nullif(btrim(concat_ws(' ', v_customer.address ->> 'region',
                                                         v_customer.address ->> 'postal_code')), '')), '');

    -- Each required part not present: with its text, or as a gap when the profile cannot supply it.
    if 'postal_address' = any(v_required) and not (v_has ->> 'postal_address')::boolean then
        if v_gaps ? 'postal_address' then
            v_missing := v_missing || jsonb_build_object('part', 'postal_address', 'field', v_gaps ->> 'postal_address');
        else
            -- The sender's postal address names the sender: it identifies the business too.
            v_lines := v_lines || format('%s · %s.', btrim(v_customer.name), v_address);
            v_added := v_added || jsonb_build_object('part', 'postal_address', 'text', v_lines[cardinality(v_lines)]);
            v_has := v_has || '{"business_name": true}';
        end if;
    end if;
    if 'business_name' = any(v_required) and not (v_has ->> 'business_name')::boolean then
        if p_channel = 'sms' then
            v_content := btrim(v_customer.name) || ': ' || v_content;  -- the sender, first
        else
            v_lines := array_prepend(btrim(v_customer.name), v_lines);
        end if;
        v_added := v_added || jsonb_build_object('part', 'business_name',
                                                 'text', btrim(v_customer.name) || case when p_channel = 'sms' then ':' else '' end);
    end if;
    if 'unsubscribe' = any(v_required) and not (v_has ->> 'unsubscribe')::boolean then
        v_lines := v_lines || 'Unsubscribe or manage your preferences: {{unsubscribe_url}}'::text;
        v_added := v_added || jsonb_build_object('part', 'unsubscribe', 'text', v_lines[cardinality(v_lines)]);
    end if;
    if 'sms_opt_out' = any(v_required) and not (v_has ->> 'sms_opt_out')::boolean then
        v_lines := v_lines || 'Reply STOP to opt out.'::text;
        v_added := v_added || jsonb_build_object('part', 'sms_opt_out', 'text', v_lines[cardinality(v_lines)]);
    end if;

    if cardinality(v_lines) > 0 then
        if p_channel = 'sms' then  -- one message: the opt-out ends it on the same line
            v_content := regexp_replace(v_content, '\s+$', '') || ' ' || array_to_string(v_lines, ' ');
        elsif p_content_format = 'html' then
            v_footer := '<p>' || array_to_string(array(
                select replace(replace(replace(replace(l, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;')
                from unnest(v_lines) l), '<br>') || '</p>';
            -- The link: the publisher fills {{unsubscribe_url}} in an href as in text.
            v_footer := replace(v_footer, 'Unsubscribe or manage your preferences: {{unsubscribe_url}}',
                                '<a href="{{unsubscribe_url}}">Unsubscribe or manage your preferences</a>');
            v_at := char_length(v_content) - strpos(reverse(lower(v_content)), reverse('</body>')) - 6;
            v_content := case when strpos(lower(v_content), '</body>') > 0
                              then substr(v_content, 1, v_at) || v_footer || E'\n' || substr(v_content, v_at + 1)
                              else regexp_replace(v_content, '\s+$', '') || E'\n' || v_footer end;
        elsif p_content_format = 'markdown' then
            v_content := regexp_replace(v_content, '\s+$', '') || E'\n\n---\n\n'
                || replace(array_to_string(v_lines, E'  \n'), 'Unsubscribe or manage your preferences: {{unsubscribe_url}}',
                           '[Unsubscribe or manage your preferences]({{unsubscribe_url}})');
        else
            v_content := regexp_replace(v_content, '\s+$', '') || E'\n\n' || array_to_string(v_lines, E'\n');
        end if;
    end if;
    return jsonb_build_object('content', v_content, 'added', v_added, 'gaps', v_missing);
end
$$;

grant execute on function aicrm_private.assemble_draft(uuid, text, text, text) to aicrm_app, aicrm_worker;

-- How many characters the parts aicrm adds take of a draft of customer p_customer_id on p_channel
-- (an SMS's opt-out counts towards its 160): a one-character draft assembled, less that character.
-- get_draft_brief's system_parts.reserve; security definer so that every role that reads a brief
-- (aicrm_readonly too) gets it, in the call's tenant (assemble_draft reads it).
create or replace function aicrm_private.system_parts_reserve(p_customer_id uuid, p_channel text)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
    select char_length(aicrm_private.assemble_draft(p_customer_id, p_channel, 'x', 'text') ->> 'content') - 1
$$;

revoke execute on function aicrm_private.system_parts_reserve(uuid, text) from public;
grant execute on function aicrm_private.system_parts_reserve(uuid, text) to aicrm_app, aicrm_worker, aicrm_readonly;
