-- The quality scorecard (docs/quality.md): the runner's text metrics (readability, sentiment) and
-- what PostgreSQL measures itself (compliance, structure, brand alignment, and whether the draft
-- answers its brief, states only grounded facts and reads well) become sub-scores 0-100,
-- an overall score with the tenant's weights, pass/fail against the task's thresholds and success
-- criteria, a confidence, machine-readable fixes and a human summary. Pure: nothing is stored here
-- (record_evaluation stores, evaluate_content does not). The draft is only measured and matched,
-- never followed: text addressing the evaluator is content like any other.
-- score_content, the whole scorecard; its parts: check_compliance.sql, score_structure.sql,
-- score_brand.sql, score_brief.sql, score_accuracy.sql, score_fluency.sql, sentiment_target.sql,
-- scorecard_failures.sql and scorecard_findings.sql (what the decision rules see).

-- The whole scorecard of one draft (docs/quality.md). Readability and sentiment come from the
-- runner's text metrics (textstat, VADER); compliance, structure, brand alignment, brief,
-- accuracy and fluency are measured here, and sentiment judged against the purpose. An optional
-- model judge's grades (text_metrics.llm_judge) are kept as their own component and only lower the
-- confidence. Pure: stores nothing.
create or replace function aicrm_private.score_content(
    p_content text,
    p_subject text,
    p_channel text,
    p_customer_id uuid,
    p_instructions jsonb,
    p_thresholds jsonb,
    p_metrics jsonb,
    p_content_format text default 'text'
)
returns jsonb
language plpgsql
stable
set search_path = ''
-- Planned once per session: a custom plan per call (the default for a query with parameters)
-- planned its queries for every draft, a third of a scorecard's time (docs/quality.md, "Speed").
set plan_cache_mode = force_generic_plan
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_instructions jsonb := coalesce(p_instructions, '{}');
    v_thresholds jsonb := coalesce(p_thresholds, '{}');
    v_metrics jsonb := coalesce(p_metrics, '{}');
    v_settings jsonb := aicrm.get_decision_settings();
    v_text text;
    v_plain text;  -- v_text with curly apostrophes straightened
    v_plain_subject text;
    v_features aicrm_private.draft_features;
    v_customer jsonb;
    v_profile aicrm.customer_scoring_profiles;
    v_terms jsonb;
    v_compliance jsonb;
    v_structure jsonb;
    v_brand jsonb;
    v_brief jsonb;
    v_accuracy jsonb;
    v_fluency jsonb;
    v_findings jsonb;
    v_counts jsonb;
    v_content_critical integer;
    v_content_major integer;
    v_judge jsonb := case when jsonb_typeof(v_metrics -> 'llm_judge') = 'object' then v_metrics -> 'llm_judge' end;
    v_notes jsonb := '[]';
    v_passes jsonb := '[]';
    v_sent_ok boolean;
    v_fixable integer;
    v_uncapped numeric;
    v_unfixable integer;
    v_fre numeric := (v_metrics #>> '{readability,flesch_reading_ease}')::numeric;
    v_grade numeric := (v_metrics #>> '{readability,flesch_kincaid_grade}')::numeric;
    v_compound numeric := (v_metrics #>> '{sentiment,compound}')::numeric;
    v_most_negative numeric := (v_metrics #>> '{sentiment,most_negative}')::numeric;
    v_read_target numeric;
    v_sent_target text;
    v_sent_label text;
    v_scores jsonb;
    v_weights jsonb;
    v_overall numeric;
    v_critical integer;
    v_major integer;
    v_minor integer;
    v_overall_min numeric;
    v_criteria jsonb := '[]';
    v_major_checks jsonb;
    v_passed boolean;
    v_confidence numeric := 1;
    v_fixes jsonb := '[]';
    v_failures jsonb := '[]';
    v_summary text;
begin
    perform aicrm_private.assert_json_valid('task.ai_instructions', v_instructions, 'instructions');
    perform aicrm_private.assert_json_valid('task.quality_thresholds', v_thresholds, 'quality_thresholds');
    perform aicrm_private.assert_json_valid('quality.text_metrics', v_metrics, 'text_metrics');
    if p_content_format is null or p_content_format not in ('text', 'html', 'markdown') then
        raise exception using errcode = 'AC001',
            message = format('content_format: %s is not a format', coalesce(quote_literal(p_content_format), 'null')),
            hint = 'Use text, html or markdown.', column = 'content_format';
    end if;
    -- What a reader sees: HTML tags dropped (links keep their address for the checks).
    v_text := case when p_content_format = 'html'
        then regexp_replace(regexp_replace(coalesce(p_content, ''), '<a\s[^>]*href\s*=\s*["'']([^"'']*)["''][^>]*>', ' \1 ', 'gi'),
                            '<[^>]+>', ' ', 'g')
        else p_content end;

    -- The terms of the instructions join the tenant's: must_include "CTA" means a call to action.
    v_terms := coalesce((select jsonb_agg(jsonb_build_object('term', t, 'kind', 'required'))
                         from jsonb_array_elements_text(coalesce(v_instructions -> 'must_include', '[]')) t), '[]')
            || coalesce((select jsonb_agg(jsonb_build_object('term', t, 'kind', 'forbidden'))
                         from jsonb_array_elements_text(coalesce(v_instructions -> 'must_not_include', '[]')) t), '[]');
    -- check_compliance validates the text, subject, channel and customer (AC001/AC002 naming them).
    -- Curly apostrophes read as straight ones (check_compliance does the same, keeping the spans'
    -- text as written); one character for one, so offsets are the same in both.
    v_plain := aicrm_private.straight_apostrophes(v_text);
    v_plain_subject := aicrm_private.straight_apostrophes(p_subject);
    -- Measured once for all the parts; not at all for a text over the limits, which check_compliance
    -- refuses (it validates the text, subject, channel and customer: AC001/AC002 naming them).
    if char_length(v_plain) <= 200000 and coalesce(char_length(v_plain_subject), 0) <= 2000 then
        v_features := aicrm_private.draft_features_of(v_plain, v_plain_subject);
    end if;
    v_compliance := aicrm_private.check_compliance(v_text, p_subject, p_channel, p_customer_id, v_terms, v_features);
    if p_customer_id is not null then
        select to_jsonb(c) - 'tenant_id' into v_customer
        from aicrm.customers c where c.tenant_id = v_tenant and c.customer_id = p_customer_id;
        v_profile := aicrm_private.scoring_profile(p_customer_id);
    end if;
    v_structure := aicrm_private.score_structure(v_plain, v_plain_subject, p_channel, v_instructions, v_features);
    v_brand := aicrm_private.score_brand(v_plain, v_plain_subject, v_customer, v_metrics -> 'sentiment', v_instructions,
                                         v_features, v_profile);
    -- Does it answer its brief, is every fact grounded, does it read well; its mood against its
    -- purpose. One list of findings, worst first, each with its span, fix and whether a rewrite
    -- can fix it.
    v_brief := aicrm_private.score_brief(v_plain, v_plain_subject, p_channel, v_customer, v_instructions, v_features);
    v_accuracy := aicrm_private.score_accuracy(v_plain, v_plain_subject, p_channel, v_customer, v_instructions,
                                               v_features);
    v_fluency := aicrm_private.score_fluency(v_plain, v_plain_subject, p_channel, v_customer, v_instructions,
                                             v_features);
    v_sent_target := aicrm_private.sentiment_target(v_instructions, v_plain_subject);
    select coalesce(jsonb_agg(f.value order by case f.value ->> 'severity' when 'critical' then 0 when 'major' then 1 else 2 end,
                              f.part, f.ord), '[]')
    into v_findings
    from (select 1 as part, x.value, x.ord
          from jsonb_array_elements(coalesce(v_brief -> 'findings', '[]')) with ordinality as x (value, ord)
          union all
          select 2, x.value, x.ord
          from jsonb_array_elements(coalesce(v_accuracy -> 'findings', '[]')) with ordinality as x (value, ord)
          union all
          select 3, x.value, x.ord
          from jsonb_array_elements(coalesce(v_fluency -> 'findings', '[]')) with ordinality as x (value, ord)
          union all
          select 4, x.value, x.ord
          from jsonb_array_elements(case when v_compound is null then '[]'::jsonb else
                   aicrm_private.sentiment_findings(v_plain, v_plain_subject, v_sent_target, v_compound) end)
               with ordinality as x (value, ord)) as f;
    v_counts := aicrm_private.count_findings(v_findings);
    v_content_critical := (v_counts ->> 'critical')::integer;
    v_content_major := (v_counts ->> 'major')::integer;

    -- Readability: Flesch reading ease against the target (the task's, else the brand's reading
    -- level, else 60, "plain English"); 2.5 points per point below it.
    v_read_target := coalesce((v_instructions #>> '{success_criteria,readability_score_min}')::numeric,
        case v_customer #>> '{brand_voice,reading_level}'
            when 'simple' then 70 when 'general' then 60 when 'professional' then 45 when 'technical' then 30 end,
        60);
    -- Sentiment: the VADER compound against the target mood (sentiment_target: the task's, else
    -- urgent for an emergency, positive for a purpose that sells or invites, else informative).
    v_sent_label := v_metrics #>> '{sentiment,label}';
    -- (VADER's own bounds, +-0.05, call a warm note "positive"; a task that wants it neutral
    -- accepts it up to 0.5 either way, as the sub-score does.)
    v_sent_ok := case v_sent_target when 'informative' then v_compound > -0.05 when 'urgent' then true
                                    when 'neutral' then abs(v_compound) < 0.5
                                    else v_sent_label = v_sent_target end;
    v_critical := (v_compliance #>> '{counts,critical}')::integer;
    v_major := (v_compliance #>> '{counts,major}')::integer;
    v_minor := (v_compliance #>> '{counts,minor}')::integer;
    v_scores := jsonb_build_object(
        'readability', case when v_fre is not null
            then round(greatest(0, least(100, 100 - 2.5 * greatest(0, v_read_target - v_fre))), 1) end,
        'sentiment', case when v_compound is not null then round(greatest(0, least(100, case v_sent_target
            when 'positive' then 100 - 100 * greatest(0, 0.05 - v_compound) / 0.55
            when 'negative' then 50 - 100 * v_compound
            when 'informative' then 100 - 100 * greatest(0, -v_compound - 0.05) / 0.6
            when 'urgent' then 100 - 100 * greatest(0, -v_compound - 0.5) / 0.5
            else 100 - 100 * greatest(0, abs(v_compound) - 0.05) / 0.6 end)), 1) end,
        'brand_alignment', v_brand -> 'score',
        'compliance', greatest(0, 100 - 40 * v_critical - 20 * v_major - 5 * v_minor),
        'structure', v_structure -> 'score',
        'brief', v_brief -> 'score',
        'accuracy', v_accuracy -> 'score',
        'fluency', v_fluency -> 'score'
    );

    -- Overall: the weighted mean of the sub-scores present, capped by the worst violation (a
    -- critical one at 40, a major one at 70) so no polish outweighs a compliance problem.
    v_weights := coalesce(v_settings -> 'quality_weights', '{}');
    select coalesce(round(sum(sc.value::numeric * w.value::numeric) / nullif(sum(w.value::numeric), 0), 1), 0)
    into v_overall
    from jsonb_each_text(v_scores) as sc
    join jsonb_each_text(v_weights) as w on w.key = sc.key
    where sc.value is not null and jsonb_typeof(v_weights -> w.key) = 'number';
    v_uncapped := v_overall;
    if v_critical + v_content_critical > 0 then
        v_overall := least(v_overall, 40);
    elsif v_major + v_content_major > 0 then
        v_overall := least(v_overall, 70);
    end if;

    -- Pass/fail: the task's thresholds (overall defaults to the tenant's approve_min_quality), its
    -- success criteria, and no major or critical violation.
    v_overall_min := coalesce((v_thresholds ->> 'overall_min')::numeric, (v_settings ->> 'approve_min_quality')::numeric, 75);
    v_criteria := jsonb_build_array(jsonb_build_object('criterion', 'overall_min', 'expected', v_overall_min,
        'actual', v_overall, 'passed', v_overall >= v_overall_min));
    if v_thresholds - 'overall_min' <> '{}'::jsonb then
        v_criteria := v_criteria || coalesce((
            select jsonb_agg(jsonb_build_object('criterion', t.key, 'expected', t.value,
                       'actual', v_scores -> replace(t.key, '_min', ''),
                       'passed', coalesce((v_scores ->> replace(t.key, '_min', ''))::numeric >= (t.value #>> '{}')::numeric,
                                          false))
                       order by t.key)
            from jsonb_each(v_thresholds) t where t.key <> 'overall_min'), '[]');
    end if;
    v_criteria := v_criteria || jsonb_build_array(jsonb_build_object('criterion', 'no_major_violation',
        'expected', 0, 'actual', v_critical + v_major, 'passed', v_critical + v_major = 0));
    -- A major structure problem (a placeholder left in, a broken link, no subject, far off length)
    -- is never published, whatever the average says.
    v_major_checks := jsonb_path_query_array(v_structure -> 'checks', '$[*] ? (@.severity == "major").check');
    v_criteria := v_criteria || jsonb_build_object('criterion', 'no_major_structure_issue', 'expected', '[]'::jsonb,
        'actual', v_major_checks, 'passed', v_major_checks = '[]'::jsonb);
    -- Nor a draft off its brief, with an ungrounded fact, that does not read, or in the wrong mood.
    v_criteria := v_criteria || jsonb_build_object('criterion', 'no_major_content_issue', 'expected', 0,
        'actual', v_content_critical + v_content_major, 'passed', v_content_critical + v_content_major = 0);
    if v_instructions #> '{success_criteria,readability_score_min}' is not null then
        v_criteria := v_criteria || jsonb_build_object('criterion', 'readability_score_min', 'expected', v_read_target,
            'actual', v_fre, 'passed', coalesce(v_fre >= v_read_target, false));
    end if;
    if v_instructions #> '{success_criteria,grade_level_max}' is not null then
        v_criteria := v_criteria || jsonb_build_object('criterion', 'grade_level_max',
            'expected', v_instructions #> '{success_criteria,grade_level_max}', 'actual', v_grade,
            'passed', coalesce(v_grade <= (v_instructions #>> '{success_criteria,grade_level_max}')::numeric, false));
    end if;
    if v_instructions #> '{success_criteria,sentiment_target}' is not null then
        v_criteria := v_criteria || jsonb_build_object('criterion', 'sentiment_target', 'expected', v_sent_target,
            'actual', v_sent_label, 'passed', coalesce(v_sent_ok, false));
    end if;
    if v_instructions #> '{success_criteria,cta_present}' is not null then
        v_criteria := v_criteria || jsonb_build_object('criterion', 'cta_present',
            'expected', v_instructions #> '{success_criteria,cta_present}', 'actual', v_structure #> '{cta,present}',
            'passed', v_structure #> '{cta,present}' = v_instructions #> '{success_criteria,cta_present}');
    end if;
    v_passed := not jsonb_path_exists(v_criteria, '$[*] ? (@.passed == false)');
    -- Why it fails, in words a person reads (the summary, the decision's explanation): each failed
    -- criterion with its value, each critical or major finding. Worded only for a failing draft.
    -- The content findings first: they say what a person looks at first (off topic, a wrong fact).
    if not v_passed then
        -- An overall under the minimum only because a finding capped it says nothing the finding
        -- does not ("overall 70 is below the tenant's minimum 75" before the missing street): the
        -- criterion stays failed in `criteria`, its sentence is left out.
        v_failures := aicrm_private.finding_reasons(v_findings)
            || aicrm_private.scorecard_failures(
                case when v_uncapped >= v_overall_min and v_overall < v_overall_min
                     then (select jsonb_agg(case when c ->> 'criterion' = 'overall_min'
                                                 then c || '{"passed": true}' else c end order by o)
                           from jsonb_array_elements(v_criteria) with ordinality as x (c, o))
                     else v_criteria end,
                v_compliance -> 'violations', v_structure -> 'checks', v_thresholds ? 'overall_min');
    end if;

    -- Confidence: how far the numbers can be trusted for this draft; each reduction is named.
    if v_fre is null or v_compound is null then
        v_confidence := v_confidence * 0.6;
        v_notes := v_notes || '"the runner''s readability and sentiment metrics are missing (x0.6)"'::jsonb;
    end if;
    if (v_structure ->> 'word_count')::integer < 30 and p_channel <> 'sms' then
        v_confidence := v_confidence * 0.75;
        v_notes := v_notes || '"readability formulas are unreliable on under 30 words (x0.75)"'::jsonb;
    elsif (v_structure ->> 'word_count')::integer < 15 then
        v_confidence := v_confidence * 0.9;
        v_notes := v_notes || '"under 15 words (x0.9)"'::jsonb;
    end if;
    if v_customer is null or not (v_brand ->> 'voice_set')::boolean then
        v_confidence := v_confidence * 0.8;
        v_notes := v_notes || '"brand alignment measured without a brand voice (x0.8)"'::jsonb;
    end if;
    if v_compound >= 0.05 and v_most_negative <= -0.5 then
        v_confidence := v_confidence * 0.9;
        v_notes := v_notes || '"a strongly negative sentence in a positive text (x0.9)"'::jsonb;
    end if;
    if abs(v_overall - v_overall_min) < 5 then
        v_confidence := v_confidence * 0.85;
        v_notes := v_notes || to_jsonb(format('overall %s is within 5 of the minimum %s (x0.85)', v_overall, v_overall_min));
    end if;
    -- The model judge is a second opinion: it never overrides a finding, but a passing draft it
    -- would revise is one a person should see.
    if v_judge is null then
        v_notes := v_notes || '"no second opinion: no model judge is configured (AICRM_JUDGE_MODEL)"'::jsonb;
    elsif v_judge ->> 'verdict' = 'revise' and v_passed then
        v_confidence := v_confidence * 0.65;
        v_notes := v_notes || to_jsonb(format('the model judge (%s) would revise it (x0.65)%s',
            coalesce(v_judge ->> 'model', 'model'),
            coalesce(': ' || (select string_agg(i.value ->> 'problem', '; ' order by i.ord)
                               from jsonb_array_elements(case when jsonb_typeof(v_judge -> 'issues') = 'array'
                                                              then v_judge -> 'issues' else '[]' end)
                                    with ordinality as i (value, ord)
                               where i.ord <= 2), '')));
    end if;
    v_confidence := round(v_confidence, 2);

    -- Fixes: compliance first (by severity), then the content findings (brief, accuracy, fluency,
    -- sentiment, worst first), structure, readability, sentiment, brand.
    v_fixes := case when v_compliance -> 'violations' = '[]'::jsonb then '[]'::jsonb else coalesce((
        select jsonb_agg(jsonb_strip_nulls(jsonb_build_object('code', 'compliance', 'dimension', 'compliance',
                   'severity', v ->> 'severity', 'pack', v ->> 'pack', 'rule', v ->> 'rule', 'field', v ->> 'field',
                   'term', v ->> 'term', 'span', v -> 'span', 'message', v ->> 'fix'))
                   order by case v ->> 'severity' when 'critical' then 0 when 'major' then 1 else 2 end)
        from jsonb_array_elements(v_compliance -> 'violations') v), '[]') end
        || coalesce((select jsonb_agg(jsonb_strip_nulls(jsonb_build_object('code', f ->> 'check',
                        'dimension', f ->> 'dimension', 'severity', f ->> 'severity', 'field', f ->> 'field',
                        'span', f -> 'span', 'fixable', f -> 'fixable', 'message', f ->> 'fix')) order by o)
                     from jsonb_array_elements(v_findings) with ordinality as x (f, o)), '[]')
        || (v_structure -> 'fixes');
    if (v_scores ->> 'readability')::numeric < 100 then
        v_fixes := v_fixes || jsonb_build_object('code', 'simplify', 'dimension', 'readability', 'severity', 'minor',
            'params', jsonb_build_object('flesch_reading_ease_min', v_read_target, 'flesch_reading_ease', v_fre),
            'message', format('Make it easier to read (reading ease %s, target %s): shorter sentences, everyday words.',
                              v_fre, v_read_target));
    end if;
    if not v_sent_ok and v_compound is not null then
        v_fixes := v_fixes || jsonb_build_object('code', 'adjust_sentiment', 'dimension', 'sentiment', 'severity', 'minor',
            'params', jsonb_build_object('target', v_sent_target, 'compound', v_compound),
            'message', format('Make the mood %s (it reads %s).',
                              case v_sent_target when 'informative' then 'neutral or positive' else v_sent_target end,
                              v_sent_label));
    end if;
    v_fixable := aicrm_private.serious_count(v_compliance -> 'violations', v_findings, v_major_checks, true);
    v_unfixable := aicrm_private.serious_count(v_compliance -> 'violations', v_findings, v_major_checks, false);
    if v_passed then
        v_passes := aicrm_private.scorecard_passes(v_brief, v_accuracy, v_fluency, v_sent_target, v_scores);
    end if;
    v_fixes := v_fixes || (v_brand -> 'fixes');

    -- The verdict names what failed: "fails (threshold 75)" beside an overall of 93.6 would say the
    -- score failed when a criterion did.
    v_summary := case when v_passed
            then format('Overall %s/100, passes (threshold %s, confidence %s).', v_overall, v_overall_min, v_confidence)
            else format('Overall %s/100 (threshold %s, confidence %s), fails: %s.', v_overall, v_overall_min, v_confidence,
                        aicrm_private.first_reasons(v_failures, 3)) end
        || format(' Brief %s, accuracy %s, fluency %s, compliance %s, structure %s, brand %s, readability %s, sentiment %s.',
            v_scores ->> 'brief', coalesce(v_scores ->> 'accuracy', 'n/a'), v_scores ->> 'fluency',
            v_scores ->> 'compliance', v_scores ->> 'structure', coalesce(v_scores ->> 'brand_alignment', 'n/a'),
            coalesce(v_scores ->> 'readability', 'n/a'), coalesce(v_scores ->> 'sentiment', 'n/a'))
        || case when v_critical + v_major + v_minor > 0
                then format(' %s critical, %s major, %s minor violation(s).', v_critical, v_major, v_minor) else '' end
        || case when jsonb_array_length(v_fixes) > 0
                -- The first three different fixes: a term found three times is one thing to fix.
                then ' To fix: ' || (select string_agg(u.message, ' ' order by u.first)
                                     from (select f.value ->> 'message' as message, min(f.n) as first
                                           from jsonb_array_elements(v_fixes) with ordinality as f (value, n)
                                           group by 1 order by 2 limit 3) as u) else '' end;

    return jsonb_build_object(
        'version', 2,
        'overall', v_overall,
        'passed', v_passed,
        'confidence', v_confidence,
        'readability', v_scores -> 'readability',
        'sentiment', v_scores -> 'sentiment',
        'brand_alignment', v_scores -> 'brand_alignment',
        'compliance', v_scores -> 'compliance',
        'structure', v_scores -> 'structure',
        'brief', v_scores -> 'brief',
        'accuracy', v_scores -> 'accuracy',
        'fluency', v_scores -> 'fluency',
        'violations', jsonb_build_object('critical', v_critical, 'major', v_major, 'minor', v_minor),
        -- The profile fields a finding needs and the customer's profile lacks (no rewrite can help).
        'profile_gaps', coalesce(v_compliance -> 'profile_gaps', '[]'),
        -- The brief, accuracy, fluency and sentiment findings, worst first, and their counts.
        'findings', v_findings,
        'finding_counts', v_counts,
        -- Critical or major findings (compliance, structure and content) a rewrite can fix, and
        -- those it cannot (profile gaps aside): the rules retry only the first.
        'fixable', v_fixable,
        'unfixable', v_unfixable,
        -- The checks that fail, one key each: a rewrite that fails the same ones changed nothing.
        'checks_failed', aicrm_private.failing_checks(v_criteria, v_compliance -> 'violations', v_major_checks, v_findings),
        -- What a passing draft was checked for and passed, in words (the approval's explanation).
        'passes', v_passes,
        'llm_judge', v_judge,
        'confidence_notes', v_notes,
        'threshold', v_overall_min,
        'weights', v_weights,
        'criteria', v_criteria,
        'failures', v_failures,
        'details', jsonb_build_object(
            'readability', (v_metrics -> 'readability') || jsonb_build_object('target', v_read_target),
            'sentiment', coalesce(v_metrics -> 'sentiment', '{}') || jsonb_build_object('target', v_sent_target),
            'brief', v_brief - 'findings' - 'score',
            'accuracy', v_accuracy - 'findings' - 'score',
            'fluency', v_fluency - 'findings' - 'score',
            'compliance', v_compliance,
            'structure', v_structure - 'fixes' - 'score',
            'brand_alignment', v_brand - 'fixes' - 'score'
        ),
        'fixes', v_fixes,
        'summary', v_summary
    );
end
$$;

grant execute on function aicrm_private.score_content(text, text, text, uuid, jsonb, jsonb, jsonb, text)
to aicrm_app, aicrm_worker;
