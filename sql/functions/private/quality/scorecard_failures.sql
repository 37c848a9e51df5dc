-- Why a draft fails, in sentences: scorecard_failures, first_reasons.

-- Why a draft fails, one sentence each, in the order of its criteria: a failed criterion named
-- with its value and the bound it missed ("readability 41.2 is below the task's minimum 60"), and
-- for no_major_violation and no_major_structure_issue each finding behind them ("compliance: a
-- marketing email without the sender's postal address (major)"). Called for failing drafts only.
-- p_task_overall_min: the overall minimum is the task's own (else the tenant's approve_min_quality).
create or replace function aicrm_private.scorecard_failures(
    p_criteria jsonb, p_violations jsonb, p_checks jsonb, p_task_overall_min boolean
)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
    with failed as (
        select c.ord, c.item ->> 'criterion' as criterion, c.item ->> 'expected' as expected,
               c.item ->> 'actual' as actual, c.item -> 'expected' as expected_json
        from jsonb_array_elements(coalesce(p_criteria, '[]')) with ordinality as c (item, ord)
        where c.item -> 'passed' = 'false'::jsonb
    ),
    reasons as (
        select f.ord, 0 as sub, case
            when f.criterion = 'overall_min' then format('overall %s is below the %s minimum %s', f.actual,
                case when p_task_overall_min then 'task''s' else 'tenant''s' end, f.expected)
            when f.criterion = 'cta_present' then case when f.expected_json = 'true'::jsonb
                then 'no call to action; the task requires one' else 'a call to action; the task wants none' end
            when f.actual is null then format('%s is not measured (the task''s %s is %s)', n.name,
                case when f.criterion = 'grade_level_max' then 'maximum' when f.criterion = 'sentiment_target' then 'target'
                     else 'minimum' end, f.expected)
            when f.criterion = 'grade_level_max' then
                format('grade level %s is above the task''s maximum %s', f.actual, f.expected)
            when f.criterion = 'sentiment_target' then format('sentiment reads %s; the task wants %s', f.actual, f.expected)
            -- readability_score_min (reading ease) and the thresholds (<sub-score>_min)
            else format('%s %s is below the task''s minimum %s', n.name, f.actual, f.expected)
            end as reason
        from failed as f
        cross join lateral (select case f.criterion when 'readability_score_min' then 'reading ease'
                                        when 'grade_level_max' then 'grade level' when 'sentiment_target' then 'sentiment'
                                        else replace(regexp_replace(f.criterion, '_min$', ''), '_', ' ') end as name) as n
        -- (no_major_content_issue: its findings are worded by finding_reasons, before these.)
        where f.criterion not in ('no_major_violation', 'no_major_structure_issue', 'no_major_content_issue')
        union all
        select f.ord, v.ord, format('compliance: %s%s (%s)',
            -- "A marketing email ..." reads "a marketing email ..."; "FDA-approved ..." stays.
            case when substr(m.message, 2, 1) ~ '[[:upper:][:digit:]]' then m.message
                 else lower(left(m.message, 1)) || substr(m.message, 2) end,
            case when v.item #>> '{span,text}' is not null and strpos(m.message, v.item #>> '{span,text}') = 0
                 then format(' ("%s")', left(v.item #>> '{span,text}', 60)) else '' end,
            v.item ->> 'severity')
            -- A profile gap says what to fill in: no rewrite can.
            || coalesce(format(': the customer''s profile has no %s', v.item ->> 'profile_gap'), '')
        from failed as f
        cross join lateral jsonb_array_elements(coalesce(p_violations, '[]')) with ordinality as v (item, ord)
        cross join lateral (select rtrim(coalesce(v.item ->> 'message', v.item ->> 'rule'), '.') as message) as m
        where f.criterion = 'no_major_violation' and v.item ->> 'severity' in ('critical', 'major')
        union all
        select f.ord, s.ord, format('structure: %s (major)', s.item ->> 'detail')
        from failed as f
        cross join lateral jsonb_array_elements(coalesce(p_checks, '[]')) with ordinality as s (item, ord)
        where f.criterion = 'no_major_structure_issue' and s.item ->> 'severity' = 'major'
    )
    select coalesce(jsonb_agg(r.reason order by r.ord, r.sub), '[]') from reasons as r
$$;

grant execute on function aicrm_private.scorecard_failures(jsonb, jsonb, jsonb, boolean) to aicrm_app, aicrm_worker;

-- The first p_limit reasons of a list, for one line ("a; b; c and 2 more"); null for none.
create or replace function aicrm_private.first_reasons(p_reasons jsonb, p_limit integer)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select string_agg(left(r.reason, 300), '; ' order by r.ord)
        || case when max(r.total) > p_limit then format(' and %s more', max(r.total) - p_limit) else '' end
    from (select e.reason, e.ord, count(*) over () as total
          from jsonb_array_elements_text(
              case when jsonb_typeof(p_reasons) = 'array' then p_reasons else '[]' end) with ordinality as e (reason, ord)) as r
    where r.ord <= p_limit
$$;

grant execute on function aicrm_private.first_reasons(jsonb, integer) to aicrm_app, aicrm_worker;
