-- Content templates: placeholders checked when saved, rendering by pure substitution, and the
-- library every tenant starts with.

-- The placeholders a template may use: each names a field of the customer's business context
-- (the customer-context schema), or is an email merge tag the sending service fills and rendering
-- leaves as it is.
create or replace function aicrm_private.template_placeholders()
returns table (name text, source text, merge_tag boolean)
language sql
immutable
parallel safe
set search_path = ''
as $$
    values
        ('business_name', 'customers.name', false),
        ('industry', 'industries.display_name of customers.industry_category', false),
        ('business_description', 'customers.business_description', false),
        ('unique_selling_point', 'the first of customers.unique_selling_points', false),
        ('unique_selling_points', 'customers.unique_selling_points, as a list in words', false),
        ('featured_product', 'the first featured product (else the first) of customers.products_services', false),
        ('products_services', 'up to five names of customers.products_services, as a list in words', false),
        ('target_audience', 'customers.target_audience.summary', false),
        ('phone', 'customers.phone', false),
        ('email', 'customers.email', false),
        ('website', 'customers.website', false),
        ('address', 'customers.address: street, city, region and postal code', false),
        ('city', 'customers.address.city', false),
        ('business_hours', 'customers.business_hours.weekly, in words (Mon-Fri 07:00-18:00, ...)', false),
        ('cta', 'customers.content_preferences.default_cta (else "Get in touch today")', false),
        ('cta_url', 'customers.content_preferences.cta_url (else customers.website)', false),
        ('signature', 'customers.content_preferences.signature (else "The <business name> team")', false),
        ('hashtags', 'customers.content_preferences.hashtags, space separated', false),
        ('brand_phrase', 'the first of customers.brand_voice.phrases_to_use', false),
        ('first_name', 'email merge tag: the recipient''s first name, filled when sent', true),
        ('last_name', 'email merge tag: the recipient''s last name, filled when sent', true),
        ('unsubscribe_url', 'email merge tag: the unsubscribe link, filled when sent', true),
        ('preferences_url', 'email merge tag: the preferences link, filled when sent', true),
        ('view_in_browser_url', 'email merge tag: the web version''s link, filled when sent', true)
$$;

grant execute on function aicrm_private.template_placeholders() to aicrm_app, aicrm_worker, aicrm_readonly;

