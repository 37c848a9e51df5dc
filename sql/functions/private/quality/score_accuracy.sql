-- The scorecard's accuracy dimension (grounding): score_accuracy and its context helpers. Every
-- checkable claim of a draft (accuracy_claims.sql), every process promise (accuracy_promises.sql)
-- and every invented-looking product name must be traceable to the customer's profile, the brief
-- (the task's ai_instructions) or the customer's approved examples. docs/quality.md, "accuracy".

-- The words around a claim that say what it is about (its sentence, 50 characters either side),
-- each cut to its first five letters ("fermented" and "ferment" are both "ferme"), without the
-- words that say nothing about the thing: "48-hour ferment" and "fermented for 36 hours" share
-- "ferme", so they are about the same thing.
create or replace function aicrm_private.accuracy_stems(p_text text)
returns text[]
language sql
immutable
parallel safe
-- No SET (private/quality/phrases.sql, at the top).
as $$
    select coalesce(array_agg(distinct left(w, 5)), '{}')
    from string_to_table(aicrm_private.phrase_key(p_text), ' ') as w
    where char_length(w) >= 4 and w !~ '^[0-9]'
      and left(w, 5) <> all ('{with,this,that,from,your,have,will,just,only,every,more,than,over,about,after,befor,'
          'each,their,they,them,into,also,what,when,make,made,like,take,takes,time,times,hour,hours,minut,days,week,'
          'weeks,month,year,years,perce,dolla,order,today,which,there,these,those,while,where,would,could,shoul,'
          'great,start,least,under,still,again,alway,reall,right,here,were,been,being,does,long,whole,until,open,'
          'opens,close,nearl,almos,aroun,upwar,price,cost,costs,plus,than,per,save,just,off,starting,start,'
          'ours,yours,them,need,want,come,back,first,last,next,then,even,much,many,most,some,sure,know,call,'
          'visit,book,weekd,weeke,monda,tuesd,wedne,thurs,frida,satur,sunda,daily,morni,eveni,night}'::text[])
$$;

grant execute on function aicrm_private.accuracy_stems(text) to aicrm_app, aicrm_worker;

create or replace function aicrm_private.accuracy_context(p_text text, p_start integer, p_end integer)
returns text[]
language sql
immutable
parallel safe
-- No SET (private/quality/phrases.sql, at the top).
as $$
    select aicrm_private.accuracy_stems(
        regexp_replace(substr(p_text, greatest(p_start - 50, 0) + 1, least(p_start, 50)), '^.*([.!?]\s|\n)', '')
        || ' ' || regexp_replace(substr(p_text, p_end + 1, 50), '([.!?](\s|$)|\n).*$', ''))
$$;

grant execute on function aicrm_private.accuracy_context(text, integer, integer) to aicrm_app, aicrm_worker;

-- The weekdays named in the clause before a time ("Mon-Fri 7am-7pm": mon..fri; "Saturdays 8-2":
-- sat), as the keys of business_hours.weekly; empty when none is named.
create or replace function aicrm_private.accuracy_days(p_before text)
returns text[]
language sql
immutable
parallel safe
-- No SET (private/quality/phrases.sql, at the top).
as $$
    select case
        when b.t ~ '\m(daily|every\s+day|seven\s+days|7\s+days)\M' then '{mon,tue,wed,thu,fri,sat,sun}'::text[]
        when r.m[1] is not null and array_position(d.days, r.m[1]) <= array_position(d.days, r.m[2])
            then d.days[array_position(d.days, r.m[1]):array_position(d.days, r.m[2])]
        when cardinality(n.days) > 0 then n.days
        when b.t ~ '\mweekdays?\M' then '{mon,tue,wed,thu,fri}'::text[]
        when b.t ~ '\mweekends?\M' then '{sat,sun}'::text[]
        else '{}'::text[] end
    from (select regexp_replace(lower(coalesce(p_before, '')), '^.*([0-9]|[.!?;]\s|\n)', '') as t) b
    cross join (select '{mon,tue,wed,thu,fri,sat,sun}'::text[] as days) d
    cross join lateral (select array(select distinct left(x.m[1], 3) from regexp_matches(b.t,
        '\m(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)s?\M',
        'g') as x (m)) as days) n
    cross join lateral (select array[left(y[1], 3), left(y[2], 3)] as m from regexp_match(b.t,
        '(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\s*(?:-|–|—|to|through|thru)\s*(mon|tue|wed|thu|fri|sat|sun)') as y) r
$$;

grant execute on function aicrm_private.accuracy_days(text) to aicrm_app, aicrm_worker;

-- What the accuracy dimension grounds a draft's claims in that depends only on the customer's
-- profile (p_customer: its row as jsonb, without tenant_id): whether the profile is thin, the words
-- of its texts and contact details (words_of), their words cut to five letters (accuracy_stems),
-- their numbers, the opening and closing times of business_hours (minutes), the days open, open
-- around the clock, and the claims its texts and contact details state (ground: src, kind, vals,
-- extra, text, ctx, days). Derived once per profile change into the customer's scoring profile
-- (compute_scoring_profile: with 'examples', the claims of its approved examples), keyed by an md5
-- of p_customer, so score_accuracy uses it only for the profile it was derived from.
create or replace function aicrm_private.accuracy_grounding(p_customer jsonb)
returns jsonb
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
    v_c jsonb := p_customer;
    v_products jsonb;
    v_weekly jsonb;
    v_profile_text text;
    v_contact_text text;
    v_hours text[];
    v_open_days integer;
    v_always boolean;
    v_ground jsonb;
begin
    if v_c is null then
        return null;
    end if;
    v_products := case when jsonb_typeof(v_c -> 'products_services') = 'array' then v_c -> 'products_services' else '[]' end;
    v_weekly := case when jsonb_typeof(v_c #> '{business_hours,weekly}') = 'object' then v_c #> '{business_hours,weekly}' end;
    -- The grounding texts: the profile's own words (not its contact details, whose numbers are no
    -- facts about anything else), its contact details.
    select string_agg(v #>> '{}', E'\n') into v_profile_text
    from jsonb_path_query(jsonb_build_object(
        'a', v_c -> 'name', 'b', v_c -> 'business_description', 'c', v_c -> 'unique_selling_points',
        'd', v_c -> 'target_audience', 'e', v_c -> 'content_preferences', 'f', v_c #> '{business_hours,notes}',
        'g', v_c #> '{brand_voice,phrases_to_use}', 'h', v_c #> '{brand_voice,sample_copy}',
        'i', jsonb_path_query_array(v_c, 'lax $.business_hours.exceptions[*].note'),
        'j', v_products, 'k', v_c -> 'industry_subcategory'), 'strict $.**') v
    where jsonb_typeof(v) = 'string';
    v_profile_text := coalesce(v_profile_text, '') || coalesce(E'\n' || (
        select string_agg(format('%s %s%s', p ->> 'name', case coalesce(p ->> 'currency', 'USD')
                                 when 'EUR' then '€' when 'GBP' then '£' else '$' end, p ->> 'price'), E'\n')
        from jsonb_array_elements(v_products) p where jsonb_typeof(p -> 'price') = 'number'), '');
    v_contact_text := concat_ws(E'\n', v_c ->> 'website', v_c ->> 'email', v_c ->> 'phone',
        (select string_agg(v #>> '{}', ' ') from jsonb_path_query(v_c -> 'address', 'strict $.**') v
         where jsonb_typeof(v) = 'string'),
        (select string_agg(v #>> '{}', E'\n') from jsonb_path_query(v_c, 'lax $.business_hours.exceptions[*].date') v));

    -- Business hours: every opening and closing time, the days open, open around the clock.
    if v_weekly is not null then
        select coalesce(array_agg(distinct m), '{}') into v_hours
        from jsonb_each(v_weekly) d
        cross join lateral jsonb_array_elements(case when jsonb_typeof(d.value) = 'array' then d.value else '[]' end) iv
        cross join lateral unnest(array[iv ->> 'open', iv ->> 'close']) t
        cross join lateral (select ((split_part(t, ':', 1)::integer * 60 + split_part(t, ':', 2)::integer) % 1440)::text as m) x
        where t ~ '^\d{1,2}:\d{2}$';
        select count(*) filter (where jsonb_typeof(d.value) = 'array' and jsonb_array_length(d.value) > 0),
               count(*) = 7 and bool_and(d.value @> '[{"open": "00:00", "close": "24:00"}]')
        into v_open_days, v_always
        from jsonb_each(v_weekly) d;
    end if;
    v_hours := coalesce(v_hours, '{}') || coalesce(array(
        select distinct ((split_part(t, ':', 1)::integer * 60 + split_part(t, ':', 2)::integer) % 1440)::text
        from jsonb_path_query(v_c, 'lax $.business_hours.exceptions[*].hours[*].*') h
        cross join lateral (select h #>> '{}' as t) x where t ~ '^\d{1,2}:\d{2}$'), '{}');

    -- The claims the profile and its contact details state, with the profile's phone and its
    -- email's domain (as a host).
    select coalesce(jsonb_agg(jsonb_build_object('src', g.src, 'kind', g.kind, 'vals', to_jsonb(g.vals),
                                                 'extra', g.extra, 'text', g.txt, 'ctx', to_jsonb(g.ctx),
                                                 'days', to_jsonb(g.days))), '[]')
    into v_ground
    from (
        select 'profile' as src, c.kind, c.vals, c.extra, c.span_text as txt,
               aicrm_private.accuracy_context(v_profile_text, c.span_start, c.span_end) as ctx, null::text[] as days
        from aicrm_private.accuracy_claims(v_profile_text) c
        union all
        select 'profile', c.kind, c.vals, c.extra, c.span_text, '{}'::text[], null
        from aicrm_private.accuracy_claims(v_contact_text) c
        union all
        select 'profile', 'phone', array[right(regexp_replace(v_c ->> 'phone', '\D', '', 'g'), 10)], null, v_c ->> 'phone',
               '{}'::text[], null
        where length(regexp_replace(coalesce(v_c ->> 'phone', ''), '\D', '', 'g')) >= 7
        union all
        select 'profile', 'url', array[lower(split_part(v_c ->> 'email', '@', 2))], null, v_c ->> 'email', '{}'::text[], null
        where v_c ->> 'email' like '%@%'
    ) g;

    return jsonb_build_object(
        'key', md5(v_c::text),
        'thin', nullif(btrim(coalesce(v_c ->> 'business_description', '')), '') is null
            and coalesce(jsonb_array_length(case when jsonb_typeof(v_c -> 'unique_selling_points') = 'array'
                                                 then v_c -> 'unique_selling_points' end), 0) = 0
            and jsonb_array_length(v_products) = 0,
        'words', rtrim(aicrm_private.words_of(concat_ws(E'\n', v_profile_text, v_contact_text))),
        'stems', to_jsonb(aicrm_private.accuracy_stems(v_profile_text)),
        'numbers', to_jsonb(array(select distinct trim_scale(replace(m[1], ',', '')::numeric)::text
                                  from regexp_matches(v_profile_text, '\m(\d[\d,]*(?:\.\d+)?)', 'g') m
                                  where replace(m[1], ',', '') ~ '^\d+(\.\d+)?$')),
        'hours', to_jsonb(v_hours),
        'open_days', v_open_days,
        'always', v_always,
        'ground', v_ground);
end
$$;

grant execute on function aicrm_private.accuracy_grounding(jsonb) to aicrm_app, aicrm_worker;

-- The claims of a customer's approved examples (the 20 most recently changed positive ones), as
-- {kind, v} pairs: what grounds a claim the profile and the brief do not.
create or replace function aicrm_private.accuracy_example_claims(p_tenant uuid, p_customer_id uuid)
returns jsonb
language sql
stable
parallel safe
set search_path = ''
as $$
    select coalesce(jsonb_agg(distinct jsonb_build_object('kind', c.kind, 'v', v)), '[]')
    from (select e.content, e.subject from aicrm.content_examples e
          where e.tenant_id = p_tenant and e.customer_id = p_customer_id and e.polarity = 'positive'
          order by e.updated_at desc limit 20) e
    cross join lateral aicrm_private.accuracy_claims(concat_ws(E'\n', e.subject, e.content)) c
    cross join lateral unnest(c.vals) v
$$;

grant execute on function aicrm_private.accuracy_example_claims(uuid, uuid) to aicrm_app, aicrm_worker;

-- One finding in the scorecard's shape (docs/quality.md).
create or replace function aicrm_private.accuracy_finding(
    p_check text, p_severity text, p_field text, p_start integer, p_end integer, p_text text,
    p_message text, p_fix text, p_fixable boolean
)
returns jsonb
language sql
immutable
parallel safe
-- No SET (private/quality/phrases.sql, at the top).
as $$
    select jsonb_build_object(
        'dimension', 'accuracy', 'check', p_check, 'severity', p_severity, 'field', p_field,
        'span', case when p_start is not null then jsonb_build_object('start', p_start, 'end', p_end, 'text', p_text) end,
        'message', p_message, 'fix', p_fix, 'fixable', p_fixable)
$$;

grant execute on function aicrm_private.accuracy_finding(text, text, text, integer, integer, text, text, text, boolean)
to aicrm_app, aicrm_worker;

-- Accuracy (grounding) of one draft: the contract of a scorecard dimension (docs/quality.md). The
-- grounding set is read once per call: the profile's texts and values, the brief's, and (only when
-- a claim is found nowhere else) the customer's approved examples. Findings:
--   contradiction (critical): the draft states, for something the profile (or the brief) states,
--     another value: a duration, percentage, price, count or year about the same thing (they share
--     a word), hours that differ from business_hours (for the day named), another phone, email or
--     website. Not fixable when the brief itself says it.
--   untraceable_claim (major): a price, percentage, date, time, year, duration, count, rating,
--     phone, URL, email, guarantee or superlative found in none of the grounding set.
--   invented_product (major): a product or service name with a distinctive word the grounding
--     lacks.
--   unstated_promise (major; minor for a thin profile: no description, selling points or products,
--     unless it has two or more):
--     a process promise or credential (accuracy_promises) the grounding set does not state.
-- Score: 100 - 40 a critical - 20 a major - 5 a minor, at least 0. Null without a customer.
create or replace function aicrm_private.score_accuracy(
    p_text text,
    p_subject text,
    p_channel text,
    p_customer jsonb,
    p_instructions jsonb,
    p_features aicrm_private.draft_features
)
returns jsonb
language plpgsql
stable
parallel safe
set search_path = ''
-- Planned once per session: a custom plan per call (the default for a query with parameters)
-- planned its queries for every draft, a third of a scorecard's time (docs/quality.md, "Speed").
set plan_cache_mode = force_generic_plan
as $$
declare
    v_text text := coalesce(p_text, '');
    v_i jsonb := coalesce(p_instructions, '{}');
    v_c jsonb := p_customer;
    v_products jsonb;
    v_weekly jsonb;
    v_pg jsonb;  -- what the profile grounds (accuracy_grounding)
    v_brief_text text;
    v_thin boolean;
    v_gwords text;   -- the grounding set's words (words_of)
    v_gstems text[];  -- the profile's words cut to five letters (what the business is about)
    v_numbers text[];  -- every number of the profile's and the brief's texts
    v_hours text[];  -- every opening and closing time of business_hours, in minutes
    v_open_days integer;
    v_always boolean;
    v_primary_dates text[];  -- the brief's own dates (offer end, event start) as YYYY-MM-DD
    v_places text[];  -- the customer's city, region and audience locations (lower case)
    v_ground jsonb;
    v_claims jsonb;
    v_examples jsonb;
    v_findings jsonb := '[]';
    v_promises jsonb := '[]';
    v_products_found jsonb := '[]';
    v_critical integer;
    v_major integer;
    v_minor integer;
    v_year integer := extract(year from now())::integer;
begin
    if v_c is null then
        return jsonb_build_object('score', null, 'findings', '[]'::jsonb, 'measured', false,
                                  'reason', 'no customer: accuracy not measured');
    end if;
    if char_length(v_text) > 200000 then
        v_text := left(v_text, 200000);
    end if;
    v_products := case when jsonb_typeof(v_c -> 'products_services') = 'array' then v_c -> 'products_services' else '[]' end;
    v_weekly := case when jsonb_typeof(v_c #> '{business_hours,weekly}') = 'object' then v_c #> '{business_hours,weekly}' end;
    -- What the profile grounds: derived when the profile changed (accuracy_grounding), or now for
    -- a profile that is not the stored customer's.
    if v_c ->> 'customer_id' is not null then
        select p.accuracy_grounding into v_pg from aicrm.customer_scoring_profiles p
        where p.tenant_id = aicrm_private.current_tenant_id() and p.customer_id = (v_c ->> 'customer_id')::uuid;
    end if;
    if v_pg is null or v_pg ->> 'key' is distinct from md5(v_c::text) then
        v_pg := aicrm_private.accuracy_grounding(v_c) - 'examples';
    end if;
    v_thin := (v_pg ->> 'thin')::boolean;
    v_open_days := (v_pg ->> 'open_days')::integer;
    v_always := (v_pg ->> 'always')::boolean;
    v_hours := array(select jsonb_array_elements_text(v_pg -> 'hours'));
    v_gstems := array(select jsonb_array_elements_text(v_pg -> 'stems'));

    -- The brief's words (its texts, not its settings).
    select string_agg(v #>> '{}', E'\n') into v_brief_text
    from jsonb_path_query(v_i - '{output_type,output_format,output_length,must_not_include,avoid_topics,context_sources,'
                                  'success_criteria,tone_override,language,purpose,recipients}'::text[], 'strict $.**') v
    where jsonb_typeof(v) = 'string';
    v_brief_text := coalesce(v_brief_text, '');
    v_gwords := (v_pg ->> 'words') || aicrm_private.words_of(E'\n' || v_brief_text);
    v_numbers := array(select jsonb_array_elements_text(v_pg -> 'numbers') union
                       select trim_scale(replace(m[1], ',', '')::numeric)::text
                       from regexp_matches(v_brief_text, '\m(\d[\d,]*(?:\.\d+)?)', 'g') m
                       where replace(m[1], ',', '') ~ '^\d+(\.\d+)?$');
    v_places := array_remove(array[lower(v_c #>> '{address,city}'), lower(v_c #>> '{address,region}')], null)
        || coalesce(array(select lower(l) from jsonb_array_elements_text(case when jsonb_typeof(v_c #> '{target_audience,locations}') = 'array'
                                                                          then v_c #> '{target_audience,locations}' end) l), '{}');
    v_primary_dates := array_remove(array[left(v_i #>> '{offer,valid_until}', 10), left(v_i #>> '{event,starts_at}', 10)], null);

    -- The grounding claims: what the profile and its contact details state (derived with the
    -- profile), and what the brief states.
    select v_pg -> 'ground' || coalesce(jsonb_agg(jsonb_build_object('src', g.src, 'kind', g.kind, 'vals', to_jsonb(g.vals),
                                                                    'extra', g.extra, 'text', g.txt, 'ctx', to_jsonb(g.ctx),
                                                                    'days', to_jsonb(g.days))), '[]')
    into v_ground
    from (
        select 'brief' as src, c.kind, c.vals, c.extra, c.span_text as txt,
               aicrm_private.accuracy_context(v_brief_text, c.span_start, c.span_end) as ctx,
               case when c.kind = 'time' then aicrm_private.accuracy_days(regexp_replace(
                   substr(v_brief_text, greatest(c.span_start - 80, 0) + 1, least(c.span_start, 80)), '^.*([.!?]\s|\n)', '')) end as days
        from aicrm_private.accuracy_claims(v_brief_text) c
        union all
        -- The brief's structured dates and event time.
        select 'brief', 'date', array[substr(dt, 6, 5)], left(dt, 4), dt, '{}'::text[], null from unnest(v_primary_dates) dt
        union all
        select 'brief', 'time', aicrm_private.accuracy_minutes(substr(v_i #>> '{event,starts_at}', 12, 2),
                                                               substr(v_i #>> '{event,starts_at}', 15, 2), null),
               null, v_i #>> '{event,starts_at}', '{}'::text[], null
        where v_i #>> '{event,starts_at}' ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}'
    ) g;

    -- The draft's claims, each traced: grounded (by the profile or the brief), a contradiction, or
    -- untraceable (for now: the approved examples are read only when one is left).
    with d as (
        select 'content' as field, c.*, aicrm_private.accuracy_context(v_text, c.span_start, c.span_end) as ctx,
               regexp_replace(substr(v_text, greatest(c.span_start - 80, 0) + 1, least(c.span_start, 80)), '^.*([.!?]\s|\n)', '') as before,
               regexp_replace(substr(v_text, c.span_end + 1, 60), '([.!?](\s|$)|\n).*$', '') as after
        from aicrm_private.accuracy_claims(v_text) c
        union all
        select 'subject', c.*, aicrm_private.accuracy_context(p_subject, c.span_start, c.span_end),
               substr(p_subject, greatest(c.span_start - 80, 0) + 1, least(c.span_start, 80)),
               substr(p_subject, c.span_end + 1, 60)
        from aicrm_private.accuracy_claims(p_subject) c
        where p_subject is not null
    ),
    g as (
        select x.src, x.kind, case when x.kind = 'founding_year' then 'year' else x.kind end as class,
               array(select jsonb_array_elements_text(x.vals)) as vals, x.extra, x.text,
               array(select jsonb_array_elements_text(x.ctx)) as ctx,
               array(select jsonb_array_elements_text(case when jsonb_typeof(x.days) = 'array' then x.days end)) as days
        from jsonb_to_recordset(v_ground) as x (src text, kind text, vals jsonb, extra text, text text, ctx jsonb, days jsonb)
    ),
    t as (
        select d.*, case when d.kind = 'founding_year' then 'year' else d.kind end as class,
               -- Ranges: the opening time's candidates first, then the closing time's.
               case when d.kind = 'time' and d.extra like 'range %' then split_part(d.extra, ' ', 2)::integer end as nopen,
               -- Said of the business ("we", "our"): a duration, time or small count in general
               -- advice ("brush for two minutes") claims nothing about it.
               (d.before || ' ' || d.after) ~* '\m(we|we''re|we''ve|we''ll|we''d|our|ours|us)\M' as of_us,
               d.kind = 'time' and (d.span_text ~* '^(open|close|until|till)'
                   or (d.before || ' ' || d.after) ~* '\m(open|opens|opening|close|closes|closing|hours|until|till)\M') as hours_claim
        from d
    ),
    traced as (
        select t.*,
            (select array_agg(distinct g.src) from g where g.class = t.class and case t.class
                when 'phone' then exists (select from unnest(g.vals) gv, unnest(t.vals) tv
                                          where least(length(gv), length(tv)) >= 7
                                            and right(gv, least(length(gv), length(tv))) = right(tv, least(length(gv), length(tv))))
                when 'url' then exists (select from unnest(g.vals) gv, unnest(t.vals) tv
                                        where gv = tv or tv like '%.' || gv or gv like '%.' || tv)
                when 'date' then g.vals && t.vals and (g.extra is null or t.extra is null or left(g.extra, 4) !~ '^\d{4}$'
                                                       or left(t.extra, 4) !~ '^\d{4}$' or left(g.extra, 4) = left(t.extra, 4))
                when 'time' then case when t.nopen is null then g.vals && t.vals else false end
                else g.vals && t.vals end) as sources,
            case when t.nopen is not null then
                (coalesce(t.vals[1:t.nopen] && v_hours, false) or exists (select from g where g.class = 'time' and g.vals && t.vals[1:t.nopen]))
                and (coalesce(t.vals[t.nopen + 1:] && v_hours, false) or exists (select from g where g.class = 'time' and g.vals && t.vals[t.nopen + 1:]))
            when t.class = 'time' then t.vals && v_hours
                or cardinality(aicrm_private.keys_in_words(v_gwords, '{24 7,around the clock,24 hours}')) > 0
            when t.class = 'year' then t.kind = 'year' and (t.vals[1]::integer between v_year - 1 and v_year + 1
                or exists (select from g where g.class = 'date' and left(g.extra, 4) = t.vals[1]))
            when t.class = 'count' then t.vals && v_numbers
            when t.class = 'always_open' then coalesce(v_always, false)
                or cardinality(aicrm_private.keys_in_words(v_gwords, '{24 7,around the clock,24 hours,24 hour}')) > 0
            when t.class = 'open_days' then t.vals[1]::integer = v_open_days
            when t.class = 'superlative' then cardinality(aicrm_private.keys_in_words(v_gwords, case
                when t.vals[1] like '%guarant%' then '{guarantee,guaranteed,guarantees}'::text[]
                when t.vals[1] ~ 'sell' then '{best selling,bestselling,best seller,best sellers,bestseller}'
                when t.vals[1] like '%award%' then '{award,awards,award winning}'
                when t.vals[1] like '%rated%' then '{top rated,best rated,highest rated,rated}'
                when t.vals[1] ~ '#|no 1|number' then '{number one,no 1}'
                when t.vals[1] like '%fastest%' then '{fastest}'
                when t.vals[1] like '%cheapest%' then '{cheapest}'
                when t.vals[1] like '%lowest%' then '{lowest price,lowest prices}'
                when t.vals[1] like '%trusted%' then '{most trusted}'
                when t.vals[1] like '%world%' then '{world class,world famous}'
                when t.vals[1] like '%unbeatable%' then '{unbeatable}'
                else '{best}' end)) > 0
            when t.class = 'date' then t.vals[1] = any (case
                when v_gwords ~ ' (christmas|xmas) ' or strpos(v_text, 'Christmas') > 0 then '{12-24,12-25}'::text[] else '{}' end
                || case when v_gwords ~ ' new years? ' or v_text ~* 'new year' then '{12-31,01-01}'::text[] else '{}' end
                || case when v_gwords ~ ' valentines? ' or v_text ~* 'valentine' then '{02-14}'::text[] else '{}' end
                || case when v_gwords ~ ' halloween ' or v_text ~* 'halloween' then '{10-31}'::text[] else '{}' end
                || case when v_gwords ~ ' (independence day|fourth of july|4th of july) ' or v_text ~* 'fourth of july|independence day'
                        then '{07-04}'::text[] else '{}' end)
            else false end as special,
            -- Days named before a time, and whether the time reads as opening hours.
            case when t.class = 'time' then case
                when t.after ~* '^\s*((to|until|till|-|–)\s*(noon|midnight))?\s*,?\s*(on\s+|every\s+)?(mon|tue|wed|thu|fri|sat|sun|weekday|weekend|daily)'
                then aicrm_private.accuracy_days(regexp_replace(t.after, '[0-9,;].*$', ''))
                else aicrm_private.accuracy_days(t.before) end end as days,
            t.class = 'time' and exists (
                select from g where g.src = 'brief' and g.class = 'time'
                    and (case when t.nopen is null then g.vals && t.vals
                              else g.vals && t.vals[1:t.nopen] and g.vals && t.vals[t.nopen + 1:] end)
                    and (cardinality(g.days) = 0 or cardinality(aicrm_private.accuracy_days(t.before)) = 0
                         or g.days && aicrm_private.accuracy_days(t.before))) as brief_time,
            -- Claims that need "we" to be about the business; a count of people or things without
            -- "over"/"more than" and under a hundred is no boast either (contradictions still count).
            case when t.class = 'duration' then (t.of_us or t.ctx && v_gstems
                      -- "Done in 20 min.", "Ready in two days": the sentence is the service's
                      or split_part(lower(ltrim(t.before, ' -*•')), ' ', 1) = any ('{done,ready,finished,completed,fixed,'
                          'installed,delivered,repaired,serviced,swapped,turnaround}'::text[]))
                      -- "if you have two minutes": a courtesy, not a claim
                      and not (t.extra in ('minute', 'min') and t.vals[1]::numeric <= 5)
                      -- advice ("let it sit for 30 minutes"), a frequency ("every six to eight weeks"), time gone
                      -- by ("six months since your last visit"): nothing the business claims
                      and t.before !~* '^\s*[^[:alnum:]]*(mix|let|brush|floss|wash|wait|use|keep|leave|insulate|bake|knead|rinse|apply|turn|run|set|store|give|try|avoid|add|stir|cook|soak|replace|drink|walk|stretch|rest|allow|plan|expect|remember)\M'
                      and t.before !~* '\m(every|each|per|once|twice)\s+([a-z0-9-]+\s+(to|or|and|-)\s+)?$'
                      and t.after !~* '^\s*(ago|since|later|from\s+now)\M'
                 when t.class = 'time' then t.hours_claim or (t.of_us and t.before ~* '(at|by|from|before|after|starting|starts|begins|open)\s*$')
                 when t.class = 'count' then t.of_us and (t.extra like '%+' or t.vals[1] !~ '^\d+$' or t.vals[1]::numeric >= 100
                      or split_part(t.extra, ' ', 1) = any ('{customers,customer,clients,client,families,family,patients,patient,homes,home,'
                         'households,household,businesses,locations,location,stores,store,shops,shop,branch,branches,members,member,'
                         'students,student,reviews,review,awards,award,employees,employee,technicians,technician,techs,staff,stylists,'
                         'stylist,barbers,barber,generations,generation,projects,project,jobs,installations,installation,experts,'
                         'specialists,dentists,doctors,therapists,instructors,trainers,chefs,bakers,varieties,variety,flavors,flavor,'
                         'flavours,flavour,kinds,types,classes,courses,adoptions,notices}'::text[]))
                 when t.class = 'year' and t.kind = 'year' then t.of_us
                 -- How often ("every month") is checked only against the profile's own (a
                 -- contradiction); general advice says how often too.
                 when t.class = 'frequency' then false
                 when t.class = 'superlative' and t.vals[1] ~ ' in ' then
                      substring(t.vals[1] from '([a-z]+)$') = any ('{town,city,area,region,state,country,world,county,valley,'
                          'neighborhood,neighbourhood,bay,metro}'::text[] || v_places)
                 else true end as asserted
        from t
    ),
    judged as (
        select tr.*,
            -- A contradiction of the profile: about the same thing (a shared word), another value. A
            -- value the profile has only about something else grounds nothing ("48-hour ferment"
            -- against "36-hour ferment" and "cakes with 48-hour turnaround").
            case when tr.class in ('duration', 'percent', 'price', 'count', 'year', 'ordinal', 'rating', 'time', 'frequency')
                      and (not coalesce('profile' = any (tr.sources), false)
                           or (tr.class in ('duration', 'percent', 'count', 'frequency') and cardinality(tr.ctx) > 0
                               and not exists (select from g where g.src = 'profile' and g.class = tr.class
                                                                and g.vals && tr.vals and g.ctx && tr.ctx)))
                      and not tr.special and not tr.brief_time
                      -- The brief may change a price, a percentage or a count for its occasion.
                      and (tr.sources is null or tr.class in ('duration', 'year', 'frequency')) then
                (select g.text from g where g.src = 'profile' and g.class = tr.class and g.ctx && tr.ctx
                                        and not g.vals && tr.vals and cardinality(g.ctx) > 0
                                        and (tr.class <> 'year' or (g.kind = 'founding_year' and tr.kind = 'founding_year'))
                 order by cardinality(array(select unnest(g.ctx) intersect select unnest(tr.ctx))) desc,
                          g.extra is not distinct from tr.extra desc limit 1)
            when tr.class = 'phone' and tr.sources is null then (select g.text from g where g.src = 'profile' and g.class = 'phone' limit 1)
            when tr.class = 'email' and tr.sources is null then nullif(v_c ->> 'email', '')
            when tr.class = 'url' and tr.sources is null then (select v_c ->> 'website'
                where split_part(tr.vals[1], '.', 1) = split_part(regexp_replace(lower(coalesce(v_c ->> 'website', '')),
                                                                 '^(https?://)?(www\.)?', ''), '.', 1))
            when tr.class = 'open_days' and v_open_days is not null and not tr.special then format('open %s days a week', v_open_days)
            end as profile_value,
            -- About the same thing as a value of the brief, another value.
            case when tr.class in ('duration', 'percent', 'price', 'count', 'year', 'ordinal', 'frequency') and tr.sources is null then
                (select g.text from g where g.src = 'brief' and g.class = tr.class and g.ctx && tr.ctx and not g.vals && tr.vals limit 1)
            when tr.class = 'date' and tr.sources is null and not tr.special and cardinality(v_primary_dates) = 1
                 and not exists (select from t x where x.class = 'date' and x.vals[1] = substr(v_primary_dates[1], 6, 5))
            then v_primary_dates[1] end as brief_value,
            -- Hours: the days named, each open at the time said.
            case when tr.class = 'time' and v_weekly is not null and (tr.hours_claim or tr.nopen is not null) then (
                select string_agg(format('%s %s', initcap(dd),
                    coalesce((select string_agg((iv ->> 'open') || '–' || (iv ->> 'close'), ', ')
                              from jsonb_array_elements(v_weekly -> dd) iv), '')) || case when jsonb_array_length(v_weekly -> dd) = 0
                                                                                    then 'closed' else '' end, '; ')
                from unnest(tr.days) dd
                where jsonb_typeof(v_weekly -> dd) = 'array' and not exists (
                    select from (select array_agg(((split_part(tm, ':', 1)::integer * 60 + split_part(tm, ':', 2)::integer) % 1440)::text) a
                                 from jsonb_array_elements(v_weekly -> dd) iv
                                 cross join lateral unnest(array[iv ->> 'open', iv ->> 'close']) tm) day
                    where day.a is not null and case when tr.nopen is null then tr.vals && day.a
                        else tr.vals[1:tr.nopen] && day.a and tr.vals[tr.nopen + 1:] && day.a end))
            end as day_hours
        from traced tr
    )
    select coalesce(jsonb_agg(jsonb_build_object(
        'field', j.field, 'kind', j.kind, 'start', j.span_start, 'end', j.span_end, 'text', j.span_text,
        'vals', to_jsonb(j.vals), 'ctx', to_jsonb(j.ctx),
        'status', case
            when j.brief_time then 'grounded'
            when j.day_hours is not null then 'contradiction'
            when j.profile_value is not null then 'contradiction'
            when j.sources is not null or j.special then 'grounded'
            when j.class = 'time' and j.hours_claim and v_weekly is not null then 'contradiction'
            when j.brief_value is not null then 'contradiction'
            when not j.asserted then 'unasserted'
            else 'untraceable' end,
        'source', case when j.sources is not null then to_jsonb(j.sources[1])
                       when j.special then to_jsonb(case when j.class = 'time' then 'profile' else 'profile' end) end,
        'against', case
            when j.day_hours is not null then 'profile'
            when j.profile_value is not null then case when 'brief' = any (j.sources) then 'brief_and_profile' else 'profile' end
            when j.sources is null and not j.special and j.class = 'time' and j.hours_claim and v_weekly is not null then 'profile'
            when j.brief_value is not null then 'brief' end,
        'value', coalesce(j.day_hours, j.profile_value, case
            when j.sources is null and not j.special and j.class = 'time' and j.hours_claim and v_weekly is not null then (
                select string_agg(format('%s %s', initcap(d.key), (select string_agg((iv ->> 'open') || '–' || (iv ->> 'close'), ', ')
                                                                   from jsonb_array_elements(d.value) iv)), '; ' order by
                                  array_position('{mon,tue,wed,thu,fri,sat,sun}'::text[], d.key))
                from jsonb_each(v_weekly) d where jsonb_typeof(d.value) = 'array' and jsonb_array_length(d.value) > 0) end,
            j.brief_value)) order by j.field, j.span_start), '[]')
    into v_claims
    from judged j;

    -- The approved examples, only for what is still untraceable.
    if jsonb_path_exists(v_claims, '$[*] ? (@.status == "untraceable")') and v_c ->> 'customer_id' is not null then
        v_examples := coalesce(v_pg -> 'examples', aicrm_private.accuracy_example_claims(aicrm_private.current_tenant_id(), (v_c ->> 'customer_id')::uuid));
        if jsonb_array_length(v_examples) > 0 then
            select jsonb_agg(case when c ->> 'status' = 'untraceable' and exists (
                                 select from jsonb_array_elements(v_examples) x, jsonb_array_elements_text(c -> 'vals') v
                                 where replace(x ->> 'kind', 'founding_', '') = replace(c ->> 'kind', 'founding_', '') and x ->> 'v' = v)
                             then c || '{"status": "grounded", "source": "examples"}' else c end)
            into v_claims from jsonb_array_elements(v_claims) c;
        end if;
    end if;

    -- Findings of the claims: one per value of a field (its first place), contradictions first.
    select coalesce(jsonb_agg(f.finding), '[]') into v_findings
    from (
        select distinct on (c ->> 'field', c ->> 'kind', c ->> 'status', c -> 'vals')
               aicrm_private.accuracy_finding(
                   case when c ->> 'status' = 'contradiction' then 'contradiction' else 'untraceable_claim' end,
                   case when c ->> 'status' = 'contradiction' then 'critical' else 'major' end,
                   c ->> 'field', (c ->> 'start')::integer, (c ->> 'end')::integer, c ->> 'text',
                   case
                       when c ->> 'status' = 'untraceable' then format('%s ''%s'' is not in the customer''s profile, the brief or its approved examples',
                           case c ->> 'kind' when 'price' then 'The price' when 'percent' then 'The percentage'
                               when 'date' then 'The date' when 'time' then 'The time' when 'year' then 'The year'
                               when 'founding_year' then 'The founding year' when 'duration' then 'The duration'
                               when 'count' then 'The number' when 'rating' then 'The rating' when 'ordinal' then 'The claim'
                               when 'phone' then 'The phone number' when 'url' then 'The web address' when 'email' then 'The email address'
                               when 'superlative' then 'The claim' when 'always_open' then 'The claim' when 'open_days' then 'The claim'
                               else 'The claim' end, c ->> 'text')
                       when c ->> 'against' = 'brief_and_profile' then format('The brief and the customer''s profile disagree: the draft (as the brief) says ''%s'', the profile says ''%s''; a rewrite cannot settle which is true',
                           c ->> 'text', c ->> 'value')
                       when c ->> 'kind' = 'time' then format('''%s'' contradicts the opening hours in the customer''s profile (%s)', c ->> 'text', c ->> 'value')
                       when c ->> 'against' = 'brief' then format('''%s'' contradicts the brief, which says ''%s''', c ->> 'text', c ->> 'value')
                       else format('''%s'' contradicts the customer''s profile, which says ''%s''', c ->> 'text', c ->> 'value') end,
                   case
                       when c ->> 'status' = 'untraceable' then format('Drop ''%s'' or replace it with what the profile or the brief states; if it is true, add it to the customer''s profile first.', c ->> 'text')
                       when c ->> 'against' = 'brief_and_profile' then 'Ask the customer which is true, correct the brief or the profile, then write again.'
                       when c ->> 'kind' = 'time' then format('Give the hours as the profile states them (%s), or leave them out.', c ->> 'value')
                       else format('Write ''%s'' as the %s states it, or leave it out.', c ->> 'value',
                                   case when c ->> 'against' = 'brief' then 'brief' else 'profile' end) end,
                   c ->> 'against' is distinct from 'brief_and_profile') as finding
        from jsonb_array_elements(v_claims) c
        where c ->> 'status' not in ('grounded', 'unasserted')
        order by c ->> 'field', c ->> 'kind', c ->> 'status', c -> 'vals', (c ->> 'start')::integer
    ) f;

    -- Process promises the grounding set does not state.
    select coalesce(jsonb_agg(aicrm_private.accuracy_finding('unstated_promise', case when v_thin then 'minor' else 'major' end,
               x.field, x.span_start, x.span_end, x.groups[1],
               case when v_thin then format('''%s'' promises %s, which the customer''s profile does not state; the profile is thin (no description, selling points or products), so confirm it with the customer',
                                            x.groups[1], p.promise)
                    else format('''%s'' promises %s, which neither the customer''s profile nor the brief states', x.groups[1], p.promise) end,
               case when v_thin then format('Drop ''%s'', or confirm it with the customer and add it to the profile.', x.groups[1])
                    else format('Drop ''%s'' or say only what the profile states.', x.groups[1]) end, true)
               order by x.field, x.span_start), '[]')
    into v_promises
    from (
        -- Each promise's matches; where two overlap, the one that starts first, then the longer.
        with m as (
            select f.field, p.n as k, a.*
            from (values ('content', v_text), ('subject', p_subject)) as f (field, txt)
            cross join aicrm_private.accuracy_promises() p
            cross join lateral aicrm_private.accuracy_matches(f.txt, '(' || p.pattern || ')', 'i') a
            where f.txt is not null and lower(f.txt) like any (p.needs)
        )
        select distinct on (m.field, m.k) m.*
        from m
        where not exists (
            select from m o
            where o.field = m.field and o.k <> m.k and o.span_start < m.span_end and m.span_start < o.span_end
              and (o.span_start, -o.span_end, o.k) < (m.span_start, -m.span_end, m.k))
        order by m.field, m.k, m.span_start
    ) x
    join aicrm_private.accuracy_promises() p on p.n = x.k
    where case when cardinality(p.ground_keys) = 0
               -- Something free: the grounding says free (or complimentary, at no charge, on us)
               -- and names the thing ("free session" for a brief's "first session free").
               then cardinality(aicrm_private.keys_in_words(v_gwords,
                        '{free,complimentary,no charge,no cost,no extra cost,on us,on the house}')) = 0
                    or not exists (select from string_to_table(aicrm_private.phrase_key(x.groups[1]), ' ') w
                                   where w <> all ('{free,complimentary,of,charge,at,no,extra,cost,is,are,on,us}'::text[])
                                     and strpos(v_gwords, ' ' || left(w, greatest(4, char_length(w) - 2))) > 0)
               else cardinality(aicrm_private.keys_in_words(v_gwords, p.ground_keys)) = 0 end;

    -- A thin profile: one unstated promise may be a turn of phrase (minor, confirm it with the
    -- customer); two or more invent how the business works, and a person must see them (major).
    if v_thin and jsonb_array_length(v_promises) >= 2 then
        select jsonb_agg(f || '{"severity": "major"}') into v_promises from jsonb_array_elements(v_promises) f;
    end if;

    -- Product names none of whose distinctive words the grounding set has (headings left out).
    if v_text ~ '[A-Z][a-z]+[ -][A-Z]' or strpos(v_text, '™') + strpos(v_text, '®') > 0 then
        select coalesce(jsonb_agg(aicrm_private.accuracy_finding('invented_product', 'major', 'content',
                   x.span_start, x.span_end, x.groups[1],
                   format('''%s'' is not a product or service in the customer''s profile or the brief', x.name),
                   format('Name only the products and services the profile lists, or drop ''%s''.', x.name), true)
                   order by x.span_start), '[]')
        into v_products_found
        from (
            select a.*, regexp_replace(a.groups[1], '^((Our|The|This|That|These|Your|A|An|New|Try|Book|Get|Order|Meet|'
                        'Introducing|Join|Free|All|Every|Each|Its|My|Their|Enjoy|Ask|Grab|Claim)\s+)+', '') as name
            from aicrm_private.accuracy_matches(v_text, aicrm_private.accuracy_product_pattern(), '') a
        ) x
        cross join lateral (select reverse(split_part(reverse(left(v_text, x.span_start)), E'\n', 1)) as line_before) ln
        where x.name ~ '[ -]'
          and ln.line_before !~ '^\s*#'
          and exists (select from string_to_table(aicrm_private.phrase_key(x.name), ' ') w
                      where char_length(w) >= 3
                        and w <> all ('{special,package,plan,combo,bundle,box,deal,offer,menu,service,services}'::text[])
                        and strpos(v_gwords, ' ' || left(w, greatest(4, char_length(w) - 2))) = 0);
    end if;

    v_findings := v_findings || v_promises || v_products_found;
    select count(*) filter (where f ->> 'severity' = 'critical'), count(*) filter (where f ->> 'severity' = 'major'),
           count(*) filter (where f ->> 'severity' = 'minor'),
           coalesce(jsonb_agg(f order by case f ->> 'severity' when 'critical' then 0 when 'major' then 1 else 2 end,
                              f ->> 'field', (f #>> '{span,start}')::integer), '[]')
    into v_critical, v_major, v_minor, v_findings
    from jsonb_array_elements(v_findings) f;
    return jsonb_build_object(
        'score', greatest(0, 100 - 40 * v_critical - 20 * v_major - 5 * v_minor)::numeric(4, 1),
        'findings', coalesce((select jsonb_agg(f order by o) from jsonb_array_elements(v_findings) with ordinality x (f, o)
                              where o <= 20), '[]'),
        'counts', jsonb_build_object('critical', v_critical, 'major', v_major, 'minor', v_minor),
        'thin_profile', v_thin,
        'claims', coalesce((select jsonb_agg(jsonb_strip_nulls(jsonb_build_object('field', c -> 'field', 'kind', c -> 'kind',
                                 'text', c -> 'text', 'status', c -> 'status', 'source', c -> 'source')) order by o)
                            from jsonb_array_elements(v_claims) with ordinality x (c, o) where o <= 50), '[]'),
        'claims_found', jsonb_array_length(v_claims)
    );
end
$$;

grant execute on function aicrm_private.score_accuracy(text, text, text, jsonb, jsonb, aicrm_private.draft_features)
to aicrm_app, aicrm_worker;
