-- What a decision is made of (aicrm.evaluate_decision, rules/evaluate_decision.sql): the context the
-- rules see, the first rule of the compiled set that matches it, and why nothing approved.

-- The decision context the rules see: the caller's context with the tenant's settings, which the
-- caller cannot override (a draft's writer must not choose its own thresholds).
create or replace function aicrm_private.decision_context(p_context jsonb, p_settings jsonb)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
begin
    if jsonb_typeof(p_context) is distinct from 'object' then
        raise exception using errcode = 'AC001', message = 'context: must be a JSON object',
            hint = 'Pass e.g. {"quality": {"overall": 82, "confidence": 0.8}, "task": {"attempts": 1}}.',
            column = 'context';
    end if;
    if octet_length(p_context::text) > 262144 then
        raise exception using errcode = 'AC001',
            message = format('context: %s bytes, more than 256 KiB', octet_length(p_context::text)),
            hint = 'Pass the scores and facts the rules need, not whole documents.', column = 'context';
    end if;
    return p_context || jsonb_build_object('settings', p_settings);
end
$$;

create or replace function aicrm_private.decision_context(p_context jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
    return aicrm_private.decision_context(p_context, aicrm.get_decision_settings());
end
$$;

-- Why no rule approved a draft, in the terms of the tenant's settings (the engine adds them to
-- every context): overall below approve_min_quality (unless p_failures, the scorecard's reasons,
-- already name the overall), confidence below approve_min_confidence, no score at all, and, when
-- something failed, no attempts left for a retry. Facts only: whichever rules the tenant has.
create or replace function aicrm_private.unmet_thresholds(p_context jsonb, p_failures jsonb)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
    with facts as (
        select 1 as ord, case
            when coalesce(jsonb_typeof(p_context #> '{quality,overall}'), 'none') <> 'number' then 'no quality score'
            when jsonb_typeof(p_context #> '{settings,approve_min_quality}') = 'number'
                 and (p_context #>> '{quality,overall}')::numeric < (p_context #>> '{settings,approve_min_quality}')::numeric
                 and not exists (select from jsonb_array_elements_text(p_failures) f where f like 'overall %')
                then format('overall %s is below approve_min_quality %s', p_context #>> '{quality,overall}',
                            p_context #>> '{settings,approve_min_quality}')
            end as fact
        union all
        select 2, case when jsonb_typeof(p_context #> '{quality,confidence}') = 'number'
                        and jsonb_typeof(p_context #> '{settings,approve_min_confidence}') = 'number'
                        and (p_context #>> '{quality,confidence}')::numeric
                            < (p_context #>> '{settings,approve_min_confidence}')::numeric
            then format('confidence %s is below approve_min_confidence %s', p_context #>> '{quality,confidence}',
                        p_context #>> '{settings,approve_min_confidence}') end
    ),
    found as (
        select f.ord, f.fact from facts f where f.fact is not null
        union all
        -- Why nothing was retried: the attempts are used up.
        select 3, format('no attempts left (%s of max_attempts %s)', p_context #>> '{task,attempts}',
                         p_context #>> '{settings,max_attempts}')
        where jsonb_typeof(p_context #> '{task,attempts}') = 'number'
          and jsonb_typeof(p_context #> '{settings,max_attempts}') = 'number'
          and (p_context #>> '{task,attempts}')::numeric >= (p_context #>> '{settings,max_attempts}')::numeric
          and (jsonb_array_length(p_failures) > 0 or exists (select from facts f where f.ord = 1 and f.fact is not null))
    )
    select coalesce(jsonb_agg(to_jsonb(f.fact) order by f.ord), '[]') from found f
$$;

-- What a decision does, as the opening words of its explanation: "Approved", "Sent back for a
-- rewrite", "Sent to review", "Escalated to compliance", "Rejected"; a route or select action by
-- its type.
create or replace function aicrm_private.decision_outcome(p_action jsonb)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select case p_action ->> 'type'
        when 'approve' then 'Approved'
        when 'retry' then 'Sent back for a rewrite'
        when 'review' then 'Sent to review'
        when 'escalate' then 'Escalated' || coalesce(' to ' || (p_action #>> '{params,queue}'), '')
        when 'reject' then 'Rejected'
        else initcap(coalesce(p_action ->> 'type', 'decided'))
    end
$$;

-- The figures an approval cleared, against the tenant's settings: "overall 86.2 (minimum 75),
-- confidence 0.9 (minimum 0.7)"; null when the context has no scores.
create or replace function aicrm_private.approval_figures(p_context jsonb)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select nullif(concat_ws(', ',
        'overall ' || (p_context #>> '{quality,overall}')
            || coalesce(format(' (minimum %s)', p_context #>> '{settings,approve_min_quality}'), ''),
        'confidence ' || (p_context #>> '{quality,confidence}')
            || coalesce(format(' (minimum %s)', p_context #>> '{settings,approve_min_confidence}'), '')), '')
    where p_context #> '{quality,overall}' is not null
$$;

grant execute on function aicrm_private.decision_outcome(jsonb), aicrm_private.approval_figures(jsonb)
to aicrm_app, aicrm_worker;

-- The position in the tenant's rule set (aicrm_private.decision_rule_set) of the first rule in scope
-- whose condition holds on the decision context, 0 when none does: one execution of the set's
-- prepared statement. The context's customer, channel and task type say which rules are in scope.
create or replace function aicrm_private.first_matching_rule(
    p_set aicrm_private.decision_rule_sets, p_context jsonb
)
returns integer
language plpgsql
set search_path = ''
as $$
begin
    if cardinality(p_set.rule_ids) = 0 then
        return 0;
    end if;
    perform set_config('aicrm.jl_budget', '100000', true);
    return aicrm_private.execute_prepared(p_set.statement_name, p_set.statement, 'jsonb, text, text, text',
        format('%L::jsonb, %L, %L, %L', p_context,
            coalesce(p_context #>> '{customer,customer_id}', p_context ->> 'customer_id'),
            coalesce(p_context #>> '{task,channel}', p_context ->> 'channel'),
            coalesce(p_context #>> '{task,task_type}', p_context ->> 'task_type')))::integer;
end
$$;

grant execute on function aicrm_private.decision_context(jsonb), aicrm_private.decision_context(jsonb, jsonb),
    aicrm_private.first_matching_rule(aicrm_private.decision_rule_sets, jsonb)
to aicrm_app, aicrm_worker;
grant execute on function aicrm_private.unmet_thresholds(jsonb, jsonb) to aicrm_app, aicrm_worker;
