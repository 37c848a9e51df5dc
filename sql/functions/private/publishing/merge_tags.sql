-- Email merge tags (docs/pipeline.md, "Merge tags and unsubscribe links"): which there are, which a
-- text holds, and how they are filled per recipient.

-- The email merge tags: what the scorecard lets through as "filled when sent"
-- (private/quality/score_structure.sql) and the template library leaves for the sending service.
-- Over SMTP aicrm fills every one of them (fill_merge_tags); a webhook's receiver fills those its
-- payload lists (merge_tags).
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
