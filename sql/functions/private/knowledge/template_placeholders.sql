-- Content templates: the placeholders a template may use, checked when it is saved.

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