-- Refuses (AC001, naming the field) any placeholder that is not exactly {{name}} with a known name:
-- a template is text with holes, never an expression ({{ ''.__class__ }}, {{ (select ...) }}).
create or replace function aicrm_private.check_template_text(p_field text, p_text text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
    v_bad text;
begin
    if p_text is null then
        return;
    end if;
    select m[1] into v_bad
    from regexp_matches(p_text, '(\{\{[^}]{0,80}\}?\}?|\}\})', 'g') as m
    where m[1] !~ '^\{\{\s*[a-z_]+\s*\}\}$'
       or not exists (select from aicrm_private.template_placeholders() p
                      where p.name = regexp_replace(m[1], '[{}\s]', '', 'g'))
    limit 1;
    if v_bad is not null then
        raise exception using errcode = 'AC001',
            message = format('%s: %s is not a placeholder', p_field, v_bad),
            detail = 'Placeholders are {{name}} with a name from the business context; nothing else between {{ and }}.',
            hint = 'Placeholders: ' || (select string_agg('{{' || p.name || '}}', ', ') from aicrm_private.template_placeholders() p),
            column = p_field;
    end if;
end
$$;

grant execute on function aicrm_private.check_template_text(text, text) to aicrm_app, aicrm_worker, aicrm_readonly;

-- BEFORE INSERT/UPDATE on content_templates: placeholders checked in subject, body and every
-- variant; the version goes up when the text or its scope changes.
create or replace function aicrm_private.tg_content_templates__prepare()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    v_variant record;
begin
    perform aicrm_private.check_template_text('subject', new.subject);
    perform aicrm_private.check_template_text('body', new.body);
    for v_variant in select v.item, v.ord - 1 as i from jsonb_array_elements(new.variants) with ordinality as v (item, ord) loop
        perform aicrm_private.check_template_text(format('variants[%s].subject', v_variant.i), v_variant.item ->> 'subject');
        perform aicrm_private.check_template_text(format('variants[%s].body', v_variant.i), v_variant.item ->> 'body');
    end loop;
    if tg_op = 'INSERT' then
        new.version := 1;
    elsif (new.name, new.industry_category, new.purpose, new.channel, new.subject, new.body, new.guidelines,
           new.variants, new.active)
          is distinct from
          (old.name, old.industry_category, old.purpose, old.channel, old.subject, old.body, old.guidelines,
           old.variants, old.active) then
        new.version := old.version + 1;
    else
        new.version := old.version;
    end if;
    return new;
end
$$;

-- A list in words: "a", "a and b", "a, b and c".
create or replace function aicrm_private.words_list(p_items text[])
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select case
        when cardinality(x.items) = 0 then null
        when cardinality(x.items) = 1 then x.items[1]
        else array_to_string(x.items[1:cardinality(x.items) - 1], ', ') || ' and ' || x.items[cardinality(x.items)]
    end
    from (select coalesce(array_remove(array_remove(p_items, null), ''), '{}') as items) x
$$;

grant execute on function aicrm_private.words_list(text[]) to aicrm_app, aicrm_worker, aicrm_readonly;

-- Weekly opening hours in words, consecutive days with the same hours joined: "Mon-Fri 07:00-18:00,
-- Sat 08:00-14:00, Sun closed".
create or replace function aicrm_private.hours_in_words(p_business_hours jsonb)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    c_days constant text[] := '{mon,tue,wed,thu,fri,sat,sun}';
    c_names constant text[] := '{Mon,Tue,Wed,Thu,Fri,Sat,Sun}';
    v_weekly jsonb := p_business_hours -> 'weekly';
    v_parts text[] := '{}';
    v_hours text;
    v_prev text;
    v_start integer;
    v_i integer;
begin
    if jsonb_typeof(v_weekly) is distinct from 'object' or v_weekly = '{}' then
        return null;
    end if;
    for v_i in 1 .. 8 loop
        v_hours := case when v_i > 7 then null
            when not v_weekly ? c_days[v_i] then 'hours not set'
            when jsonb_array_length(v_weekly -> c_days[v_i]) = 0 then 'closed'
            else (select string_agg((h ->> 'open') || '-' || (h ->> 'close'), ', ' order by h ->> 'open')
                  from jsonb_array_elements(v_weekly -> c_days[v_i]) h) end;
        if v_i > 1 and v_hours is distinct from v_prev then
            if v_prev <> 'hours not set' then
                v_parts := v_parts || (c_names[v_start]
                    || case when v_i - 1 > v_start then '-' || c_names[v_i - 1] else '' end || ' ' || v_prev);
            end if;
            v_start := v_i;
        elsif v_i = 1 then
            v_start := 1;
        end if;
        v_prev := v_hours;
    end loop;
    return nullif(array_to_string(v_parts, ', '), '');
end
$$;

grant execute on function aicrm_private.hours_in_words(jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;

-- The placeholder values of a business context document (customer_context_document's shape, or
-- a snapshot of it in customer_context_versions), null where the context has no value. The one
-- definition of every value: render_template fills them, get_customer_context_for_ai hands them
-- to writers as template_values.
create or replace function aicrm_private.template_values_of(p_context jsonb)
returns jsonb
language sql
stable
set search_path = ''
as $$
    select jsonb_build_object(
        'business_name', p_context ->> 'name',
        'industry', (select i.display_name from aicrm.industries i
                     where i.industry_category = p_context #>> '{industry,category}'),
        'business_description', nullif(btrim(x.business ->> 'description'), ''),
        'unique_selling_point', x.usps[1],
        'unique_selling_points', aicrm_private.words_list(x.usps),
        'featured_product', coalesce(
            (select p ->> 'name' from jsonb_array_elements(x.products) with ordinality as y (p, ord)
             where (p ->> 'featured')::boolean order by y.ord limit 1),
            x.products #>> '{0,name}'),
        'products_services', aicrm_private.words_list(array(
            select p ->> 'name' from jsonb_array_elements(x.products) with ordinality as y (p, ord)
            order by y.ord limit 5)),
        'target_audience', nullif(btrim(x.business #>> '{target_audience,summary}'), ''),
        'phone', nullif(btrim(x.business ->> 'phone'), ''),
        'email', nullif(btrim(x.business ->> 'email'), ''),
        'website', nullif(btrim(x.business ->> 'website'), ''),
        'address', nullif(concat_ws(', ', nullif(btrim(x.address ->> 'street'), ''), nullif(btrim(x.address ->> 'city'), ''),
            nullif(btrim(concat_ws(' ', x.address ->> 'region', x.address ->> 'postal_code')), '')), ''),
        'city', nullif(btrim(x.address ->> 'city'), ''),
        'business_hours', aicrm_private.hours_in_words(x.business -> 'business_hours'),
        'cta', coalesce(nullif(btrim(x.prefs ->> 'default_cta'), ''), 'Get in touch today'),
        'cta_url', coalesce(nullif(btrim(x.prefs ->> 'cta_url'), ''), nullif(btrim(x.business ->> 'website'), '')),
        'signature', coalesce(nullif(btrim(x.prefs ->> 'signature'), ''), 'The ' || (p_context ->> 'name') || ' team'),
        'hashtags', (select nullif(string_agg(h, ' ' order by y.ord), '')
                     from jsonb_array_elements_text(case when jsonb_typeof(x.prefs -> 'hashtags') = 'array'
                                                         then x.prefs -> 'hashtags' else '[]' end)
                         with ordinality as y (h, ord)),
        'brand_phrase', p_context #>> '{brand_voice,phrases_to_use,0}'
    )
    from (
        select b as business, coalesce(b -> 'address', '{}') as address, coalesce(p_context -> 'content_preferences', '{}') as prefs,
               case when jsonb_typeof(b -> 'products_services') = 'array' then b -> 'products_services' else '[]' end as products,
               array(select u from jsonb_array_elements_text(case when jsonb_typeof(b -> 'unique_selling_points') = 'array'
                                                                  then b -> 'unique_selling_points' else '[]' end)
                         with ordinality as y (u, ord) order by y.ord) as usps
        from (select coalesce(p_context -> 'business', '{}') as b) b
    ) x
$$;

grant execute on function aicrm_private.template_values_of(jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;

-- The placeholder values for one customer as it is now (null when there is no such customer in
-- the tenant).
create or replace function aicrm_private.template_values(p_customer_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
    select aicrm_private.template_values_of(aicrm_private.customer_context_document(c))
    from aicrm.customers c
    where c.tenant_id = aicrm_private.require_tenant() and c.customer_id = p_customer_id
$$;

grant execute on function aicrm_private.template_values(uuid) to aicrm_app, aicrm_worker, aicrm_readonly;

-- Substitutes every {{name}} with its value in one pass, so a value that itself contains "{{...}}"
-- stays literal text; merge tags stay as they are; a placeholder without a value becomes empty
-- text (render_template reports it).
create or replace function aicrm_private.fill_template(p_text text, p_values jsonb)
returns text
language sql
stable
set search_path = ''
as $$
    select string_agg(x.part, '' order by x.ord)
    from (
        select 2 * s.ord - 1 as ord, s.piece as part
        from regexp_split_to_table(p_text, '\{\{\s*[a-z_]+\s*\}\}') with ordinality as s (piece, ord)
        union all
        select 2 * m.ord, case when p.merge_tag then m.found[1] else coalesce(p_values ->> m.found[2], '') end
        from regexp_matches(p_text, '(\{\{\s*([a-z_]+)\s*\}\})', 'g') with ordinality as m (found, ord)
        left join aicrm_private.template_placeholders() p on p.name = m.found[2]
    ) x
$$;

grant execute on function aicrm_private.fill_template(text, jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;

-- A filled text without its gaps: every sentence that holds the gap mark (U+E000, put where a
-- placeholder had no value) is left out, and the whole paragraph when its first sentence holds
-- one (the rest of it is about what is missing), so "Why it's worth the trip: ." is never
-- written. Paragraphs are separated by blank lines; a sentence ends with . ! or ? before a space.
create or replace function aicrm_private.without_gaps(p_marked text)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    v_paragraphs text[] := '{}';
    v_paragraph text;
    v_lines text[];
    v_line text;
    v_sentences text[];
    v_sentence text;
    v_first boolean;
begin
    if strpos(p_marked, chr(57344)) = 0 then
        return p_marked;  -- nothing missing: the text as it is
    end if;
    <<paragraphs>>
    foreach v_paragraph in array regexp_split_to_array(btrim(p_marked, E' \t\r\n'), '\n\s*\n') loop
        v_lines := '{}';
        v_first := true;
        foreach v_line in array string_to_array(v_paragraph, E'\n') loop
            v_sentences := '{}';
            foreach v_sentence in array regexp_split_to_array(v_line, '(?<=[.!?])[ \t]+') loop
                continue when v_sentence !~ '\S';
                if strpos(v_sentence, chr(57344)) > 0 then
                    continue paragraphs when v_first;  -- the paragraph is about what is missing
                else
                    v_sentences := v_sentences || v_sentence;
                end if;
                v_first := false;
            end loop;
            if cardinality(v_sentences) > 0 then
                v_lines := v_lines || array_to_string(v_sentences, ' ');
            end if;
        end loop;
        if cardinality(v_lines) > 0 then
            v_paragraphs := v_paragraphs || array_to_string(v_lines, E'\n');
        end if;
    end loop;
    return array_to_string(v_paragraphs, E'\n\n');
end
$$;

grant execute on function aicrm_private.without_gaps(text) to aicrm_app, aicrm_worker, aicrm_readonly;

-- A subject and body rendered with the values: {subject, body, missing} as render_template
-- returns them and, when something is missing, {subject_without_gaps, body_without_gaps}: the same
-- text without the sentences that had an empty placeholder (see without_gaps; the subject null
-- when it had one), for writers that must not send a hole. One fill per text: the gaps are
-- marked, then the marks removed.
create or replace function aicrm_private.render_template_text(p_subject text, p_body text, p_values jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_marked jsonb;
    v_subject text;
    v_body text;
    v_result jsonb;
begin
    -- plpgsql, not sql: its plans are kept for the session, and the context renders a dozen texts.
    select jsonb_object_agg(p.name, case when nullif(btrim(replace(p_values ->> p.name, chr(57344), '')), '') is null
                                         then chr(57344) else replace(p_values ->> p.name, chr(57344), '') end)
    into v_marked
    from aicrm_private.template_placeholders() p
    where not p.merge_tag;
    v_subject := aicrm_private.fill_template(p_subject, v_marked);
    v_body := aicrm_private.fill_template(p_body, v_marked);
    v_result := jsonb_build_object(
        'subject', replace(v_subject, chr(57344), ''),
        'body', replace(v_body, chr(57344), ''),
        'missing', to_jsonb(array(
            select distinct m[1]
            from regexp_matches(concat_ws(E'\n', p_subject, p_body), '\{\{\s*([a-z_]+)\s*\}\}', 'g') as m
            where v_marked ->> m[1] = chr(57344)
            order by 1)));
    if strpos(concat(v_subject, v_body), chr(57344)) > 0 then
        v_result := v_result || jsonb_build_object(
            'subject_without_gaps', case when strpos(v_subject, chr(57344)) = 0 then v_subject end,
            'body_without_gaps', aicrm_private.without_gaps(v_body));
    end if;
    return v_result;
end
$$;

grant execute on function aicrm_private.render_template_text(text, text, jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;

-- A template rendered for a customer: {template_id, name, version, variant, subject, body,
-- missing, customer_id, context_version}, and subject_without_gaps and body_without_gaps when
-- something is missing (render_template_text). Pure
-- substitution: no expression is evaluated and nothing but the customer's own business context is
-- read.
create or replace function aicrm.render_template(p_template_id uuid, p_customer_id uuid, p_variant text default null)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_template aicrm.content_templates;
    v_variant jsonb;
    v_values jsonb;
begin
    select * into v_template from aicrm.content_templates t where t.tenant_id = v_tenant and t.template_id = p_template_id;
    if not found then
        raise exception using errcode = 'AC002', message = format('template_id: no template %s in this tenant', p_template_id),
            hint = 'List templates with: select template_id, name from aicrm.content_templates;', column = 'template_id';
    end if;
    v_values := aicrm_private.template_values(p_customer_id);
    if v_values is null then
        raise exception using errcode = 'AC002', message = format('customer_id: no customer %s in this tenant', p_customer_id),
            hint = 'Pass the id of a customer of this tenant.', column = 'customer_id';
    end if;
    if p_variant is not null then
        select v into v_variant from jsonb_array_elements(v_template.variants) v where v ->> 'key' = p_variant;
        if v_variant is null then
            raise exception using errcode = 'AC002', message = format('variant: the template has no variant %L', p_variant),
                hint = format('Variants: %s.', coalesce((select string_agg(v ->> 'key', ', ')
                    from jsonb_array_elements(v_template.variants) v), 'none')),
                column = 'variant';
        end if;
    end if;
    return jsonb_build_object(
        'template_id', v_template.template_id, 'name', v_template.name, 'version', v_template.version,
        'variant', p_variant, 'channel', v_template.channel, 'purpose', v_template.purpose,
        'customer_id', p_customer_id,
        'context_version', (select c.context_version from aicrm.customers c
                            where c.tenant_id = v_tenant and c.customer_id = p_customer_id))
        || aicrm_private.render_template_text(coalesce(v_variant ->> 'subject', v_template.subject),
                                              coalesce(v_variant ->> 'body', v_template.body), v_values);
end
$$;

grant execute on function aicrm.render_template(uuid, uuid, text) to aicrm_app, aicrm_worker, aicrm_readonly;

-- Copies the library's templates and examples the tenant lacks (by library_key) into it; returns
-- {templates, examples} added. create_tenant and `aicrm seed` call it; a tenant may then edit or
-- deactivate its copies (an edited copy is never overwritten).
create or replace function aicrm.install_content_library()
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_templates integer;
    v_examples integer;
begin
    insert into aicrm.content_templates (tenant_id, library_key, name, industry_category, purpose, channel, subject,
                                         body, guidelines, variants)
    select v_tenant, l.library_key, l.name, l.industry_category, l.purpose, l.channel, l.subject, l.body, l.guidelines,
           l.variants
    from aicrm.library_templates l
    where not exists (select from aicrm.content_templates t where t.tenant_id = v_tenant and t.library_key = l.library_key)
    on conflict do nothing;
    get diagnostics v_templates = row_count;
    insert into aicrm.content_examples (tenant_id, library_key, industry_category, purpose, channel, subject, content,
                                        polarity, annotations, effectiveness, source, embedding, embedding_model,
                                        embedded_at)
    select v_tenant, l.library_key, l.industry_category, l.purpose, l.channel, l.subject, l.content, l.polarity,
           l.annotations, l.effectiveness, 'library', l.embedding, l.embedding_model, now()
    from aicrm.library_examples l
    where not exists (select from aicrm.content_examples x where x.tenant_id = v_tenant and x.library_key = l.library_key)
    on conflict do nothing;
    get diagnostics v_examples = row_count;
    return jsonb_build_object('templates', v_templates, 'examples', v_examples);
end
$$;

grant execute on function aicrm.install_content_library() to aicrm_app;
