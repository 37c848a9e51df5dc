-- The scorecard's findings as the decision rules and a person read them: their counts, their
-- reasons in words, what a rewrite can fix, the keys of the failing checks, what a passing draft
-- passed, and the decision context built from a scorecard (quality_context).

-- Findings counted by severity: {critical, major, minor}.
create or replace function aicrm_private.count_findings(p_findings jsonb)
returns jsonb
language sql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
    select jsonb_build_object(
        'critical', count(*) filter (where f ->> 'severity' = 'critical'),
        'major', count(*) filter (where f ->> 'severity' = 'major'),
        'minor', count(*) filter (where f ->> 'severity' = 'minor'))
    from jsonb_array_elements(coalesce(p_findings, '[]')) as f
$$;

grant execute on function aicrm_private.count_findings(jsonb) to aicrm_app, aicrm_worker;

-- The critical and major findings of a draft, one sentence each, worst first: "brief: the topic
-- 'pies and stollen' is not in the draft (major)". The message is the finding's own; a span the
-- message does not quote is added.
create or replace function aicrm_private.finding_reasons(p_findings jsonb)
returns jsonb
language sql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
    select coalesce(jsonb_agg(format('%s: %s%s (%s)', f ->> 'dimension',
               case when substr(m.message, 2, 1) ~ '[[:upper:][:digit:]]' then m.message
                    else lower(left(m.message, 1)) || substr(m.message, 2) end,
               case when f #>> '{span,text}' is not null and strpos(m.message, f #>> '{span,text}') = 0
                    then format(' ("%s")', left(f #>> '{span,text}', 60)) else '' end,
               f ->> 'severity')
               order by case f ->> 'severity' when 'critical' then 0 else 1 end, o), '[]')
    from jsonb_array_elements(coalesce(p_findings, '[]')) with ordinality as x (f, o)
    cross join lateral (select rtrim(coalesce(f ->> 'message', f ->> 'check'), '.') as message) as m
    where f ->> 'severity' in ('critical', 'major')
$$;

grant execute on function aicrm_private.finding_reasons(jsonb) to aicrm_app, aicrm_worker;

-- Critical or major findings a rewrite can fix (p_fixable true) or cannot (false): compliance
-- violations (a profile gap is neither: its own rule sends it to a person), major structure checks
-- (always fixable) and the content findings.
create or replace function aicrm_private.serious_count(
    p_violations jsonb, p_findings jsonb, p_major_checks jsonb, p_fixable boolean
)
returns integer
language sql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
    select (select count(*)::integer
            from jsonb_array_elements(coalesce(p_violations, '[]')) as v
            where v ->> 'severity' in ('critical', 'major') and v ->> 'profile_gap' is null
              and coalesce((v ->> 'fixable')::boolean, true) = p_fixable)
         + (select count(*)::integer
            from jsonb_array_elements(coalesce(p_findings, '[]')) as f
            where f ->> 'severity' in ('critical', 'major') and coalesce((f ->> 'fixable')::boolean, true) = p_fixable)
         + case when p_fixable then coalesce(jsonb_array_length(p_major_checks), 0) else 0 end
$$;

grant execute on function aicrm_private.serious_count(jsonb, jsonb, jsonb, boolean) to aicrm_app, aicrm_worker;

-- The failing checks of a draft, one key each, sorted: a failed criterion by its name
-- ("overall_min"), a critical or major compliance violation by its rule, a major structure check
-- by its name, a critical or major content finding by its check and what it is about (its span,
-- else its message: "brief.key_point_missing:Pre-order by December 20"). Two drafts with the same
-- keys fail the same way: a rewrite that changed nothing.
create or replace function aicrm_private.failing_checks(
    p_criteria jsonb, p_violations jsonb, p_major_checks jsonb, p_findings jsonb
)
returns jsonb
language sql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
    select coalesce(jsonb_agg(distinct k.key order by k.key), '[]')
    from (
        select c ->> 'criterion' as key
        from jsonb_array_elements(coalesce(p_criteria, '[]')) as c
        where c -> 'passed' = 'false'::jsonb
          and c ->> 'criterion' not in ('no_major_violation', 'no_major_structure_issue', 'no_major_content_issue')
        union all
        select 'compliance.' || coalesce(v ->> 'rule', v ->> 'message')
        from jsonb_array_elements(coalesce(p_violations, '[]')) as v
        where v ->> 'severity' in ('critical', 'major')
        union all
        select 'structure.' || (s #>> '{}')
        from jsonb_array_elements(coalesce(p_major_checks, '[]')) as s
        union all
        select format('%s.%s:%s', f ->> 'dimension', f ->> 'check', left(lower(coalesce(f #>> '{span,text}', f ->> 'message')), 120))
        from jsonb_array_elements(coalesce(p_findings, '[]')) as f
        where f ->> 'severity' in ('critical', 'major')
    ) as k
$$;

grant execute on function aicrm_private.failing_checks(jsonb, jsonb, jsonb, jsonb) to aicrm_app, aicrm_worker;

-- What a passing draft was checked for and passed, in words a person reads in the approval:
-- "covers its brief (the topic and 2 key points)", "each of its 3 checkable facts is in the
-- profile, the brief or an approved example", "reads cleanly (fluency 100)", "the mood suits its
-- purpose (positive)", "no compliance or structure problem".
create or replace function aicrm_private.scorecard_passes(
    p_brief jsonb, p_accuracy jsonb, p_fluency jsonb, p_sentiment_target text, p_scores jsonb
)
returns jsonb
language sql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
    select jsonb_strip_nulls(jsonb_build_array(
        (select format('covers its brief (%s)', string_agg(case g.k
                    when 'key_point' then format('%s key point%s', g.n, case when g.n > 1 then 's' else '' end)
                    when 'topic' then 'the topic' when 'offer' then 'the offer' when 'event_place' then 'the event''s place'
                    when 'cta' then 'the call to action' else replace(g.k, '_', ' ') end, ', ' order by g.first))
         from (select c ->> 'kind' as k, count(*) as n, min(o) as first
               from jsonb_array_elements(coalesce(p_brief -> 'coverage', '[]')) with ordinality as x (c, o)
               where c ->> 'kind' <> 'avoid_topic'
               group by 1) as g
         having count(*) > 0),
        case when (p_accuracy ->> 'claims_found')::integer > 0
             then format('each of its %s checkable facts is in the profile, the brief or an approved example',
                         p_accuracy ->> 'claims_found')
             when p_accuracy ->> 'claims_found' is not null then 'states no checkable fact the profile lacks' end,
        format('reads cleanly (fluency %s)', p_scores ->> 'fluency'),
        case when p_scores ->> 'sentiment' is not null
             then format('the mood suits its purpose (%s, sentiment %s)',
                         case p_sentiment_target when 'informative' then 'neutral or positive' else p_sentiment_target end,
                         p_scores ->> 'sentiment') end,
        'no compliance or structure problem'))
        - 'null'
$$;

grant execute on function aicrm_private.scorecard_passes(jsonb, jsonb, jsonb, text, jsonb) to aicrm_app, aicrm_worker;

-- The decision context's `quality` of a scorecard (docs/decision-rules.md, the context): the
-- scores and counts the rules read, not the whole scorecard. p_unchanged: this draft fails exactly
-- the checks the task's previous draft failed (record_evaluation compares checks_failed).
create or replace function aicrm_private.quality_context(p_card jsonb, p_unchanged boolean)
returns jsonb
language sql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
    select jsonb_strip_nulls(jsonb_build_object(
        'overall', p_card -> 'overall', 'confidence', p_card -> 'confidence', 'passed', p_card -> 'passed',
        'readability', p_card -> 'readability', 'sentiment', p_card -> 'sentiment',
        'brand_alignment', p_card -> 'brand_alignment', 'compliance', p_card -> 'compliance',
        'structure', p_card -> 'structure', 'brief', p_card -> 'brief', 'accuracy', p_card -> 'accuracy',
        'fluency', p_card -> 'fluency',
        'llm_judge', case when jsonb_typeof(p_card -> 'llm_judge') = 'object'
                          then jsonb_build_object('grades', p_card #> '{llm_judge,grades}',
                                                  'overall', p_card #> '{llm_judge,overall}',
                                                  'verdict', p_card #> '{llm_judge,verdict}') end))
        || jsonb_build_object(
            'violations', p_card -> 'violations',
            'findings', coalesce(p_card -> 'finding_counts', '{"critical": 0, "major": 0, "minor": 0}'),
            'fixable', coalesce(p_card -> 'fixable', '0'), 'unfixable', coalesce(p_card -> 'unfixable', '0'),
            'failures_unchanged', coalesce(p_unchanged, false),
            'profile_gaps', coalesce(p_card -> 'profile_gaps', '[]'),
            'failures', coalesce(p_card -> 'failures', '[]'), 'passes', coalesce(p_card -> 'passes', '[]'))
$$;

grant execute on function aicrm_private.quality_context(jsonb, boolean) to aicrm_app, aicrm_worker;
