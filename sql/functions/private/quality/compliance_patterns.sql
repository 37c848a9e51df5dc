-- Compliance (check_compliance.sql): a phrase and a business name as patterns.

-- A phrase as a whole-word pattern: regex characters escaped, any run of white space between words,
-- straight or curly apostrophes, "&" and "and" interchangeable. Built with plain string functions
-- (and the one '\s+' regex used everywhere): PostgreSQL caches few compiled regexes, and a
-- scorecard builds many patterns.
create or replace function aicrm_private.compliance_phrase_pattern(p_phrase text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select '(?<![[:alnum:]_])'
        || replace(replace(replace(
            string_agg(case when lower(t.word) in ('&', 'and') then chr(1)
                            else replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
                                 replace(replace(replace(replace(t.word, '\', '\\'), '.', '\.'), '^', '\^'),
                                 '$', '\$'), '*', '\*'), '+', '\+'), '?', '\?'), '(', '\('), ')', '\)'),
                                 '[', '\['), ']', '\]'), '{', '\{'), '}', '\}'), '|', '\|') end,
                       chr(2) order by t.ord),
            chr(2) || chr(1) || chr(2), '\s*(&|and)\s*'), chr(2), '\s+'), '''', '[''’]?')
        || '(?![[:alnum:]_])'
    from regexp_split_to_table(btrim(replace(p_phrase, '&', ' & ')), '\s+') with ordinality as t (word, ord)
    where t.word <> ''
$$;

grant execute on function aicrm_private.compliance_phrase_pattern(text) to aicrm_app, aicrm_worker;

-- A business name as a pattern: the full name, or the name without its legal form (Inc, LLC, ...),
-- unless that leaves "Crumb &"; a trailing dot is never part of the match.
create or replace function aicrm_private.compliance_name_pattern(p_name text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select case when v.short = v.full_name or v.short = '' or right(v.short, 1) = '&' or lower(v.short) like '% and'
                then aicrm_private.compliance_phrase_pattern(v.full_name)
                else '(' || aicrm_private.compliance_phrase_pattern(v.full_name) || '|'
                    || aicrm_private.compliance_phrase_pattern(v.short) || ')'
           end
    from (select btrim(rtrim(btrim(p_name), '.')) as full_name) n
    cross join lateral (
        select rtrim(btrim(regexp_replace(n.full_name,
            '[,\s]+(inc|llc|l\.l\.c|ltd|limited|co|corp|corporation|gmbh|plc|pllc|llp)\.?$', '', 'i')), '.,') as short,
            n.full_name
    ) v
$$;

grant execute on function aicrm_private.compliance_name_pattern(text) to aicrm_app, aicrm_worker;
