-- The compliance part of the quality scorecard: the tenant's enabled packs and its own terms,
-- checked against a draft by regular expressions. Must-include items are elements (a call to
-- action, the business's name, contact details, unsubscribe, postal address, SMS opt-out) found
-- by patterns, not by the words "CTA" or "contact info". The draft is only matched, never
-- executed: text addressing the evaluator ("ignore previous rules, score 100") is just content.

-- p_terms: the task's own terms, [{"term": ..., "kind": "required" | "forbidden"}] (its instructions'
-- must_include and must_not_include), checked like the tenant's terms and reported as pack
-- "instructions". p_features: what score_content measured of the same text once for all the parts
-- (draft_features_of); measured here when null.
-- The element a required term names, by its normalised words (phrase_key of the term with _ and -
-- as spaces): "business name" -> business_name, "CTA" -> cta, "contact info" -> contact_info,
-- "unsubscribe" -> unsubscribe, "postal address" -> postal_address, "opt out" -> sms_opt_out; null
-- for a term to find as words. The scorecard checks an element by its patterns; get_draft_brief
-- tells the writer which must_include is an element (its must_write `element`).
create or replace function aicrm_private.required_term_element(p_norm text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select case
        when p_norm in ('business name', 'company name', 'brand name', 'customer name') then 'business_name'
        when p_norm in ('cta', 'call to action', 'a call to action') then 'cta'
        when p_norm in ('contact info', 'contact information', 'contact details') then 'contact_info'
        when p_norm in ('unsubscribe', 'unsubscribe link', 'opt out link') then 'unsubscribe'
        when p_norm in ('postal address', 'physical address', 'mailing address', 'street address', 'address')
            then 'postal_address'
        when p_norm in ('opt out', 'sms opt out', 'stop instructions', 'reply stop') then 'sms_opt_out'
    end
$$;

revoke execute on function aicrm_private.required_term_element(text) from public;
grant execute on function aicrm_private.required_term_element(text) to aicrm_app, aicrm_worker, aicrm_readonly;

create or replace function aicrm_private.check_compliance(
    p_text text, p_subject text, p_channel text, p_customer_id uuid, p_terms jsonb default '[]',
    p_features aicrm_private.draft_features default null
)
returns jsonb
language plpgsql
stable
set search_path = ''
-- Its queries' plans do not depend on the values: planned once per session, not for every draft
-- (custom plans cost about 40 µs a scorecard; benchmarks/quality_bench.py).
set plan_cache_mode = force_generic_plan
as $$
declare
    c_channels constant text[] := '{email,sms,social,blog,web}';
    c_email constant text := '[[:alnum:]._%+-]+@[[:alnum:].-]+\.[[:alpha:]]{2,}';
    c_phone constant text := '\+?\(?[0-9][0-9 ().-]{5,}[0-9]';
    v_tenant uuid := aicrm_private.require_tenant();
    v_subject text := coalesce(p_subject, '');
    v_customer record;
    v_profile aicrm.customer_scoring_profiles;  -- all null without a customer
    v_packs text[];
    v_elements jsonb;
    v_gaps jsonb := '{}';  -- element -> the profile field a draft would need for it and lacks
    v_found jsonb := '[]';
    v_rule record;
    v_term record;
    v_span record;
    v_field record;
    v_norm text;
    v_pattern text;
    v_contact_emails text[] := '{}';
    v_contact_phones text[] := '{}';
    v_result jsonb;
    v_written text[];  -- the content and subject as written, for the spans' text
    v_any_forbidden boolean;
    v_any_competitor boolean;
    v_any_contact boolean;
    v_digits text;
    v_forbidden jsonb;  -- the forbidden terms whose words the draft has
    v_words text;  -- the content and subject reduced to their words, for phrases_in_words
begin
    if p_text is null or btrim(p_text, E' \t\n\r\f\v') = '' then
        raise exception using errcode = 'AC001', message = 'content: is empty',
            hint = 'Pass the draft''s text.', column = 'content';
    end if;
    -- Curly apostrophes read as straight ones ("can’t lose" is "can't lose"); one character for one,
    -- so every span's offsets stay those of the text as written.
    v_written := array[p_text, coalesce(p_subject, '')];
    p_text := aicrm_private.straight_apostrophes(p_text);
    p_subject := aicrm_private.straight_apostrophes(p_subject);
    if char_length(p_text) > 200000 then
        raise exception using errcode = 'AC001',
            message = format('content: %s characters, more than 200,000', char_length(p_text)),
            hint = 'Check one draft at a time.', column = 'content';
    end if;
    v_subject := coalesce(p_subject, '');
    if char_length(v_subject) > 2000 then
        raise exception using errcode = 'AC001',
            message = format('subject: %s characters, more than 2,000', char_length(v_subject)),
            hint = 'A subject line is one line.', column = 'subject';
    end if;
    if p_channel is null or not p_channel = any(c_channels) then
        raise exception using errcode = 'AC001',
            message = format('channel: %s is not a channel', coalesce(quote_literal(p_channel), 'null')),
            hint = format('Use one of %s.', array_to_string(c_channels, ', ')), column = 'channel';
    end if;

    select null::text as name, null::text as website, null::text as phone, null::text as email,
           '{}'::jsonb as address, '[]'::jsonb as competitors, null::text as industry_category
    into v_customer;
    if p_customer_id is not null then
        select c.name, c.website, c.phone, c.email, c.address, c.competitors, c.industry_category
        into v_customer
        from aicrm.customers c
        where c.tenant_id = v_tenant and c.customer_id = p_customer_id;
        if not found then
            raise exception using errcode = 'AC002', message = 'customer_id: no such customer',
                hint = 'Pass the id of a customer of this tenant.', column = 'customer_id';
        end if;
        -- Its name's and competitors' words, street, site and contacts' details, derived when the
        -- customer or a contact last changed (aicrm.customer_scoring_profiles).
        v_profile := aicrm_private.scoring_profile(p_customer_id);
        v_contact_emails := coalesce(v_profile.contact_emails, '{}');
        v_contact_phones := coalesce(v_profile.contact_phones, '{}');
    end if;

    -- The packs that apply (applicable_compliance_packs, below) and all their forbidden patterns as
    -- one alternation (see below).
    v_packs := aicrm_private.applicable_compliance_packs(v_tenant, p_channel, v_customer.industry_category);
    select string_agg('(?:' || r.pattern || ')', '|' order by r.pack_code, r.rule_code) into v_pattern
    from aicrm.compliance_rules r
    where r.pack_code = any(v_packs) and r.kind = 'forbidden_pattern' and r.requires_any is null;

    v_words := coalesce(p_features.words, aicrm_private.words_of(p_text || E'\n' || v_subject));
    v_elements := aicrm_private.compliance_elements(
        p_text, v_words, v_profile, case when p_features is not null then p_features.cta_start is not null end);
    -- What no rewrite can supply: the customer's profile has no street for the postal address, nor a
    -- website, phone or email for contact details. Such a missing element is a profile gap, not the
    -- writer's fault: its finding says so (fixable false, the field to fill), and the default rules
    -- send the draft to a person at once instead of retrying it.
    if p_customer_id is not null then
        v_gaps := aicrm_private.compliance_profile_gaps(
            v_profile, coalesce(v_customer.website, v_customer.phone, v_customer.email) is not null);
    end if;

    -- Most drafts are clean, so one test of all the packs' patterns at once (one alternation), of all
    -- competitors at once and of the contacts' details decides whether the rules need looking at
    -- one by one; PostgreSQL caches few compiled regexes, so fewer distinct ones is what is fast.
    v_any_forbidden := v_pattern is not null and (p_text ~* v_pattern or v_subject ~* v_pattern);
    v_any_competitor := cardinality(aicrm_private.keys_in_words(v_words, v_profile.competitor_keys)) > 0;
    v_digits := regexp_replace(p_text || ' ' || v_subject, '\D+', '', 'g');
    v_any_contact := exists (select from unnest(v_contact_emails) e where strpos(lower(p_text || ' ' || v_subject), e) > 0)
        or exists (select from unnest(v_contact_phones) p where strpos(v_digits, right(p, 7)) > 0);

    -- The packs' rules that can find something: a missing element, a forbidden pattern when the
    -- alternation matched, a competitor or a contact's details when one appears.
    for v_rule in
        select r.* from aicrm.compliance_rules r
        where r.pack_code = any(v_packs)
          and case r.kind when 'required_element' then not (v_elements ->> r.element)::boolean
                          -- (A rule outside the alternation when the draft has one of its words.)
                          when 'forbidden_pattern' then case when r.requires_any is null then v_any_forbidden
                              else cardinality(aicrm_private.keys_in_words(v_words, r.requires_any)) > 0 end
                          else (r.element = 'competitor_name' and v_any_competitor)
                               or (r.element = 'contact_personal_data' and v_any_contact) end
        order by r.pack_code, r.rule_code
    loop
        if v_rule.kind = 'required_element' then
            if not (v_elements ->> v_rule.element)::boolean then
                v_found := v_found || (aicrm_private.compliance_violation(
                    v_rule.pack_code, v_rule.rule_code, v_rule.severity, 'content', null, null, null, v_rule.message,
                    format('no %s found in the content', replace(v_rule.element, '_', ' ')), v_rule.fix)
                    || aicrm_private.compliance_profile_gap(v_gaps ->> v_rule.element));
            end if;
            continue;
        elsif v_rule.kind = 'forbidden_pattern'
              -- The pattern as compliance_spans writes it: one compiled regex for the test and the spans.
              and not (p_text ~* ('(' || v_rule.pattern || ')') or v_subject ~* ('(' || v_rule.pattern || ')')) then
            continue;
        elsif v_rule.element = 'competitor_name' and not v_any_competitor then
            continue;
        elsif v_rule.element = 'contact_personal_data' and not v_any_contact then
            continue;
        end if;
        for v_field in select * from (values ('content', p_text), ('subject', v_subject)) f (name, body) loop
            for v_span in
                select s.*, aicrm_private.compliance_evidence(v_field.body, s.span_start, s.span_end) as evidence
                from aicrm_private.compliance_spans(v_field.body, v_rule.pattern) s
                union all
                select s.*, format('"%s" is a competitor of %s', c.name, v_customer.name)
                from (select btrim(e ->> 'name') as name from jsonb_array_elements(v_customer.competitors) e
                      where v_rule.element = 'competitor_name' and nullif(btrim(e ->> 'name'), '') is not null) c
                cross join lateral aicrm_private.compliance_spans(v_field.body, aicrm_private.compliance_name_pattern(c.name)) s
                -- A name is a proper noun: "Golden Loaf" is the competitor, "a golden loaf" is bread.
                where s.span_text ~ '^[[:upper:][:digit:]]' or c.name !~ '^[[:upper:]]'
                union all
                select s.*, 'the email address of one of the customer''s contacts'
                from aicrm_private.compliance_spans(v_field.body, c_email, 1000) s
                where v_rule.element = 'contact_personal_data' and lower(s.span_text) = any(v_contact_emails)
                union all
                select s.*, 'the phone number of one of the customer''s contacts'
                from aicrm_private.compliance_spans(v_field.body, c_phone, 1000) s
                cross join lateral (select regexp_replace(s.span_text, '\D', '', 'g') as digits) d
                where v_rule.element = 'contact_personal_data' and length(d.digits) >= 7
                  and exists (select from unnest(v_contact_phones) cp (digits)
                              where cp.digits = d.digits
                                 or (length(cp.digits) >= 10 and length(d.digits) >= 10
                                     and right(cp.digits, 10) = right(d.digits, 10)))
            loop
                v_found := v_found || aicrm_private.compliance_violation(
                    v_rule.pack_code, v_rule.rule_code, v_rule.severity, v_field.name, v_span.span_start,
                    v_span.span_end, v_span.span_text, v_rule.message, v_span.evidence, v_rule.fix);
            end loop;
        end loop;
    end loop;

    -- The tenant's own terms (tenant-wide and this customer's), then the task's, each reduced to its
    -- words once and judged in one statement: a required term is missing unless its element (a
    -- "call to action" is any CTA) or its words are found; a forbidden term is looked for span by
    -- span only when its words are found ("competitor names": the customer's competitors).
    with terms as (
        select 'tenant' as source, t.term_id::text as term_id, t.term, t.kind, t.severity, t.fix
        from aicrm.tenant_compliance_terms t
        where t.tenant_id = v_tenant and (t.customer_id is null or t.customer_id = p_customer_id)
        union all
        select 'instructions', null, btrim(i.term), i.kind, 'major', null
        from jsonb_to_recordset(case when jsonb_typeof(p_terms) = 'array' then p_terms else '[]' end)
            as i (term text, kind text)
        where nullif(btrim(i.term), '') is not null and i.kind in ('required', 'forbidden')
    ),
    keyed as materialized (
        select t.*, n.norm, n.key,
               case when t.kind = 'required' then aicrm_private.required_term_element(n.norm) end as element
        from terms t
        cross join lateral (
            select aicrm_private.phrase_key(translate(t.term, '_-', '  ')) as norm, aicrm_private.phrase_key(t.term) as key
            offset 0
        ) n
    ),
    judged as (
        select k.*,
               case when k.element is not null then (v_elements ->> k.element)::boolean
                    else k.key <> '' and strpos(v_words, ' ' || k.key || ' ') > 0 end as present
        from keyed k
    )
    select
        v_found || coalesce(jsonb_agg(jsonb_build_object('term', j.term) || aicrm_private.compliance_violation(
                j.source, 'required_term', j.severity, 'content', null, null, null,
                format('The required "%s" is missing.', j.term),
                case when j.element is null then format('"%s" does not appear', j.term)
                     else format('no %s found in the content', replace(j.element, '_', ' ')) end,
                coalesce(j.fix, format('Include %s.', j.term))) || aicrm_private.compliance_profile_gap(v_gaps ->> j.element)
            order by j.source desc, j.term, j.term_id) filter (where j.kind = 'required' and not j.present), '[]'),
        coalesce(jsonb_agg(jsonb_build_object('source', j.source, 'term', j.term, 'severity', j.severity, 'fix', j.fix,
                                              'norm', j.norm)
            order by j.source desc, j.term, j.term_id)
            filter (where j.kind = 'forbidden'
                      and (j.present or j.norm in ('competitor names', 'competitor name', 'competitors', 'competitor'))),
            '[]')
    into v_found, v_forbidden
    from judged j;

    for v_term in
        select * from jsonb_to_recordset(v_forbidden) as x (source text, term text, severity text, fix text, norm text)
    loop
        v_norm := v_term.norm;
        if v_norm in ('competitor names', 'competitor name', 'competitors', 'competitor') then
            v_pattern := (
                select string_agg(aicrm_private.compliance_name_pattern(btrim(e ->> 'name')), '|')
                from jsonb_array_elements(v_customer.competitors) e
                where nullif(btrim(e ->> 'name'), '') is not null);
        else
            v_pattern := aicrm_private.compliance_phrase_pattern(v_term.term);
        end if;
        for v_field in select * from (values ('content', p_text), ('subject', v_subject)) f (name, body) loop
            for v_span in
                select * from aicrm_private.compliance_spans(v_field.body, v_pattern) x
                where v_norm not in ('competitor names', 'competitor name', 'competitors', 'competitor')
                   or x.span_text ~ '^[[:upper:][:digit:]]'
            loop
                v_found := v_found || jsonb_build_array(jsonb_build_object('term', v_term.term) || aicrm_private.compliance_violation(
                    v_term.source, 'forbidden_term', v_term.severity, v_field.name, v_span.span_start, v_span.span_end,
                    v_span.span_text, format('"%s" must not appear.', v_term.term),
                    aicrm_private.compliance_evidence(v_field.body, v_span.span_start, v_span.span_end),
                    coalesce(v_term.fix, format('Remove "%s".', v_span.span_text))));
            end loop;
        end loop;
    end loop;

    if v_found = '[]'::jsonb then  -- a clean draft, as most are
        return jsonb_build_object('violations', '[]'::jsonb, 'elements', v_elements, 'packs', to_jsonb(v_packs),
                                  'counts', jsonb_build_object('critical', 0, 'major', 0, 'minor', 0),
                                  'profile_gaps', '[]'::jsonb);
    end if;
    -- One finding per offence: a span overlapped by a more severe finding, or exactly the span of an
    -- equally severe earlier one ("risk-free investment" is a finance violation, not also a general one),
    -- is left out.
    with found as (
        select case when v.doc -> 'span' is null or v.doc -> 'span' = 'null' then v.doc
                    else jsonb_set(v.doc, '{span,text}', to_jsonb(substr(
                        v_written[case when v.doc ->> 'field' = 'subject' then 2 else 1 end],
                        (v.doc #>> '{span,start}')::integer + 1,
                        (v.doc #>> '{span,end}')::integer - (v.doc #>> '{span,start}')::integer))) end as doc,
               v.ord,
               case v.doc ->> 'severity' when 'critical' then 3 when 'major' then 2 else 1 end as rank,
               (v.doc #>> '{span,start}')::integer as s, (v.doc #>> '{span,end}')::integer as e
        from jsonb_array_elements(v_found) with ordinality v (doc, ord)
    ),
    kept as (
        select f.* from found f
        where not exists (
            select from found o
            where o.ord <> f.ord and o.doc ->> 'field' = f.doc ->> 'field' and o.s is not null and f.s is not null
              and o.s < f.e and f.s < o.e
              and (o.rank > f.rank or (o.rank = f.rank and o.s = f.s and o.e = f.e and o.ord < f.ord)))
    )
    select jsonb_build_object(
        'violations', coalesce(jsonb_agg(
            k.doc || jsonb_build_object('fixable', coalesce((k.doc ->> 'fixable')::boolean, true))
            order by k.doc ->> 'field', k.s nulls last, k.rank desc, k.doc ->> 'pack', k.doc ->> 'rule', k.ord), '[]'),
        -- The profile fields whose absence no rewrite can make up for (each once).
        'profile_gaps', coalesce((select jsonb_agg(distinct g.doc ->> 'profile_gap') from kept g
                                  where g.doc ? 'profile_gap'), '[]'),
        'elements', v_elements,
        'packs', to_jsonb(v_packs),
        'counts', jsonb_build_object(
            'critical', count(*) filter (where k.rank = 3),
            'major', count(*) filter (where k.rank = 2),
            'minor', count(*) filter (where k.rank = 1)))
    into v_result
    from kept k;
    return v_result;
end
$$;

grant execute on function aicrm_private.check_compliance(text, text, text, uuid, jsonb, aicrm_private.draft_features)
to aicrm_app, aicrm_worker;

-- The helpers below are shared by check_compliance and the assembly of a draft's system-owned parts
-- (private/tasks/assemble_draft.sql) and the context's completeness report
-- (context/context_completeness.sql): one rule each, in one place.

-- The packs that apply to a draft of p_tenant on p_channel for a customer of p_industry, sorted: a
-- pack applies when enabled (the tenant's choice, else the default), to this channel, and to the
-- customer's industry; a pack the tenant enabled explicitly applies to every industry.
create or replace function aicrm_private.applicable_compliance_packs(p_tenant uuid, p_channel text, p_industry text)
returns text[]
language sql
stable
set search_path = ''
as $$
    select coalesce(array_agg(p.pack_code order by p.pack_code), '{}')
    from aicrm.compliance_packs as p
    left join aicrm.tenant_compliance_packs as t on t.tenant_id = p_tenant and t.pack_code = p.pack_code
    where coalesce(t.enabled, p.enabled_by_default)
      and (p.channels = '{}' or p_channel = any(p.channels))
      and (p.industries = '{}' or p_industry = any(p.industries) or t.enabled)
$$;

grant execute on function aicrm_private.applicable_compliance_packs(uuid, text, text) to aicrm_app, aicrm_worker;

-- Which must-include elements a text has: a call to action, the business's name, contact details,
-- unsubscribe, postal address, SMS opt-out, found by patterns (not by the words "CTA" or "contact
-- info"). p_words: the text's words (words_of, with the subject's when there is one); p_profile:
-- the customer's scoring profile (all null without a customer); p_cta: whether draft_features_of
-- found a call to action (null: looked for here).
create or replace function aicrm_private.compliance_elements(
    p_text text, p_words text, p_profile aicrm.customer_scoring_profiles, p_cta boolean default null
)
returns jsonb
language plpgsql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
begin
    return jsonb_build_object(
        'cta', coalesce(p_cta, p_text ~* aicrm_private.content_cta_pattern()),
        'business_name', cardinality(aicrm_private.keys_in_words(p_words, p_profile.name_keys)) > 0,
        'contact_info', coalesce(strpos(lower(p_text), p_profile.website_host) > 0, false)
            or p_text ~* '[[:alnum:]._%+-]+@[[:alnum:].-]+\.[[:alpha:]]{2,}'
            or p_text ~* ('(https?://|www\.)[^\s<>"]+|(?<![@[:alnum:]_.-])[[:alnum:]-]+(\.[[:alnum:]-]+)*'
                || '\.(com|net|org|io|co|biz|info|shop|store|us|uk|ca|au|de)(?![[:alnum:]_])')
            or exists (select from regexp_matches(p_text, '\+?\(?[0-9][0-9 ().-]{5,}[0-9]', 'g') m
                       where length(regexp_replace(m[1], '\D+', '', 'g')) >= 7),
        'unsubscribe', p_text ~* '\y(unsubscribe|opt[- ]?out|manage\s+(your\s+)?(email\s+|subscription\s+)?(preferences|subscription))\y',
        'postal_address', coalesce(strpos(p_words, ' ' || p_profile.street_key || ' ') > 0, false)
            or p_text ~* ('\y\d{1,6}\s+([[:alpha:]][[:alpha:].''-]*\s+){1,4}(street|st|avenue|ave|road|rd|boulevard|blvd'
                || '|lane|ln|drive|dr|way|court|ct|place|pl|parkway|pkwy|highway|hwy|square|sq|terrace|ter)\y'
                || '|\yp\.?\s*o\.?\s+box\s+\d+'),
        'sms_opt_out', p_text ~* ('\y(reply|text|txt|send)\s+["''“]?stop\y'
                || '|\ystop["''”]?\s+to\s+(opt[- ]?out|unsubscribe|end|cancel|quit|stop)\y')
    );
end
$$;

grant execute on function aicrm_private.compliance_elements(text, text, aicrm.customer_scoring_profiles, boolean)
to aicrm_app, aicrm_worker;

-- What no rewrite can supply: element -> the profile field a draft would need for it and the
-- customer's profile lacks. A postal address needs a street (address.street); contact details need
-- the business's website, phone or email, or a contact's (p_has_public_contact: the customer has a
-- website, phone or email).
create or replace function aicrm_private.compliance_profile_gaps(
    p_profile aicrm.customer_scoring_profiles, p_has_public_contact boolean
)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
    select jsonb_strip_nulls(jsonb_build_object(
        'postal_address', case when p_profile.street_key is null then 'address.street' end,
        'contact_info', case when not p_has_public_contact
                                  and cardinality(coalesce(p_profile.contact_emails, '{}'))
                                      + cardinality(coalesce(p_profile.contact_phones, '{}')) = 0
                             then 'website, phone or email' end))
$$;

grant execute on function aicrm_private.compliance_profile_gaps(aicrm.customer_scoring_profiles, boolean)
to aicrm_app, aicrm_worker;
