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

-- The placeholder values for one customer (null where the context has no value).
create or replace function aicrm_private.template_values(p_customer_id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
    select jsonb_build_object(
        'business_name', c.name,
        'industry', i.display_name,
        'business_description', nullif(btrim(c.business_description), ''),
        'unique_selling_point', c.unique_selling_points[1],
        'unique_selling_points', aicrm_private.words_list(c.unique_selling_points),
        'featured_product', coalesce(
            (select p ->> 'name' from jsonb_array_elements(c.products_services) with ordinality as x (p, ord)
             where (p ->> 'featured')::boolean order by x.ord limit 1),
            c.products_services #>> '{0,name}'),
        'products_services', aicrm_private.words_list(array(
            select p ->> 'name' from jsonb_array_elements(c.products_services) with ordinality as x (p, ord)
            order by x.ord limit 5)),
        'target_audience', nullif(btrim(c.target_audience ->> 'summary'), ''),
        'phone', nullif(btrim(c.phone), ''),
        'email', nullif(btrim(c.email), ''),
        'website', nullif(btrim(c.website), ''),
        'address', nullif(concat_ws(', ', nullif(btrim(c.address ->> 'street'), ''), nullif(btrim(c.address ->> 'city'), ''),
            nullif(btrim(concat_ws(' ', c.address ->> 'region', c.address ->> 'postal_code')), '')), ''),
        'city', nullif(btrim(c.address ->> 'city'), ''),
        'business_hours', aicrm_private.hours_in_words(c.business_hours),
        'cta', coalesce(nullif(btrim(c.content_preferences ->> 'default_cta'), ''), 'Get in touch today'),
        'cta_url', coalesce(nullif(btrim(c.content_preferences ->> 'cta_url'), ''), nullif(btrim(c.website), '')),
        'signature', coalesce(nullif(btrim(c.content_preferences ->> 'signature'), ''), 'The ' || c.name || ' team'),
        'hashtags', (select nullif(string_agg(h, ' ' order by x.ord), '')
                     from jsonb_array_elements_text(coalesce(c.content_preferences -> 'hashtags', '[]'))
                         with ordinality as x (h, ord)),
        'brand_phrase', c.brand_voice #>> '{phrases_to_use,0}'
    )
    from aicrm.customers c
    left join aicrm.industries i on i.industry_category = c.industry_category
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

-- A template rendered for a customer: {template_id, name, version, variant, subject, body,
-- missing, customer_id, context_version}. Pure substitution: no expression is evaluated and
-- nothing but the customer's own business context is read.
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
    v_missing text[] := '{}';
    v_subject text;
    v_body text;
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
    v_subject := coalesce(v_variant ->> 'subject', v_template.subject);
    v_body := coalesce(v_variant ->> 'body', v_template.body);
    v_missing := array(
        select distinct m[1]
        from regexp_matches(concat_ws(E'\n', v_subject, v_body), '\{\{\s*([a-z_]+)\s*\}\}', 'g') as m
        where v_values ->> m[1] is null
          and not exists (select from aicrm_private.template_placeholders() p where p.name = m[1] and p.merge_tag)
        order by 1);
    v_subject := aicrm_private.fill_template(v_subject, v_values);
    v_body := aicrm_private.fill_template(v_body, v_values);
    return jsonb_build_object(
        'template_id', v_template.template_id, 'name', v_template.name, 'version', v_template.version,
        'variant', p_variant, 'channel', v_template.channel, 'purpose', v_template.purpose,
        'subject', v_subject, 'body', v_body, 'missing', to_jsonb(v_missing),
        'customer_id', p_customer_id,
        'context_version', (select c.context_version from aicrm.customers c
                            where c.tenant_id = v_tenant and c.customer_id = p_customer_id));
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
